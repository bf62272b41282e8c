"""End-to-end printing beside the limit of the same printer, measured in the same run.

The path measured is the whole one a WMS sees: ``POST /api/v1/labels`` over HTTP to a live
``labelsvc serve`` (waitress, its own print workers) → allocation → the queue → the worker
(``~HS``, label counter, claim, render, stream) → TCP 9100 → the emulator, which runs in its
own process (a printer is its own device) and reports each label it has taken in whole. The
clock runs from just before the request is sent to the moment the emulator reports the last
label (its last byte received); time to first label ends when it reports the first.

The limit: a bare socket sending the very same bytes (the job's stored payload) to the same
emulator. Sizes 10, 100 and 1,000 labels, each ``ROUNDS`` times, API and bare interleaved so
load from elsewhere hits both alike; the best round of each is compared (on a shared machine
the best run is the least disturbed one). Target: API >= 0.8 x bare for 1,000 labels. For
scale: a Zebra ZT411 prints about 14 one-inch labels a second at 203 dpi.

    .venv/bin/python benchmarks/bench_printing.py
"""

from __future__ import annotations

import http.client
import json
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from common import percentile

from labelsvc.config import load_settings
from labelsvc.domain.actors import SYSTEM
from labelsvc.services.app import App
from labelsvc.services.users import create_token

ROOT = Path(__file__).resolve().parents[1]
SIZES = (10, 100, 1000)
ROUNDS = 5
ZT411_LABELS_PER_SECOND = 14
ANSWERED: dict[int, list[float]] = {}  # seconds until the API answered, by request size

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
    """The emulator subprocess; when it reported its first and latest label."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", EMULATOR], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        assert self.proc.stdout is not None
        self.port = int(self.proc.stdout.readline().split()[1])
        self.count = 0
        self.times: dict[int, float] = {}
        self._cond = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            at = time.perf_counter()
            with self._cond:
                self.count = int(line)
                self.times[self.count] = at
                self._cond.notify_all()

    def wait(self, count: int) -> float:
        """Block until label ``count`` arrived; when it did."""
        with self._cond:
            if not self._cond.wait_for(lambda: self.count >= count, timeout=120):
                raise RuntimeError(f"emulator printed {self.count} of {count} labels")
            return self.times[count]

    def stop(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=10)


def _setup(folder: Path, emulator_port: int) -> tuple[Path, subprocess.Popen[bytes], str]:
    for name in ("serial_pools", "zpl"):
        shutil.copytree(ROOT / name, folder / name)
    (folder / "printers").mkdir()
    (folder / "printers" / "bench.toml").write_text(
        f'driver = "tcp9100"\naddress = "127.0.0.1:{emulator_port}"\n', encoding="utf-8"
    )
    (folder / "printers" / "bench-df.toml").write_text(
        f'driver = "tcp9100"\naddress = "127.0.0.1:{emulator_port}"\nstored_formats = true\n',
        encoding="utf-8",
    )
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = folder / "config.toml"
    config.write_text(
        f'[server]\nport = {port}\nthreads = 4\n[printing]\ndefault_printer = "bench"\n'
        "status_poll_seconds = 3600.0\n[limits]\napi_requests_per_second = 0.0\n",
        encoding="utf-8",
    )
    run = [sys.executable, "-m", "labelsvc", "--config", str(config)]
    subprocess.run([*run, "init", "--admin-password", "bench-password"], check=True,
                   capture_output=True, cwd=folder)  # fmt: skip
    app = App.open(load_settings(config))
    token = create_token(app.store, "bench-label", ["label", "read"], SYSTEM).secret
    app.store.close()
    server = subprocess.Popen([*run, "serve"], cwd=folder, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)  # fmt: skip
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            time.sleep(0.1)
    return config, server, f"{port} {token}"


class Client:
    """One keep-alive HTTP connection, as a WMS keeps."""

    def __init__(self, port: int, token: str) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.token = token

    def labels(self, count: int, printer: str = "bench") -> dict[str, Any]:
        body = json.dumps({"product": "DEMO-WIDGET", "count": count, "printer": printer})
        body = body.encode()
        headers = {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}
        self.conn.request("POST", "/api/v1/labels", body=body, headers=headers)
        response = self.conn.getresponse()
        data = json.loads(response.read())
        if response.status != 201:
            raise RuntimeError(f"POST /labels answered {response.status}: {data}")
        return dict(data)


def _api(
    client: Client, emulator: Emulator, count: int, printer: str = "bench"
) -> tuple[float, float, list[int]]:
    """(labels/s, seconds to the first label, job ids) of one request."""
    base = emulator.count
    start = time.perf_counter()
    made = client.labels(count, printer)
    ANSWERED.setdefault(count, []).append(time.perf_counter() - start)
    first = emulator.wait(base + 1)
    last = emulator.wait(base + count)
    return count / (last - start), first - start, list(made["jobs"])


def _bare(emulator: Emulator, payload: bytes, count: int) -> float:
    base = emulator.count
    start = time.perf_counter()
    with socket.create_connection(("127.0.0.1", emulator.port)) as sock:
        sock.sendall(payload)
    return count / (emulator.wait(base + count) - start)


def _payload(config: Path, job_ids: list[int]) -> bytes:
    """The bytes the worker sent for these jobs (stored with each job once sent)."""
    app = App.open(load_settings(config))
    try:
        for _ in range(200):
            with app.store.read() as tx:
                jobs = [tx.jobs.get(i) for i in job_ids]
                if all(j is not None and j.state == "printed" for j in jobs):
                    return b"".join(tx.jobs.payload(i) for i in job_ids)
            time.sleep(0.05)
        raise RuntimeError(f"jobs {job_ids} were not printed")
    finally:
        app.store.close()


def run() -> list[tuple[str, str]]:
    """Measure and return (figure, value) rows."""
    emulator = Emulator()
    folder = Path(tempfile.mkdtemp(prefix="labelsvc-bench-print-"))
    config, server, conn = _setup(folder, emulator.port)
    port, token = conn.split()
    client = Client(int(port), token)
    api: dict[int, list[float]] = {n: [] for n in SIZES}
    bare: dict[int, list[float]] = {n: [] for n in SIZES}
    first: list[float] = []
    sizes: dict[int, int] = {}
    stored: list[float] = []
    stored_bytes = 0
    try:
        _, _, warm = _api(client, emulator, 10)  # warm up: templates, connections
        _payload(config, warm)
        for _ in range(ROUNDS):
            for count in SIZES:
                rate, ttfl, jobs = _api(client, emulator, count)
                api[count].append(rate)
                first.append(ttfl)
                payload = _payload(config, jobs)  # settled: the printer confirmed them
                sizes[count] = len(payload)
                bare[count].append(_bare(emulator, payload, count))
            rate, _, jobs = _api(client, emulator, 1000, "bench-df")
            stored.append(rate)
            stored_bytes = len(_payload(config, jobs))
    finally:
        server.terminate()
        server.wait(timeout=30)
        emulator.stop()
        shutil.rmtree(folder, ignore_errors=True)
    rows = []
    for count in SIZES:
        got, limit = max(api[count]), max(bare[count])
        target = " (target >= 0.8)" if count == 1000 else ""
        rows.append((f"{count:>5} labels: API end to end / bare socket, labels/s",
                     f"{got:,.0f} / {limit:,.0f} = {got / limit:.2f}x{target}"))  # fmt: skip
    rows += [
        ("time to first label, p50 / p99 (all requests)",
         f"{percentile(first, 50) * 1000:.1f} / {percentile(first, 99) * 1000:.1f} ms"
         " (target < 100 ms)"),
        ("where 1000 labels spend it: API answer (allocate + queue), best",
         f"{min(ANSWERED[1000]) * 1000:.1f} ms of {1000 / max(api[1000]) * 1000:.1f} ms"),
        ("bytes per label (unit 2x1 in, ZPL, no stored format)",
         f"{sizes[1000] / 1000:,.0f}"),
        ("bytes per label with a stored format (^DF once, ^XF + fields)",
         f"{stored_bytes / 1000:,.0f}"),
        (" 1000 labels with stored formats: API end to end, labels/s", f"{max(stored):,.0f}"),
        ("for scale: a ZT411 prints, labels/s", f"{ZT411_LABELS_PER_SECOND}"),
    ]  # fmt: skip
    return rows


if __name__ == "__main__":
    for figure, value in run():
        print(f"{figure:<58} {value}")
