"""Locations, moves, touchpoint scans from a partner, counts and metrics over the API, on
both stores, against a live server."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from apikit import GTIN, Stack, assert_problem, decode_label

from labelsvc.services.print_queue import WorkerSet


def _unit(item: dict[str, Any]) -> str:
    return f"(01){item['gtin']}(21){item['serial']}"


def test_layout_moves_where_is_touchpoints_counts_metrics(stack: Stack) -> None:
    api = stack.api
    for code, body in (
        ("WH9", {"kind": "site", "gln": "9506000000008"}),
        ("WH9-A", {"kind": "zone", "parent": "WH9"}),
        ("WH9-A-01", {"kind": "bin", "parent": "WH9-A", "gln": "9506000000008",
                      "extension": "9A1"}),
        ("WH9-A-02", {"kind": "bin", "parent": "WH9-A"}),
    ):  # fmt: skip
        saved = api.call("PUT", f"/locations/{code}", body, token="admin")
        assert saved.status == 200, saved.body
    assert saved.json["parent"] == "WH9-A" and saved.json["sgln"] is None
    assert_problem(api.call("PUT", "/locations/X-1", {"kind": "bin", "parent": "WH9"},
                            token="admin"), 400, "location-invalid")  # fmt: skip
    assert_problem(api.call("PUT", "/locations/X-2", {"kind": "site"}, token="receive"), 403)
    listed = {v["code"]: v for v in api.get("/locations", token="read").json}
    assert listed["WH9-A-01"]["sgln"] == "urn:epc:id:sgln:9506000.00000.9A1"

    api.post("/receipts", {"reference": "ASN-API-L", "lines": [{"gtin": GTIN, "quantity": 3}]},
             token="receive")  # fmt: skip
    units = api.post("/receipts/ASN-API-L/receive", {"line": 1, "count": 3},
                     token="dock").json["items"]  # fmt: skip
    case = api.post("/containers", {"level": "case", "gtin": GTIN}, token="packer").json["sscc"]
    api.post(f"/containers/{case}/items", {"item": _unit(units[0])}, token="packer")

    moved = api.post("/moves", {"location": "(414)9506000000008(254)9A1",
                                "codes": [case, _unit(units[1])]}, token="receive")  # fmt: skip
    assert moved.status == 201, moved.body
    assert moved.json["count"] == 3 and moved.json["location"]["code"] == "WH9-A-01"
    refused = api.post("/moves", {"location": "WH9-A-02", "codes": [_unit(units[0])]},
                       token="pack")  # fmt: skip
    assert_problem(refused, 409, "in-container")
    assert_problem(api.post("/moves", {"location": "NOWHERE", "codes": [case]}, token="pack"),
                   404, "location-unknown")  # fmt: skip
    assert_problem(api.post("/moves", {"location": "WH9-A-02", "codes": [case]}, token="read"),
                   403)  # fmt: skip
    api.post("/moves", {"location": "WH9-A-02", "codes": [case]}, token="pack")

    where = api.get(f"/serials/{quote(_unit(units[0]), safe='')}/location", token="read").json
    assert where["location"]["code"] == "WH9-A-02"
    assert [(s["type"], s["from"], s["to"]) for s in where["history"]] == [
        ("putaway", None, "WH9-A-01"), ("moved", "WH9-A-01", "WH9-A-02")]  # fmt: skip
    page1 = api.get("/locations/WH9-A-02/contents?limit=1", token="read").json
    page2 = api.get(f"/locations/WH9-A-02/contents?after={page1['next']}", token="read").json
    assert sorted(i["name"] for i in page1["items"] + page2["items"]) == sorted(
        [f"SSCC {case}", _unit(units[0])]) and page2["next"] is None  # fmt: skip

    # a carrier's delivery scan of the case, from outside
    delivered = api.post("/touchpoint-scans", {
        "code": case, "touchpoint": "deliver", "reference": "1Z999", "disposition": "in_transit",
        "observed_at": "2026-12-01T10:00:00Z"}, token="pack")  # fmt: skip
    assert delivered.status == 201, delivered.body
    assert delivered.json["count"] == 2 and delivered.json["biz_step"] == "arriving"
    assert_problem(api.post("/touchpoint-scans", {"code": case, "touchpoint": "nope"},
                            token="pack"), 404, "touchpoint-unknown")  # fmt: skip
    assert api.call("PUT", "/touchpoints/customs-eu", {"biz_step": "inspecting"},
                    token="admin").status == 200  # fmt: skip
    need = api.call("PUT", f"/products/{GTIN}/touchpoints",
                    {"touchpoints": ["receive", "putaway", "deliver"]}, token="admin")  # fmt: skip
    assert need.json["touchpoints"] == ["receive", "putaway", "deliver"]
    # by hand: unit 0 (in the case) 3/3, unit 1 receive+putaway 2/3, unit 2 receive 1/3
    compliance = api.get(f"/metrics/scan-compliance?gtin={GTIN}", token="read").json
    assert (compliance["total"]["scanned"], compliance["total"]["required"]) == (6, 9)
    assert compliance["gap_count"] == 2

    count = api.post("/counts", {"target": "WH9-A-02", "blind": True}, token="receive")
    assert count.status == 201 and count.json["lines"] is None
    count_id = count.json["id"]
    assert api.post(f"/counts/{count_id}/scans", {"code": case}, token="receive").status == 201
    assert_problem(api.post(f"/counts/{count_id}/scans", {"code": case}, token="receive"), 409,
                   "already-counted")  # fmt: skip
    extra = api.post(f"/counts/{count_id}/scans", {"code": _unit(units[2])}, token="receive")
    assert extra.json["difference"] is None  # blind
    closed = api.post(f"/counts/{count_id}/close", token="receive").json
    assert {ln["item"]: ln["difference"] for ln in closed["lines"]} == {
        f"SSCC {case}": "match", _unit(units[2]): "extra"}  # fmt: skip
    assert_problem(api.post(f"/counts/{count_id}/resolutions",
                            {"code": _unit(units[2]), "resolution": "accept-found"},
                            token="read"), 403)  # fmt: skip
    accept = {"code": _unit(units[2]), "resolution": "accept-found"}
    resolved = api.post(f"/counts/{count_id}/resolutions", accept, token="admin")
    assert resolved.status == 200, resolved.body
    accuracy = api.get("/metrics/inventory-accuracy", token="read").json
    assert (accuracy["lines"], accuracy["matched"], accuracy["rate"]) == (2, 1, 0.5)
    assert api.get(f"/counts/{count_id}", token="read").status == 403


def test_bin_labels_over_the_api(stack: Stack, workers: WorkerSet) -> None:
    api = stack.api
    for code, body in (("WH8", {"kind": "site"}), ("WH8-A", {"kind": "zone", "parent": "WH8"}),
                       ("WH8-A-07", {"kind": "bin", "parent": "WH8-A", "gln": "9506000000008",
                                     "extension": "8A7", "name": "Aisle A"}),
                       ("WH8-A-08", {"kind": "bin", "parent": "WH8-A"})):  # fmt: skip
        assert api.call("PUT", f"/locations/{code}", body, token="admin").status == 200
    before = len(stack.emulator.labels)
    queued = api.post("/locations/labels", {"codes": ["WH8-A-07"], "printer": "dock"},
                      token="label")  # fmt: skip
    assert queued.status == 201, queued.body
    assert stack.emulator.wait_for_labels(before + 1)
    decoded = decode_label(stack.emulator.labels[before])
    assert decoded == [[("414", "9506000000008"), ("254", "8A7")]] * 2
    assert_problem(api.post("/locations/labels", {"codes": ["WH8-A-08"]}, token="label"), 400,
                   "location-no-gln")  # fmt: skip
