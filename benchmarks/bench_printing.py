"""Print queue throughput against the limit of the same printer in the same run.

The emulator runs in its own process, as a printer is its own device, and reports each
label it prints on stdout. The limit: 1,000 labels written by one bare socket to it. The
queue: the same 1,000 labels enqueued in one transaction (jobs of ``CHUNK_LABELS``), sent
by the workers with a ``~HS`` status check, a claim and a settle transaction per job.
Target: the queue reaches at least 80 % of the limit. Each figure is the best of
``ROUNDS`` interleaved runs (on a shared machine the best run is the least disturbed
one). For contrast it also measures one job per label.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from labelsvc.config import settings_from_dict
from labelsvc.services import print_queue
from labelsvc.services.app import App
from labelsvc.services.printers import sync_printers

LABELS = 1_000
ROUNDS = 5


def _labels(count: int) -> list[bytes]:
    """GS1-sized labels: text, a DataMatrix and a GS1-128, ~350 bytes each."""
    return [
        (
            f"^XA^CI28^PW812^LL609^FO40,30^A0N,34,34^FDDemo product 500 ml^FS"
            f"^FO40,80^A0N,26,26^FDGTIN 09506000134352  SN {n:010d}^FS"
            f"^FO40,130^BXN,6,200^FH^FD_1010950600013435221{n:010d}^FS"
            f"^FO300,130^BY2^BCN,120,Y,N,N^FD>;>801095060001343521>6{n:010d}^FS^XZ"
        ).encode()
        for n in range(count)
    ]


EMULATOR = (
    "import sys\n"
    "from labelsvc.printing.emulator import PrinterEmulator\n"
    "def show(n, label):\n"
    "    sys.stdout.write(f'{n}\\n'); sys.stdout.flush()\n"
    "emu = PrinterEmulator(on_label=show).start()\n"
    "print(f'port {emu.port}', flush=True)\n"
    "sys.stdin.read()\n"
)


class Emulator:
    """The emulator subprocess and the count of labels it has printed."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", EMULATOR],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        self.port = int(self.proc.stdout.readline().split()[1])
        self.count = 0
        self._cond = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            with self._cond:
                self.count = int(line)
                self._cond.notify_all()

    def wait(self, count: int) -> None:
        with self._cond:
            if not self._cond.wait_for(lambda: self.count >= count, timeout=120):
                raise RuntimeError(f"emulator printed {self.count} of {count} labels")

    def stop(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=10)


def _bare(emulator: Emulator, labels: list[bytes]) -> float:
    start, target = time.perf_counter(), emulator.count + len(labels)
    with socket.create_connection(("127.0.0.1", emulator.port)) as sock:
        sock.sendall(b"".join(labels))
    emulator.wait(target)
    return len(labels) / (time.perf_counter() - start)


def _queued(app: App, emulator: Emulator, labels: list[bytes], chunk: int) -> float:
    start, target = time.perf_counter(), emulator.count + len(labels)
    with app.store.write() as tx:
        print_queue.enqueue_labels(
            tx,
            printer="bench",
            template="bench",
            labels=labels,
            requested_by="system:bench",
            chunk=chunk,
        )
    print_queue.notify(app, "bench")
    emulator.wait(target)
    return len(labels) / (time.perf_counter() - start)


def run() -> list[tuple[str, str]]:
    """Measure and return (figure, value) rows."""
    labels = _labels(LABELS)
    emulator = Emulator()
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        (base / "printers").mkdir()
        (base / "printers" / "bench.toml").write_text(
            f'driver = "tcp9100"\naddress = "127.0.0.1:{emulator.port}"\n'
        )
        app = App.open(settings_from_dict({}, "bench", base))
        sync_printers(app)
        workers = print_queue.WorkerSet(app, poll_seconds=0.5).start()
        try:
            _bare(emulator, labels[:100])  # warm up both paths
            _queued(app, emulator, labels[:100], print_queue.CHUNK_LABELS)
            bare, queued = [], []
            for _ in range(ROUNDS):  # interleaved, so load from elsewhere hits both alike
                bare.append(_bare(emulator, labels))
                queued.append(_queued(app, emulator, labels, print_queue.CHUNK_LABELS))
            single = _queued(app, emulator, labels[:200], 1)
        finally:
            workers.stop()
            app.store.close()
            emulator.stop()
    limit, got = max(bare), max(queued)  # best of ROUNDS: the least disturbed run
    return [
        ("labels per batch", str(LABELS)),
        ("bare socket to emulator (limit), labels/s", f"{limit:,.0f}"),
        (f"queue, jobs of {print_queue.CHUNK_LABELS} labels, labels/s", f"{got:,.0f}"),
        ("queue / limit", f"{got / limit:.0%} (target >= 80%)"),
        ("queue, one job per label (200 labels), labels/s", f"{single:,.0f}"),
    ]


if __name__ == "__main__":
    for figure, value in run():
        print(f"{figure:<52} {value}")
