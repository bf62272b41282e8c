"""Receiving, packing and recall driven only through the API, against a live server whose
labels go to a Zebra emulator; every label the emulator received decodes to the records."""

from __future__ import annotations

import io
import time
from typing import Any
from urllib.parse import quote

import zxingcpp
from apikit import GTIN, Api, Stack, assert_problem, decode_label
from PIL import Image

from labelsvc.gs1 import parse_scan
from labelsvc.services.print_queue import WorkerSet
from labelsvc.web.previews import UNSUPPORTED_HEADER


def _unit(item: dict[str, Any]) -> str:
    return f"(01){item['gtin']}(21){item['serial']}"


def _wait_jobs(api: Api, job_ids: list[int]) -> None:
    """Poll the jobs as a WMS would, until each is sent (never a timing assert)."""
    for job_id in job_ids:
        for _ in range(600):
            job = api.get(f"/jobs/{job_id}", token="label").json
            if job["state"] in ("printed", "failed", "needs-confirmation", "cancelled"):
                break
            time.sleep(0.05)
        assert job["state"] == "printed", job


def test_receive_pack_recall_over_the_api(stack: Stack, workers: WorkerSet) -> None:
    api = stack.api
    asn = {"reference": "ASN-1001", "supplier": "Acme", "lines": [
        {"line": 1, "gtin": GTIN, "quantity": 3, "lot": "L24A", "expiry": "261231"}]}  # fmt: skip
    created = api.post("/receipts", asn, token="receive")
    assert created.status == 201, created.body
    assert created.json["lines"][0]["quantity"] == 3

    received = api.post("/receipts/ASN-1001/receive", {"line": 1, "count": 3}, token="dock")
    assert received.status == 201, received.body
    units = received.json["items"]
    assert [u["lot"] for u in units] == ["L24A"] * 3
    assert all(u["state"] == "commissioned" for u in units)
    report = api.get("/receipts/ASN-1001", token="read").json
    assert report["lines"][0]["received"] == 3 and report["clean"] is True
    assert api.post("/receipts/ASN-1001/close", token="receive").json["state"] == "closed"

    case = api.post("/containers", {"level": "case", "gtin": GTIN}, token="packer")
    assert case.status == 201, case.body
    sscc = case.json["sscc"]
    for unit in units:
        added = api.post(f"/containers/{sscc}/items", {"item": _unit(unit)}, token="packer")
        assert added.status == 200, added.body
    assert added.json["count"] == 3
    early = api.post(f"/containers/{sscc}/close", token="packer")
    assert_problem(early, 409)  # 3 of 12: closing early needs a reason
    closed = api.post(f"/containers/{sscc}/close", {"reason": "short shipment"}, token="packer")
    assert closed.status == 200 and closed.json["state"] == "closed", closed.body

    labels = api.post("/labels", {"product": "DEMO-WIDGET", "count": 2}, token="label")
    assert labels.status == 201, labels.body

    hierarchy = api.get(f"/serials/{_unit(units[0])}/hierarchy", token="read").json
    assert [a["serial"] for a in hierarchy["ancestors"]] == [sscc]
    recall = api.post(f"/serials/(00){sscc}/quarantine",
                      {"reason": "supplier recall R-7", "recall": True}, token="admin")  # fmt: skip
    assert recall.status == 200, recall.body
    assert recall.json["action"] == "recalled" and recall.json["total"] == 4
    held = api.get(f"/serials/{_unit(units[1])}", token="read").json
    assert held["item"]["hold"] == "recall"
    events = api.get(f"/serials/{_unit(units[1])}/events", token="read").json["items"]
    assert [e["type"] for e in events if e["type"] == "recalled"] == ["recalled"]
    assert any(e["actor"] == "client:wms-packer" for e in events if e["type"] == "packed")

    other = api.post("/containers", {"level": "case", "gtin": GTIN}, token="packer").json["sscc"]
    refused = api.post(f"/containers/{other}/items",
                       {"item": _unit(units[2]), "move": True}, token="packer")  # fmt: skip
    assert_problem(refused, 409)

    job_ids = received.json["jobs"] + closed.json["jobs"] + labels.json["jobs"]
    _wait_jobs(api, job_ids)
    assert stack.emulator.wait_for_labels(6)
    decoded = [decode_label(z) for z in stack.emulator.labels]
    serials = {dict(els)["21"] for symbols in decoded for els in symbols if "21" in dict(els)}
    expected = {u["serial"] for u in units} | {i["serial"] for i in labels.json["items"]}
    assert serials == expected
    fields = [dict(els) for symbols in decoded for els in symbols]
    with_lot = {
        f["21"] for f in fields if "21" in f and (f.get("10"), f.get("17")) == ("L24A", "261231")
    }
    assert with_lot == {u["serial"] for u in units}
    ssccs = {dict(els)["00"] for symbols in decoded for els in symbols if "00" in dict(els)}
    assert ssccs == {sscc}

    epcis = api.get(f"/exports/epcis?container={sscc}", token="read")
    assert epcis.status == 200 and epcis.content_type.startswith("application/ld+json")
    kinds = {e["type"] for e in epcis.json["epcisBody"]["eventList"]}
    assert "AggregationEvent" in kinds


def test_tagged_goods_are_scanned_against_the_asn(stack: Stack) -> None:
    api = stack.api
    listed = ["TAG0001", "TAG0002"]
    asn = {"reference": "ASN-2002", "lines": [{"gtin": GTIN, "quantity": 2, "serials": listed}]}
    assert api.post("/receipts", asn, token="receive").status == 201
    first = api.post("/receipts/ASN-2002/scans", {"code": f"(01){GTIN}(21)TAG0001"},
                     token="receive").json  # fmt: skip
    assert first["accepted"] is True and first["line"]["received"] == 1
    again = api.post("/receipts/ASN-2002/scans", {"code": f"(01){GTIN}(21)TAG0001"},
                     token="receive").json  # fmt: skip
    assert again["accepted"] is False and again["outcome"] == "duplicate"
    report = api.get("/receipts/ASN-2002", token="read").json
    assert report["clean"] is False
    assert {d["kind"] for d in report["discrepancies"]} >= {"short", "duplicate"}
    short = next(d for d in report["discrepancies"] if d["kind"] == "short")
    assert short["values"] == [f"(01){GTIN}(21)TAG0002"]
    refused = api.post("/receipts/ASN-2002/close", token="receive")
    assert assert_problem(refused, 400, "reason-required")["field"] == "reason"
    closed = api.post("/receipts/ASN-2002/close", {"reason": "carrier lost one"}, token="receive")
    assert closed.json["state"] == "closed" and closed.json["close_reason"] == "carrier lost one"

    case = api.post("/containers", {"level": "case"}, token="packer").json["sscc"]
    unit = f"(01){GTIN}(21)TAG0001"
    assert api.post(f"/containers/{case}/items", {"item": unit}, token="packer").status == 200
    removed = api.post("/containers/remove", {"item": unit, "reason": "wrong case"},
                       token="packer")  # fmt: skip
    assert removed.status == 200 and removed.json["sscc"] == case and removed.json["count"] == 0
    assert api.get(f"/containers/{case}", token="read").json["count"] == 0


def test_render_only_returns_zpl_or_a_png_that_decodes(stack: Stack) -> None:
    api = stack.api
    data = {"kind": "unit", "gtin": GTIN, "serial": "RENDER1", "description": "^XZ~JR widget"}
    zpl = api.post("/labels/render", {"template": "unit", "data": data}, token="read")
    assert zpl.status == 200 and zpl.content_type.startswith("text/plain")
    assert [("01", GTIN), ("21", "RENDER1")] in decode_label(zpl.body)
    png = api.post("/labels/render", {"template": "unit", "data": data, "format": "png"},
                   token="read")  # fmt: skip
    assert png.status == 200 and png.content_type == "image/png"
    image = Image.open(io.BytesIO(png.body)).convert("L")
    found = zxingcpp.read_barcodes(image, text_mode=zxingcpp.TextMode.Plain)
    decoded = [
        parse_scan(r.symbology_identifier + r.text, associations=False).elements for r in found
    ]
    assert any(("21", "RENDER1") in list(els) for els in decoded)
    bad = api.post("/labels/render", {"template": "unit", "data": {"kind": "unit", "gtn": "1"}},
                   token="read")  # fmt: skip
    assert assert_problem(bad, 400)["field"] == "data/gtn"
    assert api.post("/labels/render", {"template": "unit", "data": data}).status == 401


def test_lists_page_with_a_cursor(stack: Stack) -> None:
    api = stack.api
    for gtin in ("09506000000015", "09506000000022", "09506000000039"):
        body = {"description": f"product {gtin}", "company_prefix_length": 7}
        assert api.call("PUT", f"/products/{gtin}", body, token="admin").status == 201
    renamed = {"description": "renamed", "company_prefix_length": 7}
    again = api.call("PUT", "/products/09506000000015", renamed, token="admin")
    assert again.status == 200 and again.json["description"] == "renamed"
    seen, after = [], ""
    for _ in range(10):
        page = api.get(f"/products?limit=2{after}", token="read").json
        seen += [p["gtin"] for p in page["items"]]
        if page["next"] is None:
            break
        after = f"&after={page['next']}"
    assert seen == sorted(seen) and len(seen) == len(set(seen)) >= 4
    assert len(api.get("/products?limit=1000", token="read").json["items"]) == len(seen)


def test_supplier_codes_with_any_gs1_ai_and_gs1_faults_as_problems(stack: Stack) -> None:
    api = stack.api
    asn = {"reference": "ASN-3003", "lines": [{"gtin": GTIN, "quantity": 1}]}
    assert api.post("/receipts", asn, token="receive").status == 201
    unit = f"(01){GTIN}(21)W1(10)L9(17)271100(3103)001250(91)BIN-7"
    scanned = api.post("/receipts/ASN-3003/scans", {"code": unit}, token="receive").json
    assert scanned["accepted"] is True, scanned
    case = api.post("/containers", {"level": "case"}, token="packer").json["sscc"]
    assert api.post(f"/containers/{case}/items", {"item": unit}, token="packer").status == 200
    serial = api.get(f"/serials?code={quote(unit)}", token="read").json
    assert serial["ais"] == {"3103": "001250", "91": "BIN-7"}
    # GS1 forbids a serial without the GTIN it belongs to: a problem naming the AI and rule.
    lone = api.post(f"/containers/{case}/items", {"item": "(21)W1"}, token="packer")
    body = assert_problem(lone, 400, "gs1-invalid")
    assert body["ai"] == "21" and "requires (01)" in body["detail"]


def test_a_png_preview_names_what_it_could_not_draw(stack: Stack) -> None:
    api = stack.api
    data = {"kind": "unit", "gtin": GTIN, "serial": "CIRCLE1"}
    shipped = api.post("/labels/render", {"template": "unit", "data": data, "format": "png"},
                       token="read")  # fmt: skip
    assert shipped.status == 200 and UNSUPPORTED_HEADER.lower() not in shipped.headers
    source = (
        "{# kind: unit\ntitle: a unit label with a circle and upside down #}\n"
        "^XA^PW406^LL203^POI^FO20,20^GC60,3^FS"
        "{{ elements | datamatrix(12, 3) }}^XZ"
    )
    stack.app.templates.add("circle-test", source, by="test")
    drawn = api.post("/labels/render", {"template": "circle-test", "data": data, "format": "png"},
                     token="read")  # fmt: skip
    assert drawn.status == 200 and drawn.content_type == "image/png"
    assert drawn.headers[UNSUPPORTED_HEADER.lower()] == (
        "^POI (print orientation): drawn as ^PON; ^GC (circle): not drawn"
    )
    document = api.get("/openapi.json").json
    answer = document["paths"]["/api/v1/labels/render"]["post"]["responses"]["200"]
    assert UNSUPPORTED_HEADER in answer["headers"]
