"""A Zebra printer on a real TCP port: ZPL in, labels recorded, ``~HS`` answered.

Tests start it on port 0 in a thread; ``labelsvc emulate-printer`` runs the same class in
the foreground. Each connection's stream is split into labels (``^XA`` ... ``^XZ``); every
complete label is kept in :attr:`PrinterEmulator.labels` in arrival order and, with an
output folder, written as ``label-000001.zpl``... A label cut off by a closed connection is
not printed, as on a real printer. Like a printer, it prints one connection at a time, in
the order they were accepted: a connection's labels wait until every earlier connection
has closed. ``~HS`` is answered at once from the profile, also when it arrives on the same
connection as label data or while another connection is printing.

The profile can change while it runs: call :meth:`set_profile`, or write a profile name
into the file ``<out>/profile`` (read at every ``~HS``), e.g.
``echo paper-out > var/emulator/profile``.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from labelsvc.printing.status import host_status_answer

# profile -> ~HS flags; None = stays silent, like a real printer with media out
PROFILES: dict[str, dict[str, bool] | None] = {
    "ok": {},
    "paper-out": {"paper_out": True},
    "head-open": {"head_open": True},
    "paused": {"paused": True},
    "ribbon-out": {"ribbon_out": True},
    "no-reply": None,
}
START, END, STATUS = b"^XA", b"^XZ", b"~HS"


class ZplStream:
    """Splits one connection's bytes into labels and ``~HS`` requests, in order."""

    def __init__(self) -> None:
        self.buf = bytearray()
        self.in_label = False
        self._scan_from = 0

    def feed(self, data: bytes) -> list[bytes]:
        """Add bytes; return complete items: a label, or ``b"~HS"`` for a status request."""
        self.buf += data
        out: list[bytes] = []
        while True:
            if self.in_label:
                end = self.buf.find(END, self._scan_from)
                if end < 0:
                    self._scan_from = max(len(START), len(self.buf) - len(END) + 1)
                    return out
                out.append(bytes(self.buf[: end + len(END)]))
                del self.buf[: end + len(END)]
                self.in_label = False
                continue
            start, status = self.buf.find(START), self.buf.find(STATUS)
            if status >= 0 and (start < 0 or status < start):
                out.append(STATUS)
                del self.buf[: status + len(STATUS)]
            elif start >= 0:
                del self.buf[:start]
                self.in_label, self._scan_from = True, len(START)
            else:
                del self.buf[: max(0, len(self.buf) - len(START) + 1)]
                return out


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
        on_label: Callable[[int, bytes], None] | None = None,
    ) -> None:
        self.host, self.port = host, port
        self.out_dir = out_dir
        self.recv_size = recv_size
        self.on_label = on_label
        self.labels: list[bytes] = []
        self.received: list[bytes] = []  # the raw bytes of each closed connection
        self.status_requests = 0
        self.stalled_connections = 0
        self._profile = "ok"
        self._cond = threading.Condition()
        self._stopping = threading.Event()
        self._stall = threading.Event()
        self._drop = threading.Event()
        self._sock: socket.socket | None = None
        self._threads: list[threading.Thread] = []
        self._accepted = 0
        self._open: set[int] = set()  # sequence numbers of connections not yet closed
        self.set_profile(profile)

    # -- control ---------------------------------------------------------------------
    def set_profile(self, name: str) -> None:
        """Change what ``~HS`` answers (also written to ``<out>/profile``)."""
        if name not in PROFILES:
            raise ValueError(f"unknown profile {name!r}; one of {', '.join(PROFILES)}")
        self._profile = name
        if self.out_dir is not None:
            self.out_dir.mkdir(parents=True, exist_ok=True)
            (self.out_dir / "profile").write_text(name + "\n", encoding="utf-8")

    @property
    def profile(self) -> str:
        """The current profile; the ``<out>/profile`` file wins when it names one."""
        if self.out_dir is not None:
            with contextlib.suppress(OSError):
                name = (self.out_dir / "profile").read_text(encoding="utf-8").strip()
                if name in PROFILES:
                    return name
        return self._profile

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
                if self._stall.is_set() and stream.in_label:
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
                    if item == STATUS:
                        self._answer_status(conn)
                    else:
                        pending.append(item)
                self._print(seq, pending, wait=False)
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
            while self._stall.is_set() and not self._stopping.is_set():
                if self._drop.is_set():
                    return False
                self._drop.wait(0.05)
            return True
        finally:
            with self._cond:
                self.stalled_connections -= 1
                self._cond.notify_all()

    def _answer_status(self, conn: socket.socket) -> None:
        self.status_requests += 1
        flags = PROFILES[self.profile]
        if flags is not None:
            with contextlib.suppress(OSError):
                conn.sendall(host_status_answer(**flags))

    def _print(self, seq: int, pending: list[bytes], *, wait: bool) -> None:
        """Record a connection's labels once every earlier connection has closed."""
        if not pending:
            return
        with self._cond:
            if wait:
                self._cond.wait_for(lambda: self._stopping.is_set() or min(self._open) == seq)
            if min(self._open) != seq:
                return
            start = len(self.labels)
            self.labels.extend(pending)
            if self.out_dir is not None:
                for number, item in enumerate(pending, start + 1):
                    (self.out_dir / f"label-{number:06d}.zpl").write_bytes(item)
            self._cond.notify_all()
        if self.on_label is not None:
            for number, item in enumerate(pending, start + 1):
                self.on_label(number, item)
        pending.clear()
