"""Orders, returns and the flow metrics over the API of a live server: pick refusals are
problems with their code, POSTs replay with an Idempotency-Key, traces are timed."""

from __future__ import annotations

from typing import Any

from apikit import GTIN, Stack, assert_problem


def _unit(item: dict[str, Any]) -> str:
    return f"(01){item['gtin']}(21){item['serial']}"


def test_order_pick_ship_and_return_over_the_api(stack: Stack) -> None:
    api = stack.api
    asn = {"reference": "ASN-ORD", "lines": [{"gtin": GTIN, "quantity": 4, "lot": "LO"}]}
    assert api.post("/receipts", asn, token="receive").status == 201
    units = api.post("/receipts/ASN-ORD/receive", {"line": 1, "count": 4}, token="dock").json[
        "items"
    ]
    order = {
        "reference": "SO-API",
        "customer": "ACME",
        "lines": [{"gtin": GTIN, "quantity": 2, "serials": [units[0]["serial"]]}],
    }
    key = {"Idempotency-Key": "so-api-1"}
    first = api.post("/orders", order, token="pack", headers=key)
    again = api.post("/orders", order, token="pack", headers=key)
    assert (first.status, again.status) == (201, 201) and first.json == again.json
    assert first.json["lines"][0]["allocated"] == 1
    assert_problem(api.post("/orders", order, token="pack"), 409, "order-exists")
    assert_problem(api.post("/orders", {**order, "customer": ""}, token="pack"), 400)

    picked = api.post("/orders/SO-API/picks", {"code": _unit(units[0])}, token="pack")
    assert picked.status == 200, picked.body
    assert picked.json["order"]["lines"][0]["picked"] == 1 and "1 of 2" in picked.json["detail"]
    refused = api.post("/orders/SO-API/picks", {"code": _unit(units[1])}, token="pack")
    assert "not one of the serials" in assert_problem(refused, 409, "not-allocated")["detail"]
    assert_problem(api.post("/orders/SO-API/ship", token="pack"), 409, "order-incomplete")
    assert_problem(api.post("/orders/SO-API/close-short", {"reason": "x"}, token="read"), 403)
    short = api.post("/orders/SO-API/close-short", {"reason": "stock-out"}, token="pack")
    assert short.json["state"] == "closed-short"
    sent = api.post("/orders/SO-API/ship", {"shipment": "TRK-9"}, token="pack")
    assert sent.status == 201, sent.body
    assert (sent.json["count"], sent.json["shipment"]) == (1, "TRK-9")
    assert api.get("/orders/SO-API", token="read").json["shipped_at"]

    rma = api.post("/returns", {"reference": "RMA-API", "order": "SO-API"}, token="receive")
    assert rma.status == 201 and rma.json["customer"] == "ACME"
    back = api.post("/returns/RMA-API/units", {"code": _unit(units[0])}, token="receive")
    assert back.status == 201 and (back.json["flag"], back.json["shipment"]) == (None, "TRK-9")
    odd = api.post("/returns/RMA-API/units", {"code": _unit(units[2])}, token="receive")
    assert odd.json["flag"] == "never-shipped"
    done = api.post(
        "/returns/RMA-API/dispositions",
        {"code": _unit(units[0]), "disposition": "restock"},
        token="receive",
    )
    assert done.json["units"][0]["disposition"] == "restock"
    flagged = api.post(
        "/returns/RMA-API/dispositions",
        {"code": _unit(units[2]), "disposition": "scrap"},
        token="read",
    )
    assert_problem(flagged, 403)
    resolved = api.post(
        "/returns/RMA-API/dispositions",
        {"code": _unit(units[2]), "disposition": "scrap"},
        token="admin",
    )
    assert resolved.json["state"] == "resolved"
    took = api.get("/metrics/returns-resolution", token="read").json
    assert took["count"] == 1 and took["returns"][0]["reference"] == "RMA-API"


def test_every_api_trace_is_timed(stack: Stack) -> None:
    api = stack.api
    before = api.get("/metrics/trace-time", token="read").json
    assert api.get("/serials/NO-SUCH-THING", token="read").status == 404
    assert api.get(f"/serials?code=(01){GTIN}(21)NOPE", token="read").status == 404
    after = api.get("/metrics/trace-time", token="read").json
    assert after["count"] == before["count"] + 2
    assert after["by_surface"]["api"] == before["by_surface"].get("api", 0) + 2
    assert after["p50_ms"] <= after["p95_ms"]
    assert api.get("/metrics/recall-scope", token="read").json == {"recalls": []}
