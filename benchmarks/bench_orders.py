"""Order pick scans under load: 8 clients against a live ``labelsvc serve`` (waitress).

Each client is its own process with one keep-alive connection and its own order; it
alternates a pick scan (a unit checked against its order and recorded) with a pack scan
(another unit into an open case: the reference, the same kind of one-row write measured in
the same run, interleaved). Reported: p50/p99 of each, their ratio, and errors (must be 0).

    .venv/bin/python benchmarks/bench_orders.py [seconds]
"""

from __future__ import annotations

import json
import multiprocessing
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench_api import CLIENTS, GTIN, Client, _setup, _wait_up
from common import percentile

from labelsvc.printing.emulator import PrinterEmulator

Job = tuple[int, int, dict[str, str], list[str], float]
ROUNDS = 2  # the whole run repeated, each round with its own orders and units
KINDS = ("pick-scan", "pack-scan")


def _client(args: Job) -> dict[str, Any]:
    """One client: its order, then pick and pack scans in turn until the time is up."""
    number, port, tokens, units, seconds = args
    client = Client(port, tokens)
    half = len(units) // 2
    picks, packs = units[:half], units[half:]
    order = f"SO-BENCH-{number}"  # number counts across rounds
    status, body = client.call("POST", "/orders", "pack", {
        "reference": order, "customer": f"C{number}",
        "lines": [{"gtin": GTIN, "quantity": half}]})  # fmt: skip
    errors = [] if status == 201 else [f"order: {status} {body}"]
    times: dict[str, list[float]] = {k: [] for k in KINDS}
    case, in_case = None, 0
    end = time.monotonic() + seconds
    while time.monotonic() < end and picks and packs:
        if case is None or in_case == 12:
            status, body = client.call("POST", "/containers", "pack", {"level": "case"})
            if status != 201:
                errors.append(f"open case: {status} {body}")
                break
            case, in_case = body["sscc"], 0
        for kind in KINDS:
            serial = (picks if kind == "pick-scan" else packs).pop()
            path = f"/orders/{order}/picks" if kind == "pick-scan" else f"/containers/{case}/items"
            field = "code" if kind == "pick-scan" else "item"
            started = time.perf_counter()
            status, body = client.call("POST", path, "pack", {field: f"(01){GTIN}(21){serial}"})
            times[kind].append(time.perf_counter() - started)
            if status != 200:
                errors.append(f"{kind}: {status} {body}")
        in_case += 1
    return {"times": times, "errors": errors}


def _in_processes(jobs: list[Job]) -> list[Any]:
    """Each client in a forked process; their results through a queue."""
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    processes = [context.Process(target=lambda j=j: queue.put(_client(j))) for j in jobs]
    for process in processes:
        process.start()
    results = [queue.get(timeout=jobs[0][4] + 120) for _ in processes]
    for process in processes:
        process.join(30)
    return results


def run(seconds: float = 20.0) -> list[tuple[str, str]]:
    """Start the stack, run the clients, return the figures."""
    folder = Path(tempfile.mkdtemp(prefix="labelsvc-bench-orders-"))
    emulator = PrinterEmulator().start()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config, tokens = _setup(folder, emulator.port, port)  # its [limits] lift the rate limit
    server = subprocess.Popen([sys.executable, "-m", "labelsvc", "--config", str(config),
                               "serve"], cwd=folder, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        _wait_up(f"http://127.0.0.1:{port}", server)
        units = json.loads((folder / "units.json").read_text())
        rounds, elapsed = [], 0.0
        for r in range(ROUNDS):
            share = units[r::ROUNDS]
            jobs = [(r * CLIENTS + n, port, tokens, share[n::CLIENTS], seconds / ROUNDS)
                    for n in range(CLIENTS)]  # fmt: skip
            started = time.perf_counter()
            rounds.append(_in_processes(jobs))
            elapsed += time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(20)
        emulator.stop()
        shutil.rmtree(folder, ignore_errors=True)
    results = [c for found in rounds for c in found]
    merged = {k: [t for r in results for t in r["times"][k]] for k in KINDS}
    errors = [e for r in results for e in r["errors"]]
    rows = [(f"orders: {CLIENTS} clients x {seconds:.0f} s, errors (must be 0)",
             str(len(errors)) + (f" e.g. {errors[0]}" if errors else ""))]  # fmt: skip
    for kind in KINDS:
        samples = merged[kind]
        rows.append((f"orders: {kind} requests/s", f"{len(samples) / elapsed:,.1f}"))
        rows.append((f"orders: {kind} p50 / p99 ms",
                     f"{percentile(samples, 50) * 1000:.1f} / "
                     f"{percentile(samples, 99) * 1000:.1f}"
                     + ("  (reference)" if kind == "pack-scan" else "")))  # fmt: skip
    for n, found in enumerate(rounds, 1):
        pick = [t for c in found for t in c["times"]["pick-scan"]]
        pack = [t for c in found for t in c["times"]["pack-scan"]]
        rows.append((f"orders round {n}: pick-scan / pack-scan, p50 and p99 (interleaved)",
                     f"{percentile(pick, 50) / percentile(pack, 50):.2f}x / "
                     f"{percentile(pick, 99) / percentile(pack, 99):.2f}x"))  # fmt: skip
    return rows


if __name__ == "__main__":
    for name, value in run(float(sys.argv[1]) if len(sys.argv) > 1 else 20.0):
        print(f"{name:<62} {value}")
