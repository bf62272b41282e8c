"""Scan pages in Chromium: Enter-to-outcome on a small and a large receipt, same run.

A live ``labelsvc serve`` and Debian's Chromium (Playwright) type 200 scans as a wedge
scanner does into the receiving page of a receipt that already holds 10 scans and of one
that holds 5,000; the time from the Enter key to the outcome on screen is measured in the
page (keydown to the outcome's insertion). The reference is the same page's
``fetch('/api/v1/health')``: the floor of one round trip through the browser and server.
Target: the large receipt within 1.5x of the small one (flat cost per scan).

    .venv/bin/python benchmarks/run.py scan_pages
"""

from __future__ import annotations

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
from labelsvc.domain.actors import Actor
from labelsvc.services.app import App
from labelsvc.services.receipt_files import read_receipt_file
from labelsvc.services.receiving import load_receipt, receive_scan

ROOT = Path(__file__).resolve().parents[1]
GTIN = "09506000134352"
SCANS = 200
SIZES = (("small", 10), ("large", 5000))
ACTOR = Actor(name="bench", kind="user", role="admin", station="bench")
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]  # fmt: skip
PROBE = """() => {
  window.__lat = [];
  const box = document.querySelector('#scan'), out = document.querySelector('#scan-results');
  let started = [];
  box.addEventListener('keydown', e => { if (e.key === 'Enter') started.push(performance.now()); },
                       true);
  new MutationObserver(ms => { for (const m of ms) for (const n of m.addedNodes)
    if (n.dataset && n.dataset.outcome && started.length)
      window.__lat.push(performance.now() - started.shift()); })
    .observe(out, {childList: true});
}"""
HEALTH = """async (n) => { const t = [];
  for (let i = 0; i < n; i++) { const s = performance.now();
    await (await fetch('/api/v1/health', {cache: 'no-store'})).text();
    t.push(performance.now() - s); }
  return t; }"""


def _setup(folder: Path, port: int) -> Path:
    """Config, database and the two receipts with their earlier scans (before the clock)."""
    for name in ("serial_pools", "printers", "zpl"):
        shutil.copytree(ROOT / name, folder / name)
    config = folder / "config.toml"
    config.write_text(f"[server]\nport = {port}\nthreads = 4\n", encoding="utf-8")
    subprocess.run([sys.executable, "-m", "labelsvc", "--config", str(config), "init",
                    "--admin-password", "bench-password"], check=True, capture_output=True,
                   cwd=folder)  # fmt: skip
    app = App.open(load_settings(config))
    for name, earlier in SIZES:
        path = folder / f"{name}.csv"
        path.write_text("reference,line,gtin,quantity\n"
                        f"BENCH-{name.upper()},1,{GTIN},{earlier + SCANS + 10}\n")  # fmt: skip
        load_receipt(app, read_receipt_file(path), actor=ACTOR)
        for n in range(earlier):
            receive_scan(app, f"BENCH-{name.upper()}", f"]d201{GTIN}21E{n:06d}", actor=ACTOR)
    app.store.close()
    return config


def _wait_up(url: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("labelsvc serve exited")
        try:
            with urllib.request.urlopen(url + "/api/v1/health", timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("labelsvc serve did not answer")


def _wait_js(page: Any, expression: str, timeout: float = 30.0) -> None:
    """Poll ``expression`` until true: ``wait_for_function`` evals in the page, which the
    pages' Content-Security-Policy (no ``unsafe-eval``) forbids; ``evaluate`` does not."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise RuntimeError(f"still false after {timeout:g} s: {expression}")
        time.sleep(0.002)


def _measure(url: str) -> dict[str, list[float]]:
    from playwright.sync_api import sync_playwright

    found: dict[str, list[float]] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(base_url=url)
        page.goto("/login")
        page.fill("input[name=name]", "admin")
        page.fill("input[name=password]", "bench-password")
        page.click("button[type=submit]")
        page.wait_for_load_state()
        for name, _ in SIZES:
            page.goto(f"/receiving/BENCH-{name.upper()}")
            _wait_js(page, "!!(document.querySelector('#scan') || {}).scanBox")
            _wait_js(page, "document.querySelector('#scan').dataset.pending === '0'")
            page.evaluate(PROBE)
            for n in range(SCANS):
                page.keyboard.type(f"]d201{GTIN}21N{name[0]}{n:05d}\n")
                _wait_js(page, f"window.__lat.length > {n}")
            found[name] = [float(v) for v in page.evaluate("window.__lat")]
            found[f"health-{name}"] = [float(v) for v in page.evaluate(HEALTH, SCANS)]
        browser.close()
    return found


def run() -> list[tuple[str, str]]:
    """Start the stack, type the scans, return the figures."""
    folder = Path(tempfile.mkdtemp(prefix="labelsvc-bench-scan-"))
    with __import__("socket").socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = _setup(folder, port)
    server = subprocess.Popen([sys.executable, "-m", "labelsvc", "--config", str(config),
                               "serve"], cwd=folder, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        _wait_up(f"http://127.0.0.1:{port}", server)
        found = _measure(f"http://127.0.0.1:{port}")
    finally:
        server.terminate()
        server.wait(20)
        shutil.rmtree(folder, ignore_errors=True)
    rows = []
    for name, earlier in SIZES:
        lat, health = found[name], found[f"health-{name}"]
        rows.append((f"scan page: Enter to outcome, receipt of {earlier:,} scans (p50 / p99)",
                     f"{percentile(lat, 50):.1f} / {percentile(lat, 99):.1f} ms"))  # fmt: skip
        health_ms = f"{percentile(health, 50):.1f} / {percentile(health, 99):.1f} ms"
        rows.append(("  reference: same page's /api/v1/health fetch (p50 / p99)", health_ms))
    ratio = percentile(found["large"], 50) / percentile(found["small"], 50)
    rows.append(("scan page: large / small receipt, p50 (target <= 1.5x)", f"{ratio:.2f}x"))
    return rows


if __name__ == "__main__":
    for figure, value in run():
        print(f"{figure:<70} {value}")
