"""Helpers of the API tests: a live ``labelsvc serve`` with a Zebra emulator as its printer,
tokens of every scope, a small HTTP client, the problem-shape check and label decoding.

Print workers run in the test process over the same database file (the server is told not
to start its own), so every label goes to the emulator over real TCP."""

from __future__ import annotations

import json
import shutil
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import zxingcpp

# shared with every test folder (tests/livekit.py); re-exported for this folder's tests
from livekit import LiveServer as LiveServer
from livekit import new_store_url as new_store_url
from livekit import start_live_server as start_live_server

from labelsvc.config import load_settings
from labelsvc.domain.actors import SYSTEM
from labelsvc.gs1 import Element, parse_scan
from labelsvc.labels.preview import interpret
from labelsvc.printing.emulator import PrinterEmulator
from labelsvc.services.app import App
from labelsvc.services.printers import sync_printers
from labelsvc.services.users import create_token

ROOT = Path(__file__).resolve().parents[2]


SCOPES = ("read", "label", "pack", "receive", "admin")
GTIN = "09506000134352"  # the demo product (SKU DEMO-WIDGET, pool demo-units, 12 per case)
PROBLEM_KEYS = {"type", "title", "status", "detail", "code"}


@dataclass
class Resp:
    """One HTTP answer."""

    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")


@dataclass
class Api:
    """An HTTP client of the live server: ``api.post("/labels", {...}, token="label")``."""

    url: str
    tokens: dict[str, str] = field(default_factory=dict)

    def call(self, method: str, path: str, body: Any = None, *, token: str | None = None,
             headers: dict[str, str] | None = None, raw: bytes | None = None) -> Resp:  # fmt: skip
        """Send a request; ``token`` is a scope name of :data:`tokens` or a literal secret."""
        sent = dict(headers or {})
        data = raw
        if body is not None:
            data = json.dumps(body).encode()
            sent.setdefault("Content-Type", "application/json")
        if token is not None:
            sent["Authorization"] = f"Bearer {self.tokens.get(token, token)}"
        request = urllib.request.Request(self.url + "/api/v1" + path, data=data, method=method,
                                         headers=sent)  # fmt: skip
        try:
            with urllib.request.urlopen(request, timeout=60) as r:
                return Resp(r.status, {k.lower(): v for k, v in r.headers.items()}, r.read())
        except urllib.error.HTTPError as exc:
            return Resp(exc.code, {k.lower(): v for k, v in exc.headers.items()}, exc.read())

    def get(self, path: str, **kw: Any) -> Resp:
        return self.call("GET", path, **kw)

    def post(self, path: str, body: Any = None, **kw: Any) -> Resp:
        if body is None and kw.get("raw") is None:
            body = {}
        return self.call("POST", path, body, **kw)


@dataclass
class Stack:
    """The live server, its emulator printer, the in-test print workers and a client."""

    server: Any  # tests/conftest.py LiveServer
    emulator: PrinterEmulator
    app: App
    api: Api


def assert_problem(resp: Resp, status: int, code: str | None = None) -> dict[str, Any]:
    """The answer is an RFC 9457 problem with a stable type per code."""
    assert resp.status == status, resp.body
    assert resp.content_type.startswith("application/problem+json"), resp.content_type
    body = resp.json
    assert set(body) >= PROBLEM_KEYS, body
    assert body["status"] == status
    assert body["type"] == "https://labelsvc.dev/problems/" + body["code"]
    assert body["detail"].strip()
    if code is not None:
        assert body["code"] == code, body
    return dict(body)


def decode_label(zpl: bytes) -> list[list[Element]]:
    """Every barcode of a label, drawn from its ZPL and decoded by zxing-cpp, as GS1 elements."""
    found = []
    for drawn in interpret(zpl):
        results = zxingcpp.read_barcodes(
            drawn.image.convert("L"), text_mode=zxingcpp.TextMode.Plain
        )
        found += [
            list(parse_scan(r.symbology_identifier + r.text, associations=False).elements)
            for r in results
        ]
    return found


def start_stack(project: Path, store_url: str = "") -> Stack:
    """Emulator first, its printer file, then the server and the workers."""
    for folder in ("serial_pools", "zpl"):
        shutil.copytree(ROOT / folder, project / folder, dirs_exist_ok=True)
    emulator = PrinterEmulator(out_dir=project / "emulator").start()
    (project / "printers").mkdir(exist_ok=True)
    (project / "printers" / "dock.toml").write_text(
        f'driver = "tcp9100"\naddress = "127.0.0.1:{emulator.port}"\ndpi = 203\n'
        "connect_timeout = 2.0\n",
        encoding="utf-8",
    )
    server = start_live_server(
        project, {"printing": {"default_printer": "dock", "start_workers": False}}, store_url
    )
    api = Api(server.url)
    app = App.open(load_settings(server.config))
    sync_printers(app)
    # the CLI is a shell over create_token (the README guide runs it); here the call is direct
    for scope in SCOPES:
        api.tokens[scope] = create_token(app.store, f"wms-{scope}", [scope], SYSTEM).secret
    # serializing goods and opening cases allocate serials: that takes label as well
    for name, scope in (("dock", "receive"), ("packer", "pack"), ("packer2", "pack")):
        api.tokens[name] = create_token(app.store, f"wms-{name}", [scope, "label"], SYSTEM).secret
    return Stack(server, emulator, app, api)
