"""The EPCIS 2.0 REST binding: capture (202 + job, all or nothing, faults as problems),
event query with the standard parameters over our events and captured ones, a captured
shipping event received as an ASN by scanning the pallet's SSCC alone, strict instants."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jsonschema
from apikit import GTIN, ROOT, Stack, assert_problem

from labelsvc.gs1.check import make_sscc
from labelsvc.services.epcis import sgtin_uri, sscc_uri

SUPPLIER_PREFIX = "4099999"
SCHEMA = ROOT / "tests" / "data" / "epcis" / "EPCIS-JSON-Schema.json"
CONTEXT = ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"]


def reference_ids(document: dict[str, Any]) -> list[str]:
    """The reference implementation's Event Hash IDs of a document's events, in order."""
    from epcis_event_hash_generator import hash_generator, json_to_py

    events = json_to_py.event_list_from_epcis_document_json(document)
    return list(hash_generator.epcis_hashes_from_events(events))


def schema_errors(document: dict[str, Any]) -> list[str]:
    validator = jsonschema.Draft7Validator(json.loads(SCHEMA.read_text(encoding="utf-8")))
    return [e.message for e in validator.iter_errors(document)]


def _event(kind: str, **fields: Any) -> dict[str, Any]:
    return {
        "type": kind,
        "eventTime": "2026-11-30T08:00:00.000+01:00",
        "eventTimeZoneOffset": "+01:00",
        **fields,
    }


def supplier_asn(reference: str, tag: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """A supplier's EPCIS: units commissioned, packed into two cases on a pallet, shipped."""
    pallet = make_sscc(1, SUPPLIER_PREFIX, f"{tag}00".zfill(9))
    cases = [make_sscc(0, SUPPLIER_PREFIX, f"{tag}0{n}".zfill(9)) for n in (1, 2)]
    units = [[sgtin_uri(GTIN, f"{tag}-{c}{u}", 7) for u in (1, 2)] for c in (1, 2)]
    epc = {"pallet": sscc_uri(pallet, 7), "cases": [sscc_uri(c, 7) for c in cases]}
    events = [
        _event(
            "ObjectEvent",
            epcList=units[0] + units[1],
            action="ADD",
            bizStep="commissioning",
            disposition="active",
            ilmd={"cbvmda:lotNumber": "SUP-1"},
        ),
        *(
            _event(
                "AggregationEvent",
                parentID=epc["cases"][n],
                childEPCs=units[n],
                action="ADD",
                bizStep="packing",
            )
            for n in (0, 1)
        ),
        _event(
            "AggregationEvent",
            parentID=epc["pallet"],
            childEPCs=epc["cases"],
            action="ADD",
            bizStep="packing",
        ),
        _event(
            "ObjectEvent",
            epcList=[epc["pallet"]],
            action="OBSERVE",
            bizStep="shipping",
            disposition="in_transit",
            bizTransactionList=[
                {
                    "type": "desadv",
                    "bizTransaction": f"urn:epcglobal:cbv:bt:4099999000005:{reference}",
                }
            ],
            sourceList=[{"type": "owning_party", "source": "urn:epc:id:pgln:4099999.00000"}],
        ),
    ]
    doc = {
        "@context": CONTEXT,
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2026-11-30T08:00:00Z",
        "epcisBody": {"eventList": events},
    }
    return doc, {"sscc": pallet, "case_ssccs": cases, "units": units, **epc}


def test_a_captured_shipment_is_received_by_its_pallet_sscc(stack: Stack) -> None:
    api = stack.api
    doc, asn = supplier_asn("ASN-CAP-1", "77")
    assert schema_errors(doc) == []
    first = api.post("/epcis/capture", doc, token="receive")
    assert first.status == 202, first.body
    assert first.json["state"] == "succeeded" and first.json["stored"] == 5
    assert first.json["receipts"] == ["ASN-CAP-1"]
    job = api.get(first.headers["location"].removeprefix("/api/v1"), token="read")
    assert job.status == 200 and job.json["captureID"] == first.json["captureID"]
    again = api.post("/epcis/capture", doc, token="receive")
    assert (again.status, again.json["state"], again.json["stored"]) == (202, "succeeded", 0)

    foreign = api.post(
        "/receipts/ASN-CAP-1/scans", {"code": f"(01){GTIN}(21)NOT-SHIPPED-1"}, token="receive"
    ).json
    assert (foreign["accepted"], foreign["outcome"]) == (False, "foreign")
    assert "not in the shipment the supplier sent" in foreign["detail"]

    got = api.post("/receipts/ASN-CAP-1/containers", {"sscc": asn["sscc"]}, token="receive")
    assert got.status == 200, got.body
    assert (got.json["received"], got.json["refused"]) == (7, [])  # pallet, 2 cases, 4 units
    receipt = api.get("/receipts/ASN-CAP-1", token="read").json
    assert [ln["received"] for ln in receipt["lines"]] == [4]
    pallet = api.get(f"/serials/{asn['sscc']}", token="read")
    assert pallet.status == 200, pallet.body

    history = api.get(f"/epcis/events?MATCH_epc={quote(asn['units'][0][0])}", token="read")
    assert history.status == 200 and history.content_type.startswith("application/ld+json")
    found = history.json["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    steps = sorted(e["bizStep"] for e in found)
    assert steps == ["commissioning", "packing", "receiving", "receiving"]  # theirs, then ours
    assert schema_errors(history.json) == []
    # the events they sent without an eventID got the Event Hash ID; the reference expands
    # cbvmda: names only when the document's context says it inline (the EPCIS context does)
    theirs = reference_ids({**doc, "@context": [*CONTEXT, {"cbvmda": "urn:epcglobal:cbv:mda:"}]})
    captured = [e["eventID"] for e in found if e["bizStep"] in ("commissioning", "packing")]
    assert captured == theirs[:2]  # its commissioning and its case's packing
    ours = api.get("/exports/epcis?receipt=ASN-CAP-1", token="read").json
    kinds = {(e["type"], e["action"]) for e in ours["epcisBody"]["eventList"]}
    assert kinds == {("ObjectEvent", "OBSERVE"), ("AggregationEvent", "OBSERVE")}
    assert [e["eventID"] for e in ours["epcisBody"]["eventList"]] == reference_ids(ours)
    assert schema_errors(ours) == []


def test_capture_refuses_a_broken_document_with_every_fault(stack: Stack) -> None:
    doc, _ = supplier_asn("ASN-CAP-2", "78")
    del doc["epcisBody"]["eventList"][0]["eventTimeZoneOffset"]
    doc["epcisBody"]["eventList"][1]["action"] = "PACK"
    refused = stack.api.post("/epcis/capture", doc, token="receive")
    body = assert_problem(refused, 400, "epcis-invalid")
    assert {f["pointer"] for f in body["faults"]} == {
        "/epcisBody/eventList/0/eventTimeZoneOffset",
        "/epcisBody/eventList/1/action",
    }
    assert stack.api.get("/receipts/ASN-CAP-2", token="read").status == 404
    assert_problem(stack.api.post("/epcis/capture", doc, token="read"), 403)


def test_event_query_filters_and_pages(stack: Stack) -> None:
    api = stack.api
    doc, asn = supplier_asn("ASN-CAP-3", "79")
    assert api.post("/epcis/capture", doc, token="receive").status == 202
    shipping = api.get(
        "/epcis/events?EQ_bizStep=shipping&MATCH_anyEPC=" + quote(asn["pallet"]), token="read"
    ).json
    (event,) = shipping["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    assert event["epcList"] == [asn["pallet"]] and event["eventID"].startswith("ni:///sha-256;")
    seen: list[str] = []
    path = f"/epcis/events?perPage=2&MATCH_anyEPC={quote(asn['cases'][0])}"
    while path:
        page = api.get(path, token="read")
        assert page.status == 200, page.body
        seen += [
            e["eventID"] for e in page.json["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
        ]
        link = page.headers.get("link", "")
        path = link[link.index("/api/v1") + 7 : link.index(">")] if link else ""
    assert len(seen) == len(set(seen)) == 2  # its packing into the pallet and its own children
    assert_problem(api.get("/epcis/events?GE_eventTime=garbage", token="read"), 400, "time-invalid")
    assert_problem(api.get("/epcis/events?perPage=0", token="read"), 400)
    assert_problem(api.get("/epcis/events?nextPageToken=zz", token="read"), 400)


def test_time_bounds_compare_instants(stack: Stack) -> None:
    api = stack.api
    utc = api.get("/exports/epcis?since=2000-01-01T00:00:00Z", token="read")
    plus2 = api.get(f"/exports/epcis?since={quote('2000-01-01T02:00:00+02:00')}", token="read")
    assert utc.status == plus2.status == 200
    assert utc.json["epcisBody"]["eventList"] == plus2.json["epcisBody"]["eventList"]
    assert_problem(api.get("/exports/epcis?since=garbage", token="read"), 400, "time-invalid")


def test_site_identity_is_set_by_admins(stack: Stack, tmp_path: Path) -> None:
    api = stack.api
    body = {"gln": "4012345000009", "prefix_length": 7, "timezone": "Europe/Berlin"}
    assert_problem(api.call("PUT", "/site/identity", body, token="read"), 403)
    done = api.call("PUT", "/site/identity", body, token="admin")
    assert done.status == 200 and done.json["sgln"] == "urn:epc:id:sgln:4012345.00000.0"
    assert api.get("/site/identity", token="read").json["timezone"] == "Europe/Berlin"
    assert_problem(
        api.call("PUT", "/site/identity", {"gln": "4012345000001"}, token="admin"),
        400,
        "gln-invalid",
    )
    partner = api.call("PUT", "/partners/ACME", {"gln": "4099999000005"}, token="admin")
    assert partner.status == 200 and partner.json["gln"] == "4099999000005"
    assert [p["name"] for p in api.get("/partners", token="read").json] == ["ACME"]


def test_labels_requested_over_the_api_are_commissioned_once(stack: Stack, workers: Any) -> None:
    from livekit import wait_until

    api = stack.api
    made = api.post("/labels", {"product": "DEMO-WIDGET", "count": 2, "lot": "L77",
                                "expiry": "261231"}, token="label",
                    headers={"Idempotency-Key": "epcis-commission-1"})  # fmt: skip
    assert made.status == 201, made.body
    jobs = made.json["jobs"]
    assert wait_until(lambda: all(api.get(f"/jobs/{j}", token="label").json["state"] == "printed"
                                  for j in jobs))  # fmt: skip
    epc = sgtin_uri(GTIN, made.json["items"][0]["serial"], 7)
    history = api.get(f"/epcis/events?MATCH_epc={quote(epc)}", token="read").json
    (event,) = history["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    assert (event["bizStep"], event["action"], len(event["epcList"])) == ("commissioning", "ADD", 2)
    assert event["ilmd"]["cbvmda:lotNumber"] == "L77"


def test_a_captured_unit_scanned_into_another_case_is_refused(stack: Stack) -> None:
    api = stack.api
    doc, asn = supplier_asn("ASN-CAP-5", "81")
    assert api.post("/epcis/capture", doc, token="receive").json["state"] == "succeeded"
    pallet, (case1, case2) = f"(00){asn['sscc']}", [f"(00){c}" for c in asn["case_ssccs"]]
    scan = "/receipts/ASN-CAP-5/scans"
    assert api.post(scan, {"code": pallet, "level": "pallet"}, token="receive").json["accepted"]
    for case in (case1, case2):
        body = {"code": case, "parent": pallet, "level": "case"}
        assert api.post(scan, body, token="receive").json["accepted"]
    serial = asn["units"][0][0].rsplit(".", 1)[1]  # a unit the supplier packed in case 1
    wrong = api.post(
        scan, {"code": f"(01){GTIN}(21){serial}", "parent": case2}, token="receive"
    ).json
    assert (wrong["accepted"], wrong["outcome"]) == (False, "not-in-that-container")
    right = api.post(
        scan, {"code": f"(01){GTIN}(21){serial}", "parent": case1}, token="receive"
    ).json
    assert (right["accepted"], right["outcome"]) == (True, "expected"), right


def test_an_admin_declares_an_event_in_error_over_the_api(stack: Stack) -> None:
    api = stack.api
    doc, asn = supplier_asn("ASN-CAP-6", "82")
    assert api.post("/epcis/capture", doc, token="receive").status == 202
    assert (
        api.post("/receipts/ASN-CAP-6/containers", {"sscc": asn["sscc"]}, token="receive").json[
            "received"
        ]
        == 7
    )
    exported = api.get(f"/exports/epcis?container={asn['sscc']}", token="read").json
    (event,) = [
        e
        for e in exported["epcisBody"]["eventList"]
        if e["type"] == "ObjectEvent" and e["epcList"] == [asn["pallet"]]
    ]
    body = {
        "code": asn["sscc"],
        "eventID": event["eventID"],
        "reason": "did_not_occur",
        "why": "wrong dock",
    }
    assert_problem(api.post("/epcis/errors", body, token="receive"), 403)
    assert api.post("/epcis/errors", body, token="admin").status == 201
    again = api.get(f"/exports/epcis?container={asn['sscc']}", token="read").json
    declared = [e for e in again["epcisBody"]["eventList"] if "errorDeclaration" in e]
    assert [d["eventID"] for d in declared] == [event["eventID"]]
    assert schema_errors(again) == []


def _all_pages(stack: Stack, path: str) -> list[list[str]]:
    """The eventIDs of every page, following the Link header."""
    pages = []
    while path:
        page = stack.api.get(path, token="read")
        assert page.status == 200, page.body
        body = page.json["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
        pages.append([e["eventID"] for e in body])
        link = page.headers.get("link", "")
        path = link[link.index("/api/v1") + 7 : link.index(">")] if link else ""
    return pages


def test_pages_hold_at_most_per_page_and_lose_or_repeat_nothing(stack: Stack) -> None:
    doc, asn = supplier_asn("ASN-CAP-7", "83")
    assert stack.api.post("/epcis/capture", doc, token="receive").status == 202
    stack.api.post("/receipts/ASN-CAP-7/containers", {"sscc": asn["sscc"]}, token="receive")
    (whole,) = _all_pages(stack, "/epcis/events?perPage=1000")
    pages = _all_pages(stack, "/epcis/events?perPage=3")
    assert all(len(p) <= 3 for p in pages) and len(pages) > 3
    assert [i for p in pages for i in p] == whole
