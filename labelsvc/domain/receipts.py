"""Receiving rules: what a scan against a receipt means, and what is over, short or unexpected.

Every scan gets one outcome with a stable reason code the operator sees. Accepted outcomes
record the item as received; refused ones are logged only, so the report can show them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from labelsvc.domain.lifecycle import Refusal, hold_refusal, retired_refusal

Code = Literal[
    "expected", "not-expected", "over", "duplicate", "unknown", "wrong-gtin", "wrong-lot",
    "known-elsewhere", "item-voided", "item-decommissioned", "item-quarantined",
    "item-recalled", "unreadable", "ambiguous",
]  # fmt: skip
#: Outcomes that record the item as received (the rest are refused).
ACCEPTED = frozenset({"expected", "not-expected", "over"})
#: Accepted outcomes that are still a discrepancy: a station shows them amber, not green.
DISCREPANT = frozenset({"not-expected", "over"})
#: States of an item we know that may still arrive (issued to a supplier, not yet here).
ARRIVABLE = frozenset({"allocated", "labeled"})


@dataclass(frozen=True)
class LineFacts:
    """One expected line as far as classification needs it."""

    line_id: int
    line_no: int
    gtin: str | None
    lot: str | None
    quantity: int
    received: int
    lists_serials: bool  # the ASN named the serials of this line


@dataclass(frozen=True)
class ScanFacts:
    """What the store knows about one scanned identifier (SGTIN or SSCC)."""

    name: str  # how the item is named to a person
    kind: Literal["sgtin", "sscc"]
    gtin: str | None = None  # the unit's GTIN (SGTIN scans)
    lot: str | None = None  # AI (10) when the scan carried one
    product_known: bool = False
    known: bool = False  # the identifier is stored already
    state: str | None = None
    hold: str | None = None
    in_this_receipt: bool = False
    elsewhere: str | None = None  # the other receipt (or place) that already holds it
    expected_line_id: int | None = None  # line whose expected list names it
    expected_any: bool = False  # the ASN lists expected identifiers of this kind
    lines: Sequence[LineFacts] = ()


@dataclass(frozen=True)
class Outcome:
    """The verdict on one scan: its reason code, whether it was accepted, and the line."""

    code: str
    detail: str
    accepted: bool
    line_id: int | None = None


def _refused(refusal: Refusal) -> Outcome:
    return Outcome(refusal.code, refusal.detail, False)


def classify(f: ScanFacts) -> Outcome:
    """Classify a scan against a receipt; the first rule that applies decides."""
    if f.in_this_receipt:
        return Outcome(
            "duplicate",
            f"{f.name} was received on this receipt already; it is counted once, "
            "scan the next unit.",
            False,
        )
    if f.known:
        found = retired_refusal(f.name, f.state or "") or hold_refusal(f.name, f.hold)
        if found:
            return _refused(found)
        if f.elsewhere or (f.state or "") not in ARRIVABLE:
            where = f.elsewhere or f"here already ({f.state})"
            return Outcome(
                "known-elsewhere", f"{f.name} is known elsewhere: {where}; set it aside.", False
            )
    if f.kind == "sscc":
        return _classify_sscc(f)
    return _classify_unit(f)


def _classify_sscc(f: ScanFacts) -> Outcome:
    if f.expected_line_id is None and f.expected_any:
        return Outcome("not-expected", f"{f.name} is not on the ASN; received as unexpected.", True)
    return Outcome("expected", f"{f.name} received.", True)  # SSCCs count on no unit line


def _classify_unit(f: ScanFacts) -> Outcome:
    lines = [ln for ln in f.lines if ln.gtin == f.gtin]
    if f.expected_line_id is not None:
        line = next(ln for ln in f.lines if ln.line_id == f.expected_line_id)
        if f.lot and line.lot and f.lot != line.lot:
            return _wrong_lot(f, [line])
        return Outcome("expected", f"{f.name} expected on line {line.line_no}.", True, line.line_id)
    if not lines:
        if not f.product_known:
            return Outcome(
                "unknown",
                f"{f.name}: GTIN {f.gtin} is not a product known here; set it "
                "aside and ask a supervisor to add the product.",
                False,
            )
        return Outcome(
            "wrong-gtin",
            f"{f.name}: GTIN {f.gtin} is on no line of this receipt; set "
            "it aside for a supervisor.",
            False,
        )
    if f.lot:
        same_lot = [ln for ln in lines if ln.lot in (None, f.lot)]
        if not same_lot:
            return _wrong_lot(f, lines)
        lines = same_lot
    if all(ln.lists_serials for ln in lines):
        return Outcome(
            "not-expected",
            f"{f.name} is not among the serials the ASN lists; received as unexpected.",
            True,
        )
    open_lines = [ln for ln in lines if not ln.lists_serials]
    line = next((ln for ln in open_lines if ln.received < ln.quantity), open_lines[-1])
    if line.received >= line.quantity:
        return Outcome(
            "over",
            f"{f.name}: line {line.line_no} has all {line.quantity} already; received as over.",
            True,
            line.line_id,
        )
    return Outcome("expected", f"{f.name} counted on line {line.line_no}.", True, line.line_id)


def _wrong_lot(f: ScanFacts, lines: Sequence[LineFacts]) -> Outcome:
    wanted = ", ".join(sorted({ln.lot for ln in lines if ln.lot}))
    return Outcome(
        "wrong-lot",
        f"{f.name} is lot {f.lot}; the receipt expects lot {wanted}. Set it "
        "aside for a supervisor.",
        False,
    )


@dataclass(frozen=True)
class LineCount:
    """Expected against received for one line, with the listed serials still missing."""

    line_no: int
    gtin: str | None
    sku: str | None
    lot: str | None
    quantity: int
    received: int
    missing: tuple[str, ...] = ()


@dataclass(frozen=True)
class Discrepancy:
    """One finding of the report."""

    kind: Literal["over", "short", "unexpected", "duplicate", "rejected"]
    detail: str
    line_no: int | None = None
    quantity: int = 1
    values: tuple[str, ...] = ()


@dataclass(frozen=True)
class DiscrepancyReport:
    """Over, short, unexpected, duplicate and rejected findings of one receipt."""

    reference: str
    lines: tuple[LineCount, ...]
    findings: tuple[Discrepancy, ...] = field(default=())

    @property
    def clean(self) -> bool:
        """True when what arrived is exactly what was expected."""
        return not self.findings

    def of_kind(self, kind: str) -> list[Discrepancy]:
        """The findings of one kind."""
        return [d for d in self.findings if d.kind == kind]


def discrepancies(
    reference: str,
    lines: Sequence[LineCount],
    *,
    unexpected: Sequence[str] = (),
    duplicates: Sequence[str] = (),
    rejected: Sequence[tuple[str, str]] = (),
    missing_unlined: Sequence[str] = (),
) -> DiscrepancyReport:
    """Compare lines with what arrived; ``rejected`` holds (name, reason code) pairs.

    ``missing_unlined`` are listed identifiers tied to no line (the ASN's pallets) that
    did not arrive.
    """
    found: list[Discrepancy] = []
    for ln in lines:
        what = ln.gtin or ln.sku or "?"
        if ln.received > ln.quantity:
            n = ln.received - ln.quantity
            found.append(
                Discrepancy("over", f"line {ln.line_no} ({what}): {n} over.", ln.line_no, n)
            )
        if ln.received < ln.quantity:
            n = ln.quantity - ln.received
            found.append(
                Discrepancy("short", f"line {ln.line_no} ({what}): {n} short.", ln.line_no, n,
                            ln.missing)
            )  # fmt: skip
    if missing_unlined:
        found.append(
            Discrepancy("short", f"{len(missing_unlined)} listed SSCC(s) did not arrive.", None,
                        len(missing_unlined), tuple(missing_unlined))
        )  # fmt: skip
    if unexpected:
        found.append(
            Discrepancy("unexpected", f"{len(unexpected)} not on the ASN.", None, len(unexpected),
                        tuple(unexpected))
        )  # fmt: skip
    if duplicates:
        found.append(
            Discrepancy("duplicate", f"{len(duplicates)} scanned twice.", None, len(duplicates),
                        tuple(duplicates))
        )  # fmt: skip
    if rejected:
        found.append(
            Discrepancy("rejected", f"{len(rejected)} refused.", None, len(rejected),
                        tuple(f"{name} ({code})" for name, code in rejected))
        )  # fmt: skip
    return DiscrepancyReport(reference, tuple(lines), tuple(found))
