"""Station scans at the service level: a scan_id is applied once, ambiguous scans are refused,
the scanner check reads what a scanner typed, and line counts stay right as they move."""

from __future__ import annotations

from pathlib import Path

import pytest
from flows_support import GTIN

from labelsvc.domain.actors import SYSTEM, Actor
from labelsvc.gs1.scan import parse_scan
from labelsvc.services import packing, receiving
from labelsvc.services.app import App
from labelsvc.services.receipt_files import receipt_from_mapping
from labelsvc.services.scan_checks import LineShape, PoolShape, ambiguity
from labelsvc.services.scan_once import ScanRepeated
from labelsvc.services.scanner_check import CHECK_ELEMENTS, analyze, record_scanner_check
from labelsvc.services.stations import get_station, save_station
from labelsvc.store.scans import ScanRepo

GS = "\x1d"
MIGRATION = Path(__file__).resolve().parents[2] / "labelsvc/store/migrations/0021_scan_stations.py"


def _load(app: App, actor: Actor, reference: str = "ASN-S", **line: object) -> None:
    spec = receipt_from_mapping({"reference": reference, "lines": [{"gtin": GTIN, **line}]}, "t")
    receiving.load_receipt(app, spec, actor=actor)


def test_a_repeated_scan_id_answers_the_first_outcome_and_receives_once(
    flows: App, operator: Actor
) -> None:
    _load(flows, operator, quantity=5, serials=["S1", "S2"])
    first = receiving.receive_scan(flows, "ASN-S", f"(01){GTIN}(21)S1", actor=operator,
                                   scan_id="page-1")  # fmt: skip
    again = receiving.receive_scan(flows, "ASN-S", f"(01){GTIN}(21)S1", actor=operator,
                                   scan_id="page-1")  # fmt: skip
    assert (first.code, first.replayed) == ("expected", False)
    assert (again.code, again.accepted, again.replayed) == ("expected", True, True)
    view = receiving.get_receipt(flows, "ASN-S", actor=operator)
    assert view.lines[0].received == 1
    assert receiving.receipt_report(flows, "ASN-S", actor=operator).of_kind("duplicate") == []
    other = receiving.receive_scan(flows, "ASN-S", f"(01){GTIN}(21)S1", actor=operator,
                                   scan_id="page-2")  # fmt: skip
    assert other.code == "duplicate"  # a new scan of the same unit is a real duplicate


def test_a_refused_scan_keeps_no_claim_so_it_can_be_retried(
    flows: App, operator: Actor, supervisor: Actor
) -> None:
    _load(flows, operator, quantity=1)
    receiving.close_receipt(flows, "ASN-S", actor=supervisor, reason="test")
    with pytest.raises(Exception, match="closed"):
        receiving.receive_scan(flows, "ASN-S", f"(01){GTIN}(21)R1", actor=operator,
                               scan_id="page-r")  # fmt: skip
    with flows.store.read() as tx:
        assert ScanRepo(tx).get("page-r") is None  # rolled back with the refusal


def test_packing_scans_with_a_scan_id_pack_and_close_once(flows: App, operator: Actor) -> None:
    _load(flows, operator, quantity=12)
    units = receiving.receive_untagged(flows, "ASN-S", 1, 12, actor=operator).items
    case = packing.open_container(flows, "case", actor=operator, scan_id="open-1")
    with pytest.raises(ScanRepeated) as opened:
        packing.open_container(flows, "case", actor=operator, scan_id="open-1")
    assert (opened.value.outcome, opened.value.subject) == ("opened", case.sscc)
    for n, unit in enumerate(units):
        code = f"(01){GTIN}(21){unit.value}"
        packing.add_to_container(flows, case.sscc, code, actor=operator, scan_id=f"add-{n}")
    with pytest.raises(ScanRepeated) as packed:
        packing.add_to_container(flows, case.sscc, f"(01){GTIN}(21){units[0].value}",
                                 actor=operator, scan_id="add-0")  # fmt: skip
    assert packed.value.ok and "Packed into SSCC" in packed.value.detail
    closed = packing.close_container(flows, case.sscc, actor=operator, scan_id="close-1")
    with pytest.raises(ScanRepeated):
        packing.close_container(flows, case.sscc, actor=operator, scan_id="close-1")
    assert len(closed.job_ids) == 1
    with flows.store.read() as tx:
        assert len(tx.jobs.query(limit=1000)) == 2  # 12 unit labels in one job, one SSCC label


def test_line_counts_move_with_each_item_received(flows: App, operator: Actor) -> None:
    _load(flows, operator, quantity=30)
    receiving.receive_untagged(flows, "ASN-S", 1, 7, actor=operator)
    for n in range(3):
        receiving.receive_scan(flows, "ASN-S", f"(01){GTIN}(21)C{n}", actor=operator)
    receiving.receive_scan(flows, "ASN-S", f"(01){GTIN}(21)C0", actor=operator)  # duplicate
    assert receiving.get_receipt(flows, "ASN-S", actor=operator).lines[0].received == 10
    with flows.store.read() as tx:
        row = tx.receipts.get("ASN-S")
        assert row is not None and len(tx.receipts.item_ids(row.id)) == 10


LINE = [LineShape(lot="L2406", expiry="271231")]
POOL = PoolShape(12, "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ")


@pytest.mark.parametrize(
    ("scan", "sends_gs", "ambiguous"),
    [
        (f"]d201{GTIN}21WL000210L9999", "unknown", True),  # a lot of the line's shape
        (f"]d201{GTIN}21WL000217271231", "unknown", True),  # an expiry
        (f"]d201{GTIN}21WL0002{GS}10L9999", "unknown", False),  # GS: no doubt
        (f"]d201{GTIN}21SUP0010", "unknown", False),  # "10" with nothing after it
        (f"]d201{GTIN}21AB10X", "unknown", False),  # "X" is not shaped like a lot here
        (f"]d201{GTIN}21AB10X", "no", True),  # ...but this scanner is known to send no GS
        (f"]d201{GTIN}21ABCDEFGHJKLM10Q", "unknown", True),  # our 12-character serial + a lot
        (f"]d201{GTIN}21ABCDEFGHJKLM", "no", False),  # nothing swallowed
    ],
)
def test_ambiguous_values(scan: str, sends_gs: str, ambiguous: bool) -> None:
    why = ambiguity(parse_scan(scan), sends_gs=sends_gs, lines=LINE, pool=POOL)
    assert (why is not None) == ambiguous, why
    if why:
        assert "key in" in why and "scanner check" in why


def test_receiving_refuses_an_ambiguous_scan_on_a_station_without_gs(
    flows: App, operator: Actor
) -> None:
    save_station(flows, SYSTEM, "dock-x", role="receiving", printer=None)
    record_scanner_check(flows, operator, "dock-x", "]d2" + CHECK_ELEMENTS.replace(GS, ""),
                         suffix="enter")  # fmt: skip
    station = get_station(flows, "dock-x")
    assert station is not None and station.scanner_gs == "no"
    _load(flows, operator, quantity=5, lot="L1")
    done = receiving.receive_scan(flows, "ASN-S", f"]d201{GTIN}21AB10X", actor=operator,
                                  station="dock-x")  # fmt: skip
    assert (done.code, done.accepted) == ("ambiguous", False)
    elsewhere = receiving.receive_scan(flows, "ASN-S", f"]d201{GTIN}21AB10X", actor=operator,
                                       station="other")  # fmt: skip
    assert elsewhere.accepted  # a station whose scanner was not found wanting
    assert receiving.receipt_report(flows, "ASN-S", actor=operator).of_kind("rejected")


QWERTZ = CHECK_ELEMENTS.replace("Zy", "Yz")  # a German layout swaps y and z


@pytest.mark.parametrize(
    ("typed", "suffix", "expected"),
    [
        ("]d2" + CHECK_ELEMENTS, "enter", ("yes", "yes", "enter", "ok", True)),
        ("]d2" + CHECK_ELEMENTS.replace(GS, ""), "enter", ("no", "yes", "enter", "ok", False)),
        ("]d2" + CHECK_ELEMENTS.replace(GS, "~"), "tab", ("substitute", "yes", "tab", "ok", True)),
        (CHECK_ELEMENTS, "enter", ("yes", "no", "enter", "ok", True)),
        (
            "]d2" + CHECK_ELEMENTS.replace("Zy", "Yz"),
            "enter",
            ("yes", "yes", "enter", "wrong", False),
        ),
        ("]d2" + CHECK_ELEMENTS, "none", ("yes", "yes", "none", "ok", False)),
    ],
)
def test_scanner_check_reads_what_the_scanner_typed(
    typed: str, suffix: str, expected: tuple[str, str, str, str, bool]
) -> None:
    found = analyze(typed, suffix=suffix, substitute="~")
    assert (found.gs, found.aim, found.suffix, found.layout, found.ready) == expected
    assert found.ready or found.advice  # not ready always says what to change


def test_the_migration_uses_portable_sql_only() -> None:
    text = MIGRATION.read_text(encoding="utf-8").upper()
    for sqlite_only in ("AUTOINCREMENT", "OR IGNORE", "OR REPLACE", "PRAGMA", "STRFTIME"):
        assert sqlite_only not in text
    assert "UNIQUE (SCAN_ID)" in text


def test_scanner_check_finds_the_prefix_the_scanner_sends() -> None:
    found = analyze("\x02]d2" + CHECK_ELEMENTS, suffix="enter")
    assert (found.prefix, found.aim, found.gs, found.layout) == ("\x02", "yes", "yes", "ok")
    assert analyze("]d2" + CHECK_ELEMENTS, suffix="enter").prefix == ""
