"""A Zebra printer on a real TCP port: ZPL in, labels recorded and counted, queries answered.

Tests start it on port 0 in a thread; ``labelsvc emulate-printer`` runs the same class in
the foreground. Each connection's stream is split into labels (``^XA`` ... ``^XZ``); every
complete label is kept in :attr:`PrinterEmulator.labels` in arrival order and, with an
output folder, written as ``label-000001.zpl``... A label cut off by a closed connection is
not printed, as on a real printer. Like a printer, it prints one connection at a time, in
the order they were accepted: a connection's labels wait until every earlier connection
has closed. Queries are answered at once, also on a connection that carries labels:
``~HS`` from the profile, the label counter (SGD ``odometer.total_label_count``, kept in
``<out>/odometer`` across restarts, like a printer's), ``~HQES``, ``~HI`` and ``~HQPH``.

Profiles (:data:`PROFILES`) say what it answers and how it fails: ``paper-out``,
``head-open``, ``paused``, ``ribbon-out`` (``~HS`` flags), ``no-reply`` (silent),
``garbage`` (answers every query with framed noise), ``never-read`` (takes connections,
reads nothing), ``jam`` (stops reading inside a label), ``paper-near-end`` and ``ribbon-low``
(``~HQES`` warnings; it still prints). :meth:`drop_after` loses the connection after N
labels, as a printer that is switched off mid-batch. The profile can change while it runs:
call :meth:`set_profile`, or write a profile name into ``<out>/profile``.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from labelsvc.printing import queries, stored_format
from labelsvc.printing.status import HS_COMMAND, host_status_answer
from labelsvc.printing.zpl_stream import START, ZplStream

__all__ = ["PROFILES", "PrinterEmulator", "ZplStream"]

# profile -> ~HS flags; None = stays silent, like a real printer with media out
PROFILES: dict[str, dict[str, bool] | None] = {
    "ok": {},
    "paper-out": {"paper_out": True},
    "head-open": {"head_open": True},
    "paused": {"paused": True},
    "ribbon-out": {"ribbon_out": True},
    "no-reply": None,
    "garbage": {},
    "never-read": None,
    "jam": {},
    "paper-near-end": {},
    "ribbon-low": {},
}
WARNINGS = {"paper-near-end": ["paper near end"], "ribbon-low": ["ribbon low"]}
HQES_ERRORS = {"paper_out": "media out", "ribbon_out": "ribbon out", "head_open": "head open"}
GARBAGE = b"\x02\x15#&!?\x03\r\n" * 3
STATUS = HS_COMMAND


class PrinterEmulator:
    """A listening printer. ``stall()`` makes it stop reading inside a label (a jam)."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        out_dir: Path | None = None,
        profile: str = "ok",
        recv_size: int = 65536,
        rcvbuf: int | None = None,
        on_label: Callable[[int, bytes], None] | None = None,
        odometer: int | None = None,
        dpi: int = 203,
        print_width: int = 812,
        model: str = "ZT411",
        print_rate: float | None = None,
    ) -> None:
        self.host, self.port = host, port
        self.out_dir = out_dir
        self.recv_size, self.rcvbuf = recv_size, rcvbuf
        self.on_label = on_label
        self.dpi, self.print_width, self.model = dpi, print_width, model
        self.print_rate = print_rate  # labels/s like a real printer (None: at once)
        self.labels: list[bytes] = []
        self.received: list[bytes] = []  # the raw bytes of each closed connection
        self.status_requests = 0
        self.queries: list[bytes] = []  # every query answered, in order
        self.formats: dict[bytes, bytes] = {}  # stored formats (^DF), lost when it stops
        self.stalled_connections = 0
        self.odometer = odometer if odometer is not None else self._saved_odometer()
        self._profile = "ok"
        self._profile_read = (0.0, "ok")
        self._drop_after: int | None = None
        self._cond = threading.Condition()
        self._stopping = threading.Event()
        self._stall = threading.Event()
        self._drop = threading.Event()
        self._sock: socket.socket | None = None
        self._threads: list[threading.Thread] = []
        self._accepted = 0
        self._open: set[int] = set()  # sequence numbers of connections not yet closed
        self.set_profile(profile)

    def _saved_odometer(self) -> int:
        """The label counter a previous run left in ``<out>/odometer`` (0 for a new one)."""
        if self.out_dir is None:
            return 0
        with contextlib.suppress(OSError, ValueError):
            return int((self.out_dir / "odometer").read_text(encoding="utf-8"))
        return 0

    # -- control ---------------------------------------------------------------------
    def set_profile(self, name: str) -> None:
        """Change what ``~HS`` answers (also written to ``<out>/profile``)."""
        if name not in PROFILES:
            raise ValueError(f"unknown profile {name!r}; one of {', '.join(PROFILES)}")
        self._profile = name
        self._profile_read = (0.0, name)
        if self.out_dir is not None:
            self.out_dir.mkdir(parents=True, exist_ok=True)
            (self.out_dir / "profile").write_text(name + "\n", encoding="utf-8")

    @property
    def profile(self) -> str:
        """The current profile; the ``<out>/profile`` file wins when it names one.

        The file is read at most every 0.1 s, so checking it costs nothing per chunk.
        """
        if self.out_dir is None:
            return self._profile
        at, name = self._profile_read
        if time.monotonic() - at < 0.1:
            return name
        name = self._profile
        with contextlib.suppress(OSError):
            found = (self.out_dir / "profile").read_text(encoding="utf-8").strip()
            name = found if found in PROFILES else name
        self._profile_read = (time.monotonic(), name)
        return name

    def drop_after(self, labels: int) -> None:
        """Lose the connection after ``labels`` more labels printed (once), mid-batch."""
        with self._cond:
            self._drop_after = labels

    def stall(self) -> None:
        """Stop reading connections that are inside a label, as a jammed printer does."""
        self._stall.set()

    def resume(self) -> None:
        """Read stalled connections again."""
        self._stall.clear()

    def drop_stalled(self) -> None:
        """Close stalled connections, discarding their unfinished label; then resume."""
        self._drop.set()
        with self._cond:
            self._cond.wait_for(lambda: self.stalled_connections == 0, timeout=10)
        self._drop.clear()
        self._stall.clear()

    def wait_for_labels(self, count: int, timeout: float = 10.0) -> bool:
        """Block until at least ``count`` labels arrived (or the timeout passes)."""
        with self._cond:
            return self._cond.wait_for(lambda: len(self.labels) >= count, timeout=timeout)

    # -- lifecycle -------------------------------------------------------------------
    def _bind(self) -> None:
        sock = socket.socket(socket.AF_INET6 if ":" in self.host else socket.AF_INET)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if self.rcvbuf is not None:  # a tiny receive buffer: the sender's queue backs up
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, self.rcvbuf)
        sock.bind((self.host, self.port))
        sock.listen(64)
        sock.settimeout(0.2)
        self.port = sock.getsockname()[1]
        self._sock = sock

    def start(self) -> PrinterEmulator:
        """Listen and serve in a background thread; returns self (``port`` is set)."""
        self._bind()
        thread = threading.Thread(target=self._accept_loop, name="emulator", daemon=True)
        thread.start()
        self._threads.append(thread)
        return self

    def serve_forever(self) -> None:
        """Listen and serve in this thread until :meth:`stop` or Ctrl-C."""
        self._bind()
        try:
            self._accept_loop()
        finally:
            self.stop()

    def stop(self) -> None:
        """Stop listening and close every connection."""
        self._stopping.set()
        with self._cond:
            self._cond.notify_all()
        if self._sock is not None:
            self._sock.close()
        for thread in list(self._threads):
            if thread is not threading.current_thread():
                thread.join(timeout=5)

    def __enter__(self) -> PrinterEmulator:
        return self.start()

    def __exit__(
        self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # -- serving ---------------------------------------------------------------------
    def _accept_loop(self) -> None:
        assert self._sock is not None
        while not self._stopping.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                break
            with self._cond:
                self._accepted += 1
                self._open.add(self._accepted)
            thread = threading.Thread(target=self._serve, args=(conn, self._accepted), daemon=True)
            thread.start()
            self._threads = [t for t in self._threads if t.is_alive()] + [thread]

    def _serve(self, conn: socket.socket, seq: int) -> None:
        stream, raw, pending = ZplStream(), bytearray(), list[bytes]()
        conn.settimeout(0.2)
        try:
            while not self._stopping.is_set():
                profile = self.profile
                if profile == "never-read":
                    time.sleep(0.05)
                    continue
                if (self._stall.is_set() or profile == "jam") and stream.in_label:
                    if not self._stalled_wait():
                        return  # dropped: the unfinished label is lost
                    continue
                try:
                    data = conn.recv(self.recv_size)
                except TimeoutError:
                    continue
                except OSError:
                    break
                if not data:
                    break
                raw += data
                for item in stream.feed(data):
                    if item.startswith(START):
                        self._take(item, pending)
                    else:
                        self._answer(conn, item)
                if self._print(seq, pending, wait=False):
                    return  # the connection was lost mid-batch (drop_after)
        finally:
            conn.close()
            self._print(seq, pending, wait=True)
            with self._cond:
                self.received.append(bytes(raw))
                self._open.discard(seq)
                self._cond.notify_all()

    def _stalled_wait(self) -> bool:
        """Wait while stalled; False when the connection is to be dropped."""
        with self._cond:
            self.stalled_connections += 1
            self._cond.notify_all()
        try:
            while (self._stall.is_set() or self.profile == "jam") and not self._stopping.is_set():
                if self._drop.is_set():
                    return False
                self._drop.wait(0.05)
            return True
        finally:
            with self._cond:
                self.stalled_connections -= 1
                self._cond.notify_all()

    def _take(self, label: bytes, pending: list[bytes]) -> None:
        """A label to print; a ``^DF`` format is stored, a ``^XF`` recall filled from it."""
        name = stored_format.format_name(label)
        if name is not None:
            self.formats[name] = stored_format.format_body(label)
            return
        pending.append(stored_format.expand(label, self.formats) or label)

    def _answer(self, conn: socket.socket, query: bytes) -> None:
        """Answer one query from the current profile and counters."""
        profile = self.profile
        flags = PROFILES[profile]
        with self._cond:
            self.queries.append(query)
        if query == STATUS:
            self.status_requests += 1
        if flags is None:
            return
        if profile == "garbage":
            answer = b'"#&!?"' if query.startswith(b"!") else GARBAGE
        else:
            answer = self._answer_for(query, flags, profile)
        with contextlib.suppress(OSError):
            conn.sendall(answer)

    def _answer_for(self, query: bytes, flags: dict[str, bool], profile: str) -> bytes:
        if query == STATUS:
            return host_status_answer(**flags)
        if query == queries.HQES_COMMAND:
            errors = [name for flag, name in HQES_ERRORS.items() if flags.get(flag)]
            return queries.hqes_answer(errors, WARNINGS.get(profile, []))
        if query == queries.HI_COMMAND:
            return queries.hi_answer(f"{self.model}-{self.dpi}dpi", "V92.21.10Z", self.dpi)
        if query == queries.HEAD_COMMAND:
            return queries.head_answer(self.odometer)
        if query.startswith(b"! U1 getvar"):
            name = query.split(b'"')[1].decode("ascii", "replace")
            values = {
                queries.COUNTER_VAR: self.odometer,
                queries.WIDTH_VAR: self.print_width,
            }
            return queries.getvar_answer(str(values.get(name, "?")))
        return b""

    def _print(self, seq: int, pending: list[bytes], *, wait: bool) -> bool:
        """Print a connection's labels once every earlier connection has closed; with a
        ``print_rate``, one label at a time at that speed (the counter moves per label).

        Returns True when the connection is to be dropped (``drop_after`` reached).
        """
        if not self.print_rate:
            return self._print_batch(seq, pending, wait=wait)
        while pending:
            one = pending[:1]
            time.sleep(1 / self.print_rate)
            if self._print_batch(seq, one, wait=wait):
                pending.clear()
                return True
            if one:  # not this connection's turn yet: it stays in the buffer
                return False
            del pending[0]
        return False

    def _print_batch(self, seq: int, pending: list[bytes], *, wait: bool) -> bool:
        if not pending:
            return False
        dropped = False
        with self._cond:
            if wait:
                self._cond.wait_for(lambda: self._stopping.is_set() or min(self._open) == seq)
            if min(self._open) != seq:
                return False
            if self._drop_after is not None and len(pending) >= self._drop_after:
                del pending[self._drop_after :]
                self._drop_after, dropped = None, True
            elif self._drop_after is not None:
                self._drop_after -= len(pending)
            start = len(self.labels)
            self.labels.extend(pending)
            self.odometer += len(pending)
            if self.out_dir is not None:
                for number, item in enumerate(pending, start + 1):
                    (self.out_dir / f"label-{number:06d}.zpl").write_bytes(item)
                (self.out_dir / "odometer").write_text(str(self.odometer), encoding="utf-8")
            self._cond.notify_all()
        if self.on_label is not None:
            for number, item in enumerate(pending, start + 1):
                self.on_label(number, item)
        pending.clear()
        return dropped
