"""Locations on both stores: sites, zones and bins from a file, putaway and move by scan
(a container moves its contents), where-is and bin contents, trace with locations."""

from __future__ import annotations

from pathlib import Path

import pytest
from flows_support import GTIN, hri

from labelsvc.domain.actors import Actor
from labelsvc.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from labelsvc.domain.topics import Topic
from labelsvc.services import packing, putaway, shipping, trace
from labelsvc.services.app import App
from labelsvc.services.flow_views import ItemView
from labelsvc.services.locations import (
    list_locations,
    read_locations_file,
    save_locations,
)
from labelsvc.services.receipt_files import receipt_from_mapping
from labelsvc.services.receiving import load_receipt, receive_untagged

LAYOUT = """
[[location]]
code = "WH1"
kind = "site"
name = "Main warehouse"
gln = "9506000000008"

[[location]]
code = "WH1-A"
kind = "zone"
parent = "WH1"

[[location]]
code = "WH1-A-01"
kind = "bin"
parent = "WH1-A"
gln = "9506000000008"
extension = "A01"

[[location]]
code = "WH1-A-02"
kind = "bin"
parent = "WH1-A"
gln = "9506000000008"
extension = "A02"
"""


def units(app: App, actor: Actor, count: int, ref: str = "ASN-L") -> list[ItemView]:
    """Received, labeled units of the demo product."""
    spec = receipt_from_mapping(
        {"reference": ref, "lines": [{"gtin": GTIN, "quantity": count, "lot": "L1"}]}, "test"
    )
    load_receipt(app, spec, actor=actor)
    return list(receive_untagged(app, ref, 1, count, actor=actor).items)


def layout(app: App, admin: Actor, tmp_path: Path) -> None:
    """The site, one zone and two bins, loaded from a TOML file."""
    path = tmp_path / "locations.toml"
    path.write_text(LAYOUT, encoding="utf-8")
    assert save_locations(app, read_locations_file(path), actor=admin) == (4, 0)


def test_layout_from_toml_and_csv_with_sgln(flows: App, admin: Actor, tmp_path: Path) -> None:
    layout(flows, admin, tmp_path)
    csv_file = tmp_path / "more.csv"
    csv_file.write_text("code,kind,parent,name\nWH1-B,zone,WH1,Cold\nWH1-B-01,bin,WH1-B,\n"
                        "WH1-A-01,bin,WH1-A,Renamed\n", encoding="utf-8")  # fmt: skip
    assert save_locations(flows, read_locations_file(csv_file), actor=admin) == (2, 1)
    shown = {v.code: v for v in list_locations(flows, actor=admin)}
    assert shown["WH1-A-01"].sgln == "urn:epc:id:sgln:9506000.00000.A01"
    assert shown["WH1-A-01"].name == "Renamed" and shown["WH1-A-01"].parent == "WH1-A"
    assert shown["WH1-B-01"].sgln is None
    bad = tmp_path / "bad.csv"
    bad.write_text("code,kind,parent\nX-1,bin,WH1\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="a bin needs a zone as parent"):
        save_locations(flows, read_locations_file(bad), actor=admin)
    bad.write_text("code,kind,gln\nX-2,site,9506000000009\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="check digit"):
        read_locations_file(bad)


def test_only_admins_change_the_layout(flows: App, operator: Actor, tmp_path: Path) -> None:
    path = tmp_path / "locations.toml"
    path.write_text(LAYOUT, encoding="utf-8")
    with pytest.raises(Forbidden):
        save_locations(flows, read_locations_file(path), actor=operator)


def test_putaway_move_where_is_and_contents(
    flows: App, admin: Actor, operator: Actor, tmp_path: Path
) -> None:
    layout(flows, admin, tmp_path)
    got = units(flows, operator, 14)
    case = packing.open_case(flows, actor=operator, gtin=GTIN)
    for u in got[:12]:
        packing.add_to_container(flows, case.sscc, hri(u), actor=operator)
    packing.close_container(flows, case.sscc, actor=operator)

    # item or container first, then the location; a bin label's 414+254 names the bin too
    first = putaway.move_to(flows, [f"00{case.sscc}"], "WH1-A-01", actor=operator)
    assert (first.count, first.moved[0].came_from) == (13, None)
    loose = putaway.move_to(flows, [hri(got[12]), hri(got[13])], "(414)9506000000008(254)A02",
                            actor=operator)  # fmt: skip
    assert loose.location.code == "WH1-A-02" and loose.count == 2
    in_a01 = putaway.contents(flows, "WH1-A-01", actor=operator)
    assert len(in_a01) == 13 and {v.level for v in in_a01} == {"case", "unit"}

    # a unit inside the case is not moved alone; the case moves with its contents
    with pytest.raises(Conflict) as inside:
        putaway.move_to(flows, [hri(got[0])], "WH1-A-02", actor=operator)
    assert inside.value.code == "in-container"
    with pytest.raises(Conflict) as same:
        putaway.move_to(flows, [hri(got[12])], "WH1-A-02", actor=operator)
    assert same.value.code == "already-there"
    moved = putaway.move_to(flows, [f"00{case.sscc}"], "WH1-A-02", actor=operator)
    assert moved.moved[0].came_from == "WH1-A-01"
    assert putaway.contents(flows, "WH1-A-01", actor=operator) == []
    with flows.store.read() as tx:  # partners hear of each move from the outbox
        told = [m.payload for m in tx.outbox.by_topic(Topic.ITEMS_MOVED, limit=10)]
    assert [(m["location"], m["count"]) for m in told] == [
        ("WH1-A-01", 13), ("WH1-A-02", 2), ("WH1-A-02", 13)]  # fmt: skip
    assert len(putaway.contents(flows, "WH1-A-02", actor=operator)) == 15

    where = putaway.where_is(flows, hri(got[0]), actor=operator)
    assert where.location is not None and where.location.code == "WH1-A-02"
    assert [(s.type, s.came_from, s.went_to) for s in where.history] == [
        ("putaway", None, "WH1-A-01"), ("moved", "WH1-A-01", "WH1-A-02")]  # fmt: skip
    t = trace.trace(flows, hri(got[0]), actor=operator)
    assert t.location == where.location and t.location_history == where.history
    assert [e.type for e in t.timeline][-2:] == ["putaway", "moved"]
    details = t.timeline[-1].details  # what the EPCIS export reads (contract with epcis)
    assert details["biz_location"] == "urn:epc:id:sgln:9506000.00000.A02"
    assert details["biz_step"] == "storing"

    shipping.ship(flows, f"00{case.sscc}", reference="SO-1", actor=operator)
    # what ships leaves its bin: the case and its 12 units; the 2 loose units stay
    assert len(putaway.contents(flows, "WH1-A-02", actor=operator)) == 2
    assert putaway.where_is(flows, hri(got[0]), actor=operator).location is None
    with pytest.raises(Conflict) as shipped:
        putaway.move_to(flows, [f"00{case.sscc}"], "WH1-A-01", actor=operator)
    assert shipped.value.code == "item-shipped"
    with pytest.raises(NotFound) as unknown:
        putaway.move_to(flows, [hri(got[12])], "NOWHERE", actor=operator)
    assert unknown.value.code == "location-unknown"


def test_one_refused_scan_moves_none(
    flows: App, admin: Actor, operator: Actor, tmp_path: Path
) -> None:
    layout(flows, admin, tmp_path)
    got = units(flows, operator, 2)
    with pytest.raises(NotFound):
        putaway.move_to(flows, [hri(got[0]), "(01)09506000134352(21)NOSUCH"], "WH1-A-01",
                        actor=operator)  # fmt: skip
    assert putaway.where_is(flows, hri(got[0]), actor=operator).location is None


def test_a_unit_packed_after_putaway_is_where_its_case_is(
    flows: App, admin: Actor, operator: Actor, tmp_path: Path
) -> None:
    layout(flows, admin, tmp_path)
    got = units(flows, operator, 2)
    case = packing.open_case(flows, actor=operator, gtin=GTIN)
    packing.add_to_container(flows, case.sscc, hri(got[0]), actor=operator)
    putaway.move_to(flows, [f"00{case.sscc}"], "WH1-A-01", actor=operator)
    putaway.move_to(flows, [hri(got[1])], "WH1-A-02", actor=operator)
    packing.add_to_container(flows, case.sscc, hri(got[1]), actor=operator)
    where = putaway.where_is(flows, hri(got[1]), actor=operator)
    assert where.location is not None and where.location.code == "WH1-A-01"
    assert [(s.type, s.came_from, s.went_to) for s in where.history][-1] == (
        "moved", "WH1-A-02", "WH1-A-01")  # fmt: skip
    assert putaway.contents(flows, "WH1-A-02", actor=operator) == []
    assert len(putaway.contents(flows, "WH1-A-01", actor=operator)) == 3
