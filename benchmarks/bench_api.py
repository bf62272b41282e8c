"""The WMS API under load: 8 clients for 30 s against a live ``labelsvc serve`` (waitress).

Each client is its own process with one keep-alive connection and mixes label requests
(2 labels of the demo product, printed to a Zebra emulator by a print worker process),
pack scans (a unit into a case; every 12th scan closes the case, which prints its SSCC
label) and trace look-ups (a packed unit with its hierarchy). Reported: requests/s,
p50/p99 per kind, errors (must be 0) and the server's peak memory (VmHWM).
Target: pack-scan p99 under 50 ms.

    .venv/bin/python benchmarks/bench_api.py [seconds]
"""

from __future__ import annotations

import http.client
import json
import multiprocessing
import random
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from common import percentile

from labelsvc.config import load_settings
from labelsvc.domain.actors import SYSTEM
from labelsvc.printing.emulator import PrinterEmulator
from labelsvc.services.allocation import allocate
from labelsvc.services.app import App
from labelsvc.services.users import create_token

ROOT = Path(__file__).resolve().parents[1]
CLIENTS = 8
UNITS_PER_CLIENT = 4000
GTIN = "09506000134352"
WEIGHTS = (("pack-scan", 0.6), ("trace", 0.25), ("label", 0.15), ("health", 0.1))
REFERENCE = "health"
PACED_RATE = 10.0  # requests/s per client in the paced run: 80/s in all, ~10x a busy dock


def _cli(config: Path, *args: str) -> None:
    subprocess.run([sys.executable, "-m", "labelsvc", "--config", str(config), *args],
                   check=True, capture_output=True, cwd=config.parent)  # fmt: skip


def _setup(folder: Path, emulator_port: int, port: int) -> tuple[Path, dict[str, str]]:
    """Config, database, tokens and each client's units (allocated before the clock runs)."""
    for name in ("serial_pools", "zpl"):
        shutil.copytree(ROOT / name, folder / name)
    (folder / "printers").mkdir()
    (folder / "printers" / "dock.toml").write_text(
        f'driver = "tcp9100"\naddress = "127.0.0.1:{emulator_port}"\n', encoding="utf-8"
    )
    config = folder / "config.toml"
    config.write_text(
        f'[server]\nport = {port}\nthreads = 8\n[printing]\ndefault_printer = "dock"\n'
        "[limits]\napi_requests_per_second = 0\n",  # 8 clients share each token: load, not abuse
        encoding="utf-8",
    )
    _cli(config, "init", "--admin-password", "bench-password")
    app = App.open(load_settings(config))
    tokens = {
        "label": create_token(app.store, "bench-label", ["label"], SYSTEM).secret,
        "pack": create_token(app.store, "bench-pack", ["pack", "label"], SYSTEM).secret,
        "read": create_token(app.store, "bench-read", ["read"], SYSTEM).secret,
    }
    units = allocate(app.store, "demo-units", CLIENTS * UNITS_PER_CLIENT, actor=SYSTEM).serials
    (folder / "units.json").write_text(json.dumps(units), encoding="utf-8")
    app.store.close()
    return config, tokens


class Client:
    """One keep-alive HTTP connection with bearer tokens."""

    def __init__(self, port: int, tokens: dict[str, str]) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.tokens = tokens

    def call(self, method: str, path: str, token: str, body: Any = None) -> tuple[int, Any]:
        headers = {"Authorization": f"Bearer {self.tokens[token]}"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        self.conn.request(method, "/api/v1" + path, body=data, headers=headers)
        response = self.conn.getresponse()
        return response.status, json.loads(response.read() or b"null")


Job = tuple[int, int, dict[str, str], list[str], float, float]


def _client(args: Job) -> dict[str, Any]:
    """One client's loop (as fast as it can, or ``rate`` requests/s); latencies and errors."""
    number, port, tokens, units, seconds, rate = args
    rng = random.Random(number)
    client = Client(port, tokens)
    times: dict[str, list[float]] = {kind: [] for kind, _ in WEIGHTS}
    times["case-close"] = []
    errors: list[str] = []
    packed: list[str] = []
    case, in_case = None, 0
    end = time.monotonic() + seconds
    next_at = time.monotonic()
    while time.monotonic() < end:
        if rate:
            next_at += rng.expovariate(rate)  # Poisson arrivals, like independent stations
            time.sleep(max(0.0, next_at - time.monotonic()))
        kind = rng.choices([k for k, _ in WEIGHTS], [w for _, w in WEIGHTS])[0]
        if (kind == "trace" and not packed) or (kind == "pack-scan" and not units):
            kind = "label"
        if kind == "pack-scan" and case is None:
            status, body = client.call("POST", "/containers", "pack", {"level": "case"})
            case, in_case = body["sscc"], 0
        started = time.perf_counter()
        if kind == "label":
            status, body = client.call("POST", "/labels", "label",
                                       {"product": "DEMO-WIDGET", "count": 2})  # fmt: skip
            ok = status == 201
        elif kind == REFERENCE:
            status, body = client.call("GET", "/health", "read")
            ok = status == 200
        elif kind == "trace":
            code = f"(01){GTIN}(21){rng.choice(packed)}"
            status, body = client.call("GET", f"/serials/{code}/hierarchy", "read")
            ok = status == 200 and len(body["ancestors"]) == 1
        else:
            serial = units.pop()
            status, body = client.call("POST", f"/containers/{case}/items", "pack",
                                       {"item": f"(01){GTIN}(21){serial}"})  # fmt: skip
            ok = status == 200
            packed.append(serial)
            in_case += 1
        times[kind].append(time.perf_counter() - started)
        if not ok:
            errors.append(f"{kind}: {status} {body}")
        if kind == "pack-scan" and in_case == 12:
            started = time.perf_counter()
            status, body = client.call("POST", f"/containers/{case}/close", "pack", {})
            times["case-close"].append(time.perf_counter() - started)
            if status != 200:
                errors.append(f"case-close: {status} {body}")
            case = None
    return {"times": times, "errors": errors}


def _in_processes(jobs: list[Job]) -> list[Any]:
    """Run each client in a forked process (no pickling of the function: run.py-safe)."""
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    processes = [context.Process(target=lambda j=j: queue.put(_client(j))) for j in jobs]
    for process in processes:
        process.start()
    results = [queue.get(timeout=jobs[0][4] + 120) for _ in processes]
    for process in processes:
        process.join(30)
    return results


def _drained(emulator: PrinterEmulator, quiet: float = 2.0, limit: float = 180.0) -> None:
    """Wait until the emulator has received nothing new for ``quiet`` seconds."""
    deadline = time.monotonic() + limit
    seen, since = -1, time.monotonic()
    while time.monotonic() < deadline:
        count = len(emulator.labels)
        if count != seen:
            seen, since = count, time.monotonic()
        elif time.monotonic() - since >= quiet:
            return
        time.sleep(0.2)


def _wait_up(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("labelsvc serve exited")
        try:
            with urllib.request.urlopen(url + "/api/v1/health", timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("labelsvc serve did not answer")


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def run(seconds: float = 30.0) -> list[tuple[str, str]]:
    """Start the stack; load it flat out, then paced, ``seconds`` each; return the figures."""
    folder = Path(tempfile.mkdtemp(prefix="labelsvc-bench-api-"))
    emulator = PrinterEmulator().start()
    with __import__("socket").socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config, tokens = _setup(folder, emulator.port, port)
    server = subprocess.Popen([sys.executable, "-m", "labelsvc", "--config", str(config),
                               "serve"], cwd=folder, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)  # fmt: skip
    rows: list[tuple[str, str]] = []
    try:
        _wait_up(f"http://127.0.0.1:{port}", server)
        units = json.loads((folder / "units.json").read_text())
        for label, rate in (("flat out", 0.0), (f"paced {PACED_RATE:.0f}/s/client", PACED_RATE)):
            half = len(units) // 2
            mine, units = (units[:half], units[half:]) if rate == 0.0 else (units, [])
            jobs = [(n, port, tokens, mine[n::CLIENTS], seconds, rate) for n in range(CLIENTS)]
            started = time.perf_counter()
            results = _in_processes(jobs)
            rows += _figures(results, time.perf_counter() - started, label, seconds)
            _drained(emulator)  # the next phase starts with an idle print queue
        rows.append(("api: labels received by the printer emulator", f"{len(emulator.labels):,}"))
        rows.append(("api: server peak memory (VmHWM)", f"{_peak_rss_mb(server.pid):,.0f} MB"))
    finally:
        server.terminate()
        server.wait(20)
        emulator.stop()
        shutil.rmtree(folder, ignore_errors=True)
    return rows


def _figures(results: list[dict[str, Any]], elapsed: float, label: str,
             seconds: float) -> list[tuple[str, str]]:  # fmt: skip
    kinds = [k for k, _ in WEIGHTS] + ["case-close"]
    merged = {k: [t for r in results for t in r["times"][k]] for k in kinds}
    errors = [e for r in results for e in r["errors"]]
    total = sum(len(v) for v in merged.values())
    rows = [
        (f"api {label}: {CLIENTS} clients x {seconds:.0f} s, requests/s (all kinds)",
         f"{total / elapsed:,.0f}"),
        (f"api {label}: errors (must be 0)",
         str(len(errors)) + (f" e.g. {errors[0]}" if errors else "")),
    ]  # fmt: skip
    floor = percentile(merged[REFERENCE], 50)
    for kind in kinds:
        samples = merged[kind]
        name = f"{kind} (reference)" if kind == REFERENCE else kind
        p50 = percentile(samples, 50)
        target = "  (target p99 < 50)" if kind == "pack-scan" else ""
        ratio = "" if kind == REFERENCE else f"  ({p50 / floor:.1f}x health p50)"
        rows.append((f"api {label}: {name} requests/s", f"{len(samples) / elapsed:,.1f}"))
        p99 = percentile(samples, 99)
        rows.append((f"api {label}: {name} p50 / p99 ms",
                     f"{p50 * 1000:.1f} / {p99 * 1000:.1f}{target}{ratio}"))  # fmt: skip
    return rows


if __name__ == "__main__":
    for name, value in run(float(sys.argv[1]) if len(sys.argv) > 1 else 30.0):
        print(f"{name:<58} {value}")
