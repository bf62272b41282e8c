"""Helpers of the browser tests: a live server whose printer is a Zebra emulator, Chromium,
logging in, typing like a wedge scanner, decoding what the printer received, screenshots."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import zxingcpp

# shared with every test folder (tests/livekit.py); re-exported for this folder's tests
from livekit import need_tool as need_tool
from livekit import start_live_server as start_live_server
from playwright.sync_api import Browser, BrowserContext, Page, expect

from labelsvc.config import load_settings
from labelsvc.labels.preview import interpret
from labelsvc.printing.emulator import PrinterEmulator
from labelsvc.services.app import App

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run",
]  # fmt: skip
GTIN = "09506000134352"  # the demo product: 12 units per case, 2 cases per pallet
GS = "\x1d"


@dataclass
class Stack:
    """A live ``labelsvc serve`` (with its print workers) printing to an emulator."""

    server: Any  # tests/conftest.py LiveServer
    emulator: PrinterEmulator
    app: App  # the same database, opened by the test for checks

    @property
    def url(self) -> str:
        return str(self.server.url)

    def cli(self, *args: str) -> str:
        """Run a CLI command against the server's database; fail the test if it fails."""
        done = self.server.cli(*args)
        assert done.returncode == 0, done.stderr
        return str(done.stdout)

    def load_receipt(self, receipt: dict[str, Any]) -> None:
        """Push an ASN the way a WMS import would (here through the CLI)."""
        path = self.server.project / f"{receipt['reference']}.json"
        path.write_text(json.dumps(receipt), encoding="utf-8")
        self.cli("receipts", "load", str(path))

    def stop(self) -> None:
        self.server.stop()
        self.emulator.stop()

    def restart_server(self) -> None:
        """Start ``labelsvc serve`` again on the same port and database (after a stop)."""
        self.server.stop()
        server = self.server
        server.process = subprocess.Popen(
            [sys.executable, "-m", "labelsvc", "--config", str(server.config), "serve"],
            stdout=server.log.open("ab"), stderr=subprocess.STDOUT, cwd=server.project,
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(server.url + "/api/v1/health", timeout=1) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"labelsvc serve did not come back: {server.log.read_text()}")


def start_stack(project: Path, gs_substitute: str = "~") -> Stack:
    """The emulator first, a printer file pointing at it, then the server."""
    for folder in ("serial_pools", "zpl"):
        shutil.copytree(ROOT / folder, project / folder, dirs_exist_ok=True)
    emulator = PrinterEmulator(out_dir=project / "emulator").start()
    (project / "printers").mkdir(exist_ok=True)
    (project / "printers" / "dock.toml").write_text(
        f'driver = "tcp9100"\naddress = "127.0.0.1:{emulator.port}"\ndpi = 203\n'
        'connect_timeout = 2.0\ndescription = "Dock printer (emulator)"\n',
        encoding="utf-8",
    )
    server = start_live_server(
        project,
        {"printing": {"default_printer": "dock"}, "gs1": {"gs_substitute": gs_substitute}},
    )
    return Stack(server, emulator, App.open(load_settings(server.config)))


def login(browser: Browser, url: str, name: str, password: str) -> tuple[BrowserContext, Page]:
    """A fresh browser context (its own cookies) logged in as ``name``."""
    context = browser.new_context(viewport={"width": 1366, "height": 900}, base_url=url)
    page = context.new_page()
    page.goto("/login")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    expect(page.locator("header .who")).to_contain_text(name)
    return context, page


def wait_js(page: Page, expression: str, arg: Any = None, timeout: float = 30_000) -> None:
    """Poll a JavaScript expression until it is true.

    Playwright's ``wait_for_function`` evaluates its predicate with ``eval`` inside the page,
    which the pages' Content-Security-Policy (no ``unsafe-eval``) rightly forbids;
    ``evaluate`` goes through the DevTools protocol and is not affected.
    """
    deadline = time.monotonic() + timeout / 1000
    while not page.evaluate(expression, arg):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout / 1000:g} s: {expression}")
        time.sleep(0.05)


def ready(page: Page, box: str = "#scan") -> None:
    """Wait until the page's scan box is wired up (scan.js loaded) and has the focus."""
    wait_js(page, f"!!(document.querySelector('{box}') || {{}}).scanBox")
    expect(page.locator(box)).to_be_focused()


def scan(page: Page, text: str) -> None:
    """Type a code the way a keyboard-wedge scanner does: fast, ending with Enter."""
    page.keyboard.type(text + "\n")


def wedge(page: Page, text: str, delay: float = 2) -> None:
    """Type a code as a wedge scanner does wherever the focus is: a few ms per key, Enter."""
    page.keyboard.type(text + "\n", delay=delay)


def wait_idle(page: Page) -> None:
    """Wait until the scan box has no scan waiting or in flight."""
    wait_js(
        page, "document.querySelector('#scan').getAttribute('data-pending') === '0'", timeout=20_000
    )


def outcomes(page: Page) -> list[tuple[str, str]]:
    """The scan answers on the page, oldest first: (ok|reject, text)."""
    found = page.eval_on_selector_all(
        "#scan-results .outcome",
        "els => els.map(e => [e.dataset.outcome, e.innerText])",
    )
    return [(a, b) for a, b in reversed(found)]


AXE = ROOT / "tests" / "ui" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
AXE_IMPACTS = ("serious", "critical")


def axe_violations(page: Page) -> list[str]:
    """Serious and critical axe-core findings on the page as it is now (rule: nodes)."""
    need_tool(AXE.exists(), f"{AXE} is missing: npm ci --prefix tests/ui/axe")
    if not page.evaluate("!!window.axe"):
        # through the DevTools protocol: the pages' CSP (rightly) refuses an injected <script>
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;void 0")
    found = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".map(v => [v.impact, v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', ')])"
    )
    return [text for impact, text in found if impact in AXE_IMPACTS]


def shot(page: Page, name: str, *, full_page: bool = True) -> Path:
    """Save a screenshot (the whole page, or what the screen shows) as a test artifact."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def scanned_texts(label: bytes) -> list[str]:
    """What a scanner would type for each barcode on a printed label (AIM id + data)."""
    texts = []
    for drawn in interpret(label):
        for result in zxingcpp.read_barcodes(
            drawn.image.convert("L"), text_mode=zxingcpp.TextMode.Plain
        ):
            texts.append(result.symbology_identifier + result.text)
    return texts


def gs1_scan(label: bytes, key: str = "01") -> str:
    """The GS1 barcode of a label that starts with AI ``key`` (01: unit, 00: SSCC), as the
    scanner types it (symbology identifier included)."""
    found = [t for t in scanned_texts(label) if t[:3] in ("]d2", "]C1") and t[3:5] == key]
    assert found, f"no GS1 barcode with ({key}) decoded from {label[:200]!r}"
    return found[0]
