"""Receiving against an ASN: tagged scans, outcomes with reason codes, the discrepancy report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from flows_support import GTIN, OTHER_GTIN

from labelsvc.domain.actors import Actor
from labelsvc.domain.errors import Conflict, Forbidden, InvalidInput
from labelsvc.gs1.check import make_sscc
from labelsvc.services import receiving, trace
from labelsvc.services.app import App
from labelsvc.services.receipt_files import read_receipt_file, receipt_from_mapping

SERIALS = ["SUP001", "SUP002", "SUP003", "SUP004", "SUP005"]


def sgtin(serial: str, gtin: str = GTIN, lot: str | None = None) -> str:
    return f"(01){gtin}(21){serial}" if lot is None else f"(01){gtin}(10){lot}(21){serial}"


def _load(app: App, actor: Actor, **line: object) -> None:
    spec = receipt_from_mapping(
        {"reference": "ASN-T", "supplier": "ACME", "lines": [{"gtin": GTIN, **line}]}, "test"
    )
    receiving.load_receipt(app, spec, actor=actor)


def test_extra_duplicate_and_missing_are_exactly_the_discrepancies(
    flows: App, operator: Actor, supervisor: Actor
) -> None:
    _load(flows, operator, serials=SERIALS, lot="L1")
    codes = [
        receiving.receive_scan(flows, "ASN-T", sgtin(s), actor=operator).code
        for s in [SERIALS[0], SERIALS[1], SERIALS[2], "EXTRA9", SERIALS[1]]
    ]
    assert codes == ["expected", "expected", "expected", "not-expected", "duplicate"]

    report = receiving.receipt_report(flows, "ASN-T", actor=operator)
    assert sorted(f.kind for f in report.findings) == ["duplicate", "short", "unexpected"]
    (short,) = report.of_kind("short")
    assert (short.line_no, short.quantity) == (1, 2)
    assert set(short.values) == {sgtin(SERIALS[3]), sgtin(SERIALS[4])}
    assert report.of_kind("unexpected")[0].values == (sgtin("EXTRA9"),)
    assert report.of_kind("duplicate")[0].values == (sgtin(SERIALS[1]),)
    line = receiving.get_receipt(flows, "ASN-T", actor=operator).lines[0]
    assert (line.quantity, line.received, line.listed) == (5, 3, 5)

    with pytest.raises(Forbidden):
        receiving.close_receipt(flows, "ASN-T", actor=operator, reason="short shipped")
    with pytest.raises(InvalidInput) as no_reason:
        receiving.close_receipt(flows, "ASN-T", actor=supervisor)
    assert no_reason.value.code == "reason-required"
    closed = receiving.close_receipt(flows, "ASN-T", actor=supervisor, reason="supplier short")
    assert closed.state == "closed"
    with pytest.raises(Conflict) as shut:
        receiving.receive_scan(flows, "ASN-T", sgtin(SERIALS[3]), actor=operator)
    assert shut.value.code == "receipt-closed"


def test_outcome_codes(flows: App, operator: Actor) -> None:
    _load(flows, operator, quantity=2, lot="L1")
    spec = receipt_from_mapping({"reference": "ASN-OLD", "lines": [{"gtin": GTIN, "quantity": 1}]},
                                "test")  # fmt: skip
    receiving.load_receipt(flows, spec, actor=operator)
    receiving.receive_scan(flows, "ASN-OLD", sgtin("OLD1"), actor=operator)

    def code(scan: str) -> str:
        return receiving.receive_scan(flows, "ASN-T", scan, actor=operator).code

    assert code(sgtin("A1", lot="L1")) == "expected"
    assert code(sgtin("A2", lot="L9")) == "wrong-lot"
    assert code(sgtin("A3", gtin=OTHER_GTIN)) == "wrong-gtin"
    assert code(sgtin("A4", gtin="09506000134383")) == "unknown"  # no such product here
    assert code(sgtin("OLD1")) == "known-elsewhere"
    assert code("not a code at all") == "unknown"
    assert code(sgtin("A5")) == "expected"
    assert code(sgtin("A6")) == "over"
    trace.quarantine(flows, sgtin("OLD1"), actor=operator, reason="hold")
    assert code(sgtin("OLD1")) == "item-quarantined"

    unit = trace.trace(flows, sgtin("A1"), actor=operator)
    assert (unit.item.state, unit.item.lot, unit.receipts) == ("commissioned", "L1", ("ASN-T",))
    report = receiving.receipt_report(flows, "ASN-T", actor=operator)
    assert sorted(f.kind for f in report.findings) == ["over", "rejected"]
    assert report.of_kind("rejected")[0].quantity == 6


def test_prelabeled_pallet_records_the_hierarchy_as_it_arrived(flows: App, operator: Actor) -> None:
    pallet, case = make_sscc(1, "4012345", 1), make_sscc(1, "4012345", 2)
    spec = receipt_from_mapping(
        {"reference": "ASN-P", "ssccs": [pallet],
         "lines": [{"gtin": GTIN, "quantity": 2, "ssccs": [case]}]}, "test",
    )  # fmt: skip
    receiving.load_receipt(flows, spec, actor=operator)
    r = receiving.receive_scan(flows, "ASN-P", pallet, actor=operator)
    assert (r.code, r.item and r.item.level) == ("expected", "pallet")
    r = receiving.receive_scan(flows, "ASN-P", f"(00){case}", actor=operator, parent=pallet)
    assert (r.code, r.item and r.item.level) == ("expected", "case")
    for s in ("P1", "P2"):
        receiving.receive_scan(flows, "ASN-P", sgtin(s), actor=operator, parent=case)
    with pytest.raises(InvalidInput) as bad:
        receiving.receive_scan(flows, "ASN-P", sgtin("P3"), actor=operator,
                               parent=make_sscc(1, "4012345", 3))  # fmt: skip
    assert bad.value.code == "parent-not-received"

    t = trace.trace(flows, pallet, actor=operator)
    assert [(d.level, d.parent) for d in t.descendants] == [
        ("case", f"SSCC {pallet}"), ("unit", f"SSCC {case}"), ("unit", f"SSCC {case}"),
    ]  # fmt: skip
    assert t.container is not None and t.container.state == "closed"
    unit = trace.trace(flows, sgtin("P1"), actor=operator)
    assert [a.value for a in unit.ancestors] == [case, pallet]
    assert receiving.receipt_report(flows, "ASN-P", actor=operator).clean


def test_receipt_files_csv_and_json(flows: App, operator: Actor, tmp_path: Path) -> None:
    csv_file = tmp_path / "po.csv"
    csv_file.write_text(
        "reference,kind,supplier,line,gtin,sku,quantity,lot,expiry,serials\n"
        "PO-9,po,ACME,1,,DEMO-WIDGET,3,L1,261231,\n"
        f"PO-9,po,ACME,2,{OTHER_GTIN},,2,,,S1;S2\n",
        encoding="utf-8",
    )
    view = receiving.load_receipt(flows, read_receipt_file(csv_file), actor=operator)
    assert view.kind == "po"
    assert [(ln.gtin, ln.quantity, ln.listed) for ln in view.lines] == [
        (GTIN, 3, 0), (OTHER_GTIN, 2, 2),
    ]  # fmt: skip
    with pytest.raises(Conflict) as again:
        receiving.load_receipt(flows, read_receipt_file(csv_file), actor=operator)
    assert again.value.code == "receipt-exists"

    bad = tmp_path / "asn.json"
    bad.write_text(json.dumps({"reference": "A", "lines": [{"gtin": GTIN, "lot": "L1"}]}))
    with pytest.raises(InvalidInput) as err:
        read_receipt_file(bad)
    assert "line 1" in err.value.detail and err.value.fields["field"] == "quantity"
    wrong_check_digit = {"gtin": "09506000134353", "quantity": 1}
    bad.write_text(json.dumps({"reference": "A", "lines": [wrong_check_digit]}))
    with pytest.raises(InvalidInput) as check:
        read_receipt_file(bad)
    assert check.value.fields["field"] == "gtin"


def test_untagged_labels_cannot_exceed_the_line(flows: App, operator: Actor) -> None:
    _load(flows, operator, quantity=3, lot="L1", expiry="261231")
    done = receiving.receive_untagged(flows, "ASN-T", 1, 2, actor=operator)
    assert all((i.state, i.lot, i.expiry) == ("commissioned", "L1", "261231") for i in done.items)
    assert done.job_ids
    with pytest.raises(Conflict) as over:
        receiving.receive_untagged(flows, "ASN-T", 1, 2, actor=operator)
    assert over.value.code == "line-over" and over.value.fields["remaining"] == 1
