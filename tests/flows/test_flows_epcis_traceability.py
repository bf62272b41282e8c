"""EPCIS that partners accept: where and why on every event, CBV 2.0 Event Hash IDs equal to
the reference implementation's, ids stable across exports and database copies, every first
label commissioned once with ILMD, corrections as error declarations, strict time bounds."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from epcis_event_hash_generator import hash_generator, json_to_py
from flows_support import GTIN, epcis_errors, hri
from livekit import new_store_url

from labelsvc.domain.actors import Actor
from labelsvc.domain.errors import Forbidden, InvalidInput, NotFound
from labelsvc.services import epcis, identity, labeling, packing, print_queue, shipping, trace
from labelsvc.services.app import App
from labelsvc.services.print_queue import WorkerSet
from labelsvc.store import Store
from labelsvc.store.copy import copy_store

SITE_GLN = "4012345000009"  # company prefix 4012345 (7 digits)


def reference_ids(document: dict[str, Any]) -> list[str]:
    """The reference implementation's Event Hash IDs of a document's events, in order."""
    events = json_to_py.event_list_from_epcis_document_json(document)
    return list(hash_generator.epcis_hashes_from_events(events))


def events_of(document: dict[str, Any]) -> list[dict[str, Any]]:
    return list(document["epcisBody"]["eventList"])


def send_all(app: App, actor: Actor, timeout: float = 60.0) -> None:
    """Run the print workers until every job was sent."""
    workers = WorkerSet(app, poll_seconds=0.05).start()
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            jobs = print_queue.list_jobs(app, actor)
            if jobs and all(j.state == "sent" for j in jobs):
                return
            time.sleep(0.05)
        raise AssertionError(f"jobs not sent: {[(j.id, j.state) for j in jobs]}")
    finally:
        workers.stop()


def identities(app: App, admin: Actor) -> None:
    identity.set_site_identity(app, admin, gln=SITE_GLN, prefix_length=7, timezone="Europe/Berlin")


def packed_pallet(app: App, operator: Actor, supervisor: Actor) -> dict[str, Any]:
    """Labels printed (commissioned), two cases packed on a pallet, shipped, unshipped,
    held and released, one unit unpacked and voided: every event kind the service emits."""
    request = labeling.request_labels(
        app, count=4, actor=operator, product=GTIN, lot="L-9", expiry="271130", station="dock-1"
    )
    send_all(app, operator)
    units = request.items
    cases = []
    for pair in (units[:2], units[2:]):
        case = packing.open_case(app, actor=operator, gtin=GTIN)
        for unit in pair:
            packing.add_to_container(app, case.sscc, hri(unit), actor=operator)
        cases.append(packing.close_container(app, case.sscc, actor=operator, reason="short"))
    pallet = packing.open_pallet(app, actor=operator)
    for case in cases:
        packing.add_to_container(app, pallet.sscc, case.sscc, actor=operator)
    packing.close_container(app, pallet.sscc, actor=operator)
    shipping.ship(app, pallet.sscc, reference="DN-4711", actor=operator)
    shipping.unship(app, pallet.sscc, actor=supervisor, reason="truck left without it")
    trace.quarantine(app, cases[1].sscc, actor=supervisor, reason="damp", recall=False)
    trace.release(app, cases[1].sscc, actor=supervisor, reason="dry")
    trace.quarantine(app, cases[1].sscc, actor=supervisor, reason="supplier", recall=True)
    trace.release(app, cases[1].sscc, actor=supervisor, reason="not ours")
    packing.unpack_container(app, cases[0].sscc, actor=supervisor, reason="damaged")
    labeling.void(app, hri(units[0]), reason="label torn", actor=supervisor)
    send_all(app, operator)
    return {"units": units, "cases": cases, "pallet": pallet}


@pytest.fixture
def scene(flows: App, admin: Actor, operator: Actor, supervisor: Actor) -> dict[str, Any]:
    identities(flows, admin)
    return packed_pallet(flows, operator, supervisor)


def test_every_event_id_is_the_reference_event_hash(
    flows: App, scene: dict[str, Any], operator: Actor
) -> None:
    doc = epcis.export_epcis(flows, actor=operator, since="2000-01-01T00:00:00Z")
    assert epcis_errors(doc) == []
    events = events_of(doc)
    kinds = {(e["type"], e["action"], e["bizStep"]) for e in events}
    assert {
        ("ObjectEvent", "ADD", "commissioning"),
        ("AggregationEvent", "ADD", "packing"),
        ("AggregationEvent", "DELETE", "unpacking"),
        ("ObjectEvent", "OBSERVE", "shipping"),
        ("ObjectEvent", "OBSERVE", "receiving"),
        ("ObjectEvent", "OBSERVE", "holding"),
        ("ObjectEvent", "OBSERVE", "inspecting"),
        ("ObjectEvent", "OBSERVE", "packing"),
        ("ObjectEvent", "DELETE", "decommissioning"),
    } <= kinds
    dispositions = {e.get("disposition") for e in events}
    assert {
        "recalled",
        "non_sellable_other",
        "container_closed",
        "container_open",
        "returned",
        "in_transit",
        "inactive",
    } <= dispositions
    assert [e["eventID"] for e in events] == reference_ids(doc)
    assert all(
        e["eventID"].startswith("ni:///sha-256;") and e["eventID"].endswith("?ver=CBV2.0")
        for e in events
    )


def test_events_say_where_and_why(flows: App, scene: dict[str, Any], operator: Actor) -> None:
    doc = epcis.export_epcis(flows, actor=operator, container=scene["pallet"].sscc)
    events = events_of(doc)
    assert events and all("readPoint" in e and "bizLocation" in e for e in events)
    assert {e["bizLocation"]["id"] for e in events} == {"urn:epc:id:sgln:4012345.00000.0"}
    assert {e["eventTimeZoneOffset"] for e in events} == {"+01:00"}  # Berlin in December
    commissioned = [e for e in events if e["bizStep"] == "commissioning" and "ilmd" in e]
    assert commissioned[0]["readPoint"] == {"id": "urn:epc:id:sgln:4012345.00000.dock-1"}
    (shipped,) = [e for e in events if e["bizStep"] == "shipping" and "errorDeclaration" not in e]
    assert shipped["bizTransactionList"] == [
        {"type": "desadv", "bizTransaction": "urn:epcglobal:cbv:bt:4012345000009:DN-4711"}
    ]
    assert {"type": "owning_party", "source": "urn:epc:id:pgln:4012345.00000"} in shipped[
        "sourceList"
    ]


def test_first_labels_commission_once_with_ilmd(
    flows: App, scene: dict[str, Any], operator: Actor, supervisor: Actor
) -> None:
    unit = scene["units"][2]
    labeling.reprint(flows, hri(unit), reason="smudged", actor=supervisor)
    send_all(flows, operator)
    doc = epcis.export_epcis(flows, actor=operator, container=scene["cases"][1].sscc)
    adds = [
        e
        for e in events_of(doc)
        if e["bizStep"] == "commissioning" and any("sgtin" in epc for epc in e.get("epcList", []))
    ]
    assert len(adds) == 1  # the print of four labels, once, whatever was reprinted
    assert adds[0]["ilmd"] == {"cbvmda:lotNumber": "L-9", "cbvmda:itemExpirationDate": "2027-11-30"}
    timeline = [e.type for e in trace.trace(flows, hri(unit), actor=operator).timeline]
    assert timeline.count("commissioned") == 1 and timeline.index("commissioned") < timeline.index(
        "packed"
    )


def test_case_and_pallet_exports_share_ids_and_corrections_declare_errors(
    flows: App, scene: dict[str, Any], operator: Actor
) -> None:
    case = events_of(epcis.export_epcis(flows, actor=operator, container=scene["cases"][0].sscc))
    pallet = events_of(epcis.export_epcis(flows, actor=operator, container=scene["pallet"].sscc))
    shared = {e["eventID"] for e in case} & {e["eventID"] for e in pallet}
    shipped = [e for e in case if e["bizStep"] == "shipping" and "errorDeclaration" not in e]
    assert shipped and shipped[0]["eventID"] in shared
    plain = {e["eventID"]: e for e in pallet if "errorDeclaration" not in e}
    assert plain[shipped[0]["eventID"]] == shipped[0]  # the same event in both exports
    declared = [e for e in pallet if "errorDeclaration" in e]
    unshipped = [
        e for e in pallet if e["bizStep"] == "receiving" and e.get("disposition") == "returned"
    ]
    # unship (did not occur), then the unpack of a shipped case and the void of a shipped
    # unit (incorrect data) each declare the shipping event in error
    assert {d["eventID"] for d in declared} == {shipped[0]["eventID"]}
    reasons = [d["errorDeclaration"]["reason"] for d in declared]
    assert reasons == ["did_not_occur", "incorrect_data", "incorrect_data"]
    assert declared[0]["errorDeclaration"]["correctiveEventIDs"] == [unshipped[0]["eventID"]]
    assert [
        e for e in pallet if e["eventID"] == shipped[0]["eventID"] and "errorDeclaration" not in e
    ]


@pytest.mark.sqlite_only  # db copy moves a SQLite site; both target kinds are tried below
def test_ids_survive_a_database_copy(
    flows: App, scene: dict[str, Any], operator: Actor, store_kind: str, tmp_path: Path
) -> None:
    before = events_of(epcis.export_epcis(flows, actor=operator, since="2000-01-01T00:00:00Z"))
    for kind in ("sqlite", "postgresql"):
        with new_store_url(kind) as url:
            target = Store(url or tmp_path / kind / "moved.db")
            copy_store(flows.store, target)
            moved = App(settings=flows.settings, store=target)
            after = events_of(
                epcis.export_epcis(moved, actor=operator, since="2000-01-01T00:00:00Z")
            )
            target.shutdown()
        assert [e["eventID"] for e in after] == [e["eventID"] for e in before]


def test_time_bounds_are_instants(flows: App, scene: dict[str, Any], operator: Actor) -> None:
    utc = events_of(epcis.export_epcis(flows, actor=operator, since="2000-01-01T00:00:00Z"))
    plus2 = events_of(epcis.export_epcis(flows, actor=operator, since="2000-01-01T02:00:00+02:00"))
    assert len(utc) == len(plus2) > 20
    first = utc[0]["eventTime"]
    later = events_of(epcis.export_epcis(flows, actor=operator, until=first.replace("+00:00", "Z")))
    assert later == []
    for bad in ("garbage", "2025-01-01", "2025-01-01T00:00:00"):
        with pytest.raises(InvalidInput) as caught:
            epcis.export_epcis(flows, actor=operator, since=bad)
        assert caught.value.code == "time-invalid"


def test_where_is_fixed_when_the_event_is_written(
    flows: App, admin: Actor, operator: Actor, supervisor: Actor
) -> None:
    identities(flows, admin)
    scene = packed_pallet(flows, operator, supervisor)
    before = events_of(epcis.export_epcis(flows, actor=operator, container=scene["pallet"].sscc))
    identity.set_site_identity(flows, admin, gln="9506000000008", timezone="America/New_York")
    after = events_of(epcis.export_epcis(flows, actor=operator, container=scene["pallet"].sscc))
    assert [e["eventID"] for e in after] == [e["eventID"] for e in before]
    new = packing.open_case(flows, actor=operator, gtin=GTIN)
    (opened,) = events_of(epcis.export_epcis(flows, actor=operator, container=new.sscc))
    assert opened["eventTimeZoneOffset"] == "-05:00"
    assert opened["bizLocation"] == {"id": "urn:epc:id:sgln:9506000.00000.0"}


def test_station_identity_and_details_override_the_defaults(
    flows: App, admin: Actor, operator: Actor
) -> None:
    identities(flows, admin)
    from labelsvc.services.stations import save_station

    save_station(flows, admin, "dock-9", role="packing", printer=None)
    assert identity.set_station_sgln(flows, admin, "dock-9", "door9") == (
        "urn:epc:id:sgln:4012345.00000.door9"
    )
    case = packing.open_case(flows, actor=operator, gtin=GTIN, station="dock-9")
    (opened,) = events_of(epcis.export_epcis(flows, actor=operator, container=case.sscc))
    assert opened["readPoint"] == {"id": "urn:epc:id:sgln:4012345.00000.door9"}
    with flows.store.write() as tx:  # a putaway as the locations work writes it
        item = tx.items.find("sscc", case.sscc)
        assert item is not None
        tx.events.append(
            "putaway",  # a type this module does not know: exported by its biz_step
            actor="user:olga",
            station="dock-9",
            item_id=item.id,
            details={
                "biz_location": "urn:epc:id:sgln:4012345.00077.0",
                "biz_step": "storing",
                "disposition": "sellable_accessible",
            },
        )
    doc = epcis.export_epcis(flows, actor=operator, container=case.sscc)
    stored = events_of(doc)[-1]
    assert (stored["bizStep"], stored["disposition"], stored["bizLocation"]["id"]) == (
        "storing",
        "sellable_accessible",
        "urn:epc:id:sgln:4012345.00077.0",
    )
    assert [e["eventID"] for e in events_of(doc)] == reference_ids(doc)


def _gln(body: str) -> str:
    from labelsvc.gs1.check import check_digit

    return body + check_digit(body)


def test_sources_and_destinations_are_the_partners_as_they_were(
    flows: App, admin: Actor, operator: Actor
) -> None:
    from labelsvc.services import receiving
    from labelsvc.services.receipt_files import receipt_from_mapping

    identities(flows, admin)
    identity.save_partner(flows, admin, "ACME", gln=_gln("409999900000"))
    identity.save_partner(
        flows, admin, "SHOP", gln=_gln("409888800000"), sgln="urn:epc:id:sgln:4098888.00000.gate2"
    )
    spec = receipt_from_mapping(
        {"reference": "ASN-P1", "supplier": "ACME", "lines": [{"gtin": GTIN, "quantity": 2}]},
        "test",
    )
    receiving.load_receipt(flows, spec, actor=operator)
    units = receiving.receive_untagged(flows, "ASN-P1", 1, 2, actor=operator).items
    case = packing.open_case(flows, actor=operator, gtin=GTIN)
    for unit in units:
        packing.add_to_container(flows, case.sscc, hri(unit), actor=operator)
    packing.close_container(flows, case.sscc, actor=operator, reason="short")
    shipping.ship(flows, case.sscc, reference="DN-9", actor=operator, partner="SHOP")
    before = events_of(epcis.export_epcis(flows, actor=operator, container=case.sscc))
    (received,) = [
        e
        for e in before
        if e.get("bizTransactionList", [{}])[0].get("bizTransaction", "").endswith(":ASN-P1")
    ]
    assert received["sourceList"] == [
        {"type": "owning_party", "source": "urn:epc:id:pgln:4099999.00000"},
        {"type": "location", "source": "urn:epc:id:sgln:4099999.00000.0"},
    ]
    assert received["destinationList"][1] == {
        "type": "location",
        "destination": "urn:epc:id:sgln:4012345.00000.0",
    }
    (shipped,) = [e for e in before if e["bizStep"] == "shipping"]
    assert shipped["destinationList"][1] == {
        "type": "location",
        "destination": "urn:epc:id:sgln:4098888.00000.gate2",
    }
    with flows.store.read() as tx, pytest.raises(NotFound, match="no partner"):
        identity.partner_place(tx, "NOBODY", "destination_sgln")
    identity.save_partner(flows, admin, "ACME", gln=_gln("409777700000"))  # an edit later
    identity.save_partner(flows, admin, "SHOP", gln=_gln("409666600000"))
    after = events_of(epcis.export_epcis(flows, actor=operator, container=case.sscc))
    assert [e["eventID"] for e in after] == [e["eventID"] for e in before]
    doc = epcis.export_epcis(flows, actor=operator, container=case.sscc)
    assert [e["eventID"] for e in events_of(doc)] == reference_ids(doc)


def test_labels_printed_from_the_cli_commission_and_the_cli_sets_identities(
    flows: App, tmp_path: Path
) -> None:
    import json

    from click.testing import CliRunner

    from labelsvc.cli import main

    base = flows.settings.base_dir
    url = flows.settings.storage.url
    (base / "config.toml").write_text(f"[storage]\nurl = {json.dumps(url)}\n", encoding="utf-8")

    def run(*args: str) -> str:
        result = CliRunner().invoke(main, ["--config", str(base / "config.toml"), *args])
        assert result.exit_code == 0, result.output
        return result.stdout

    shown = json.loads(run("identity", "site", "--gln", SITE_GLN, "--timezone", "Asia/Tokyo"))
    assert (shown["sgln"], shown["offset_now"]) == ("urn:epc:id:sgln:4012345.00000.0", "+09:00")
    run("print", "--product", GTIN, "--count", "3", "--lot", "L5", "--expiry", "271231")
    out = tmp_path / "all.jsonld"
    run("export", "epcis", "--since", "2000-01-01T00:00:00+09:00", "-o", str(out))
    doc = json.loads(out.read_text())
    (added,) = [e for e in events_of(doc) if e["bizStep"] == "commissioning"]
    assert len(added["epcList"]) == 3 and added["action"] == "ADD"
    assert added["ilmd"] == {"cbvmda:lotNumber": "L5", "cbvmda:itemExpirationDate": "2027-12-31"}
    assert added["eventTimeZoneOffset"] == "+09:00"
    assert [e["eventID"] for e in events_of(doc)] == reference_ids(doc)
    history = json.loads(run("epcis", "events", "--epc", added["epcList"][0]))
    found = history["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    assert [e["eventID"] for e in found] == [added["eventID"]]


def test_an_admin_fix_declares_an_event_in_error(
    flows: App, scene: dict[str, Any], admin: Actor, operator: Actor
) -> None:
    case = scene["cases"][1].sscc
    before = events_of(epcis.export_epcis(flows, actor=operator, container=case))
    (closed,) = [e for e in before if e.get("disposition") == "container_closed"]
    with pytest.raises(Forbidden):
        epcis.declare_error(
            flows,
            operator,
            case,
            closed["eventID"],
            reason="incorrect_data",
            why="closed on the wrong line",
        )
    epcis.declare_error(
        flows,
        admin,
        case,
        closed["eventID"],
        reason="incorrect_data",
        why="closed on the wrong line",
    )
    doc = epcis.export_epcis(flows, actor=operator, container=case)
    after = events_of(doc)
    assert [e for e in after if "errorDeclaration" not in e] == [
        e for e in before if "errorDeclaration" not in e
    ]  # the original stays
    (fix,) = [e for e in after if "errorDeclaration" in e and e["eventID"] == closed["eventID"]]
    assert fix["errorDeclaration"]["reason"] == "incorrect_data"
    assert epcis_errors(doc) == []
    assert [e["eventID"] for e in after] == reference_ids(doc)
    with pytest.raises(NotFound):
        epcis.declare_error(
            flows, admin, case, "ni:///sha-256;00?ver=CBV2.0", reason="did_not_occur", why="x"
        )
