"""A receipt reference or a serial with ``/`` in it works on every route: any ``{name}`` path
segment may be ``-`` with the value in the query (``?reference=PO/17``)."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from opskit import LiveServer, start_live_server

GTIN = "09506000134352"


@pytest.fixture
def server(project: Path) -> Iterator[LiveServer]:
    found = start_live_server(project)
    yield found
    found.stop()


def _call(server: LiveServer, token: str, method: str, path: str,
          body: dict[str, Any] | None = None) -> tuple[int, dict[str, Any]]:  # fmt: skip
    request = urllib.request.Request(
        server.url + path, method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )  # fmt: skip
    try:
        with urllib.request.urlopen(request) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_a_receipt_reference_with_a_slash_is_reachable(server: LiveServer) -> None:
    token = server.cli("tokens", "create", "wms", "--scope", "admin").stdout.strip()
    asn = {"reference": "PO/2026/17", "lines": [{"line": 1, "gtin": GTIN, "quantity": 2}]}
    status, _ = _call(server, token, "POST", "/api/v1/receipts", asn)
    assert status == 201
    by_path, _ = _call(server, token, "GET", "/api/v1/receipts/PO%2F2026%2F17")
    assert by_path == 404  # the server decodes %2F before routing: it can never be a segment
    ref = urllib.parse.quote("PO/2026/17", safe="")
    status, receipt = _call(server, token, "GET", f"/api/v1/receipts/-?reference={ref}")
    assert status == 200 and receipt["reference"] == "PO/2026/17"
    status, received = _call(server, token, "POST", f"/api/v1/receipts/-/receive?reference={ref}",
                             {"line": 1, "count": 2})  # fmt: skip
    assert status == 201 and len(received["items"]) == 2
    status, closed = _call(server, token, "POST", f"/api/v1/receipts/-/close?reference={ref}", {})
    assert status == 200, closed
    status, missing = _call(server, token, "GET", "/api/v1/receipts/-?reference=PO%2Fnone")
    assert status == 404 and missing["code"] == "receipt-not-found"


def test_a_container_code_by_query_on_every_container_route(server: LiveServer) -> None:
    token = server.cli("tokens", "create", "packer", "--scope", "pack").stdout.strip()
    status, opened = _call(server, token, "POST", "/api/v1/containers", {"level": "case"})
    assert status == 201
    code = urllib.parse.quote(f"(00){opened['sscc']}", safe="")
    status, shown = _call(server, token, "GET", f"/api/v1/containers/-?code={code}")
    assert status == 200 and shown["sscc"] == opened["sscc"]
