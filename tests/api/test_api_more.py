"""Shipping, lot-wide holds, reopening and unpacking, and the query form of a serial lookup,
driven through the API against a live server, each checked by what a later read shows."""

from __future__ import annotations

import itertools
import urllib.parse
from typing import Any

from apikit import GTIN, Api, Resp, Stack, assert_problem

_refs = itertools.count(1)


def _unit(item: dict[str, Any]) -> str:
    return f"(01){item['gtin']}(21){item['serial']}"


def _receive(api: Api, count: int, lot: str) -> list[dict[str, Any]]:
    """Units received against a fresh ASN: commissioned, with a lot."""
    ref = f"ASN-MORE-{next(_refs)}"
    asn = {"reference": ref, "lines": [{"line": 1, "gtin": GTIN, "quantity": count, "lot": lot}]}
    assert api.post("/receipts", asn, token="receive").status == 201
    received = api.post(f"/receipts/{ref}/receive", {"line": 1, "count": count}, token="dock")
    assert received.status == 201, received.body
    return list(received.json["items"])


def _container(api: Api, level: str, items: list[str], *, close: bool = True) -> str:
    """A case or pallet holding ``items`` (scans), closed unless told otherwise."""
    sscc = str(api.post("/containers", {"level": level}, token="packer").json["sscc"])
    for item in items:
        added = api.post(f"/containers/{sscc}/items", {"item": item}, token="packer")
        assert added.status == 200, added.body
    if close:
        closed = api.post(f"/containers/{sscc}/close", {"reason": "test"}, token="packer")
        assert closed.json["state"] == "closed", closed.body
    return sscc


def _ship(api: Api, code: str, reference: str) -> Resp:
    return api.post("/shipments", {"code": code, "reference": reference}, token="packer")


def _state(api: Api, code: str) -> dict[str, Any]:
    found = api.get(f"/serials/{code}", token="read")
    assert found.status == 200, found.body
    return dict(found.json["item"])


def test_shipping_a_closed_pallet_ships_everything_in_it_once(stack: Stack) -> None:
    api = stack.api
    units = [_unit(u) for u in _receive(api, 2, "LSHIP")]
    case = _container(api, "case", units)
    pallet = _container(api, "pallet", [f"(00){case}"])

    inside = api.post("/shipments", {"code": units[0], "reference": "SO-1"}, token="packer")
    assert assert_problem(inside, 409, "ship-packed")["detail"].find(case) >= 0

    headers = {"Idempotency-Key": "ship-so-1"}
    body = {"code": f"(00){pallet}", "reference": "SO-1"}
    shipped = api.post("/shipments", body, token="packer", headers=headers)
    assert shipped.status == 201, shipped.body
    assert shipped.json["count"] == 4 and shipped.json["reference"] == "SO-1"
    assert shipped.json["item"]["state"] == "shipped"
    assert {_state(api, u)["state"] for u in units} == {"shipped"}
    assert _state(api, case)["state"] == "shipped"

    replayed = api.post("/shipments", body, token="packer", headers=headers)
    assert replayed.status == 201 and replayed.headers["idempotent-replayed"] == "true"
    assert replayed.json == shipped.json
    again = api.post("/shipments", body, token="packer")
    assert_problem(again, 409, "item-shipped")
    repacked = api.post(
        f"/containers/{_container(api, 'case', [], close=False)}/items", {"item": units[1]},
        token="packer",
    )  # fmt: skip
    assert_problem(repacked, 409, "item-shipped")


def test_only_an_override_token_unships_and_then_it_can_ship_again(stack: Stack) -> None:
    api = stack.api
    units = [_unit(u) for u in _receive(api, 2, "LUNSHIP")]
    case = _container(api, "case", units)
    assert _ship(api, case, "SO-2").status == 201

    for token in ("read", "label"):  # operator-level scopes: "override" is not theirs
        refused = api.post(f"/serials/{case}/unship", {"reason": "return"}, token=token)
        assert assert_problem(refused, 403, "forbidden")["permission"] == "override"
    assert _state(api, units[0])["state"] == "shipped"

    back = api.post(f"/serials/(00){case}/unship", {"reason": "customer return"},
                    token="packer")  # fmt: skip
    assert back.status == 200, back.body
    assert back.json["count"] == 3 and back.json["item"]["state"] == "commissioned"
    assert [_state(api, u)["state"] for u in units] == ["packed", "packed"]
    assert_problem(api.post(f"/serials/{case}/unship", {"reason": "twice"}, token="packer"),
                   409, "not-shipped")  # fmt: skip
    no_reason = api.post(f"/serials/{case}/unship", {}, token="packer")
    assert assert_problem(no_reason, 400, "field-missing")["field"] == "reason"
    types = [e["type"] for e in api.get(f"/serials/{units[0]}/events", token="read").json["items"]]
    assert types[-2:] == ["shipped", "unshipped"]
    assert _ship(api, case, "SO-2b").status == 201


def test_a_lot_hold_stops_its_units_and_a_release_frees_them(stack: Stack) -> None:
    api = stack.api
    held = [_unit(u) for u in _receive(api, 3, "LHOLD")]
    other = _unit(_receive(api, 1, "LOTHER")[0])
    case = _container(api, "case", [held[0], other])
    lot = {"gtin": GTIN, "lot": "LHOLD", "reason": "supplier notice N-1"}

    assert_problem(api.post("/lots/quarantine", lot, token="packer"), 403, "forbidden")
    hold = api.post("/lots/quarantine", lot, token="admin")
    assert hold.status == 200, hold.body
    assert hold.json["action"] == "quarantined" and hold.json["total"] == 3
    assert sorted(_unit(i) for i in hold.json["changed"]) == sorted(held)
    assert [_state(api, u)["hold"] for u in held] == ["quarantine"] * 3
    assert _state(api, other)["hold"] is None
    blocked = api.post("/shipments", {"code": case, "reference": "SO-3"}, token="packer")
    assert_problem(blocked, 409, "item-quarantined")

    release = {"gtin": GTIN, "lot": "LHOLD", "reason": "cleared by QA"}
    assert_problem(api.post("/lots/release", release, token="packer"), 403, "forbidden")
    freed = api.post("/lots/release", release, token="admin")
    assert freed.status == 200 and freed.json["action"] == "released", freed.body
    assert [_state(api, u)["hold"] for u in held] == [None] * 3
    assert _ship(api, case, "SO-3").status == 201

    recall = api.post("/lots/quarantine", {**lot, "recall": True}, token="admin")
    assert recall.json["action"] == "recalled" and len(recall.json["changed"]) == 3
    assert _state(api, held[1])["hold"] == "recall"
    unknown = api.post("/lots/quarantine", {**lot, "lot": "NOSUCH"}, token="admin")
    assert_problem(unknown, 404, "lot-not-found")
    assert_problem(api.post("/lots/release", {**release, "recall": True}, token="admin"),
                   400, "field-unknown")  # fmt: skip


def test_reopen_needs_override_and_unpack_empties_a_closed_case(stack: Stack) -> None:
    api = stack.api
    units = [_unit(u) for u in _receive(api, 2, "LREOPEN")]
    case = _container(api, "case", units)

    for token in ("read", "label"):
        refused = api.post(f"/containers/{case}/reopen", {"reason": "wrong count"}, token=token)
        assert assert_problem(refused, 403, "forbidden")["permission"] == "override"
    reopened = api.post(f"/containers/{case}/reopen", {"reason": "wrong count"}, token="pack")
    assert reopened.status == 200, reopened.body
    assert reopened.json["state"] == "open" and reopened.json["count"] == 2
    assert_problem(api.post(f"/containers/{case}/reopen", {"reason": "again"}, token="pack"),
                   409, "container-open")  # fmt: skip
    closed = api.post(f"/containers/{case}/close", {"reason": "recount done"}, token="packer")
    assert closed.json["state"] == "closed"

    # unpack takes "pack", and "override" too when the case is closed: "receive" has only that
    refused = api.post(f"/containers/{case}/unpack", {"reason": "damaged"}, token="receive")
    assert assert_problem(refused, 403, "forbidden")["permission"] == "pack"
    unpacked = api.post(f"/containers/{case}/unpack", {"reason": "damaged case"}, token="pack")
    assert unpacked.status == 200, unpacked.body
    assert sorted(_unit(i) for i in unpacked.json["unpacked"]) == sorted(units)
    assert {(i["state"], i["parent"]) for i in unpacked.json["unpacked"]} == {
        ("commissioned", None)
    }
    after = api.get(f"/containers/{case}", token="read").json
    assert after["count"] == 0 and after["state"] == "open"
    assert _state(api, units[0])["parent"] is None


def test_codes_that_cannot_be_a_path_segment_use_the_query_form(stack: Stack) -> None:
    api = stack.api
    unit = _receive(api, 1, "LQUERY")[0]
    by_path = api.get(f"/serials/{_unit(unit)}", token="read").json
    link = f"https://id.example.com/01/{GTIN}/21/{unit['serial']}"
    by_link = api.get("/serials?" + urllib.parse.urlencode({"code": link}), token="read")
    assert by_link.status == 200, by_link.body
    assert by_link.json == by_path

    element_string = f"01{GTIN}21{unit['serial']}\x1d10LQUERY"
    query = urllib.parse.urlencode({"code": element_string})
    assert api.get(f"/serials?{query}", token="read").json == by_path
    in_path = api.get(f"/serials/{urllib.parse.quote(element_string)}", token="read")
    assert in_path.status == 200 and in_path.json == by_path, in_path.body

    # the server decodes %2F before routing: a code with "/" is never one path segment
    assert_problem(api.get(f"/serials/{link}", token="read"), 404, "not-found")
    encoded = api.get(f"/serials/{urllib.parse.quote(link, safe='')}", token="read")
    assert_problem(encoded, 404, "not-found")
    missing = api.get("/serials", token="read")
    assert assert_problem(missing, 400, "query-missing")["field"] == "code"
    unknown = api.get("/serials?code=" + urllib.parse.quote(f"(01){GTIN}(21)NOPE1"),
                      token="read")  # fmt: skip
    assert_problem(unknown, 404, "item-unknown")
    assert_problem(api.get("/serials?" + query), 401, "token-missing")
