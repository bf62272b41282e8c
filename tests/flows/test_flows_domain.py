"""The pure rules: lifecycle, nesting, receiving outcomes, discrepancies, EPC URIs."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from labelsvc.domain.lifecycle import pack_refusal, ship_refusal, state_after_unship
from labelsvc.domain.nesting import add_refusal, close_refusal, nest_refusal
from labelsvc.domain.receipts import LineCount, LineFacts, ScanFacts, classify, discrepancies
from labelsvc.gs1.ai import CSET82
from labelsvc.services.epcis import epc_escape, sgtin_uri, sscc_uri

G = "09506000134352"


@pytest.mark.parametrize(
    ("state", "hold", "code"),
    [
        ("voided", None, "item-voided"),
        ("commissioned", "quarantine", "item-quarantined"),
        ("packed", "recall", "item-recalled"),
        ("shipped", None, "item-shipped"),
        ("decommissioned", None, "item-decommissioned"),
    ],
)
def test_packing_refuses_with_the_reason(state: str, hold: str | None, code: str) -> None:
    found = pack_refusal("X", state, hold)
    assert found is not None and found.code == code
    assert "X" in found.detail


def test_packable_states_pass() -> None:
    assert all(pack_refusal("X", s, None) is None for s in ("allocated", "labeled", "commissioned"))
    assert ship_refusal("X", "shipped", None) is not None
    assert state_after_unship(True) == "packed" and state_after_unship(False) == "commissioned"


def test_levels_only_go_up() -> None:
    assert nest_refusal("u", "unit", "c", "case", loose_units_on_pallets=False) is None
    assert nest_refusal("c", "case", "p", "pallet", loose_units_on_pallets=False) is None
    for child, parent in [("case", "case"), ("pallet", "case"), ("pallet", "pallet")]:
        found = nest_refusal("a", child, "b", parent, loose_units_on_pallets=True)
        assert found is not None and found.code == "nest-level"
    loose = nest_refusal("u", "unit", "p", "pallet", loose_units_on_pallets=False)
    assert loose is not None and loose.code == "loose-unit"
    assert nest_refusal("u", "unit", "p", "pallet", loose_units_on_pallets=True) is None


def test_capacity_and_closing() -> None:
    assert add_refusal("c", "open", 11, 12) is None
    full = add_refusal("c", "open", 12, 12)
    assert full is not None and full.code == "container-full"
    closed = add_refusal("c", "closed", 0, 12)
    assert closed is not None and closed.code == "container-closed"
    early = close_refusal("c", "open", 5, 12, None)
    assert early is not None and early.code == "close-early-reason"
    assert close_refusal("c", "open", 5, 12, "end of shift") is None
    empty = close_refusal("c", "open", 0, 12, "x")
    assert empty is not None and empty.code == "container-empty"
    assert close_refusal("c", "open", 12, 12, None) is None


LINE = LineFacts(line_id=7, line_no=1, gtin=G, lot="L1", quantity=2, received=0,
                 lists_serials=False)  # fmt: skip


def _facts(**kw: object) -> ScanFacts:
    base: dict[str, object] = {"name": "u", "kind": "sgtin", "gtin": G, "product_known": True,
                               "lines": [LINE]}  # fmt: skip
    return ScanFacts(**{**base, **kw})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("facts", "code", "accepted"),
    [
        (_facts(), "expected", True),
        (_facts(in_this_receipt=True, known=True, state="commissioned"), "duplicate", False),
        (_facts(gtin="09506000134369", product_known=False), "unknown", False),
        (_facts(gtin="09506000134369"), "wrong-gtin", False),
        (_facts(lot="L2"), "wrong-lot", False),
        (_facts(known=True, state="commissioned", elsewhere="receipt A"), "known-elsewhere", False),
        (_facts(known=True, state="voided"), "item-voided", False),
        (_facts(known=True, state="labeled", hold="quarantine"), "item-quarantined", False),
        (_facts(known=True, state="labeled"), "expected", True),
        (_facts(lines=[LineFacts(7, 1, G, None, 2, 2, False)]), "over", True),
        (_facts(lines=[LineFacts(7, 1, G, None, 2, 0, True)]), "not-expected", True),
        (_facts(lines=[LineFacts(7, 1, G, None, 2, 0, True)], expected_line_id=7), "expected",
         True),
        (_facts(kind="sscc", gtin=None), "expected", True),
        (_facts(kind="sscc", gtin=None, expected_any=True), "not-expected", True),
    ],
)  # fmt: skip
def test_scan_outcomes(facts: ScanFacts, code: str, accepted: bool) -> None:
    outcome = classify(facts)
    assert (outcome.code, outcome.accepted) == (code, accepted)


def test_discrepancies_over_short_unexpected_duplicate() -> None:
    report = discrepancies(
        "ASN",
        [LineCount(1, G, None, None, 5, 3, ("a", "b")), LineCount(2, G, None, None, 1, 2),
         LineCount(3, G, None, None, 4, 4)],
        unexpected=["x"], duplicates=["y"],
    )  # fmt: skip
    assert [(d.kind, d.line_no, d.quantity) for d in report.findings] == [
        ("short", 1, 2), ("over", 2, 1), ("unexpected", None, 1), ("duplicate", None, 1),
    ]  # fmt: skip
    assert report.of_kind("short")[0].values == ("a", "b")
    assert not report.clean
    assert discrepancies("ASN", [LineCount(1, G, None, None, 1, 1)]).clean


def test_epc_uris_follow_the_company_prefix_length() -> None:
    assert sgtin_uri(G, "ABC123", 7) == "urn:epc:id:sgtin:9506000.013435.ABC123"
    tds = sgtin_uri("80614141123458", "6789", 7)  # the example of the EPC Tag Data Standard
    assert tds == "urn:epc:id:sgtin:0614141.812345.6789"
    assert sgtin_uri(G, "1", 9) == "urn:epc:id:sgtin:950600013.0435.1"
    assert sscc_uri("095060000000000015", 7) == "urn:epc:id:sscc:9506000.0000000001"
    assert sscc_uri("106141411234567897", 7) == "urn:epc:id:sscc:0614141.1123456789"  # TDS example


def test_epc_serials_are_percent_encoded() -> None:
    assert sgtin_uri(G, 'a/b%c&"<>?', 7).endswith(".a%2Fb%25c%26%22%3C%3E%3F")


@given(st.text(alphabet=sorted(CSET82), min_size=1, max_size=20))
def test_escaped_serials_decode_back(serial: str) -> None:
    from urllib.parse import unquote

    escaped = epc_escape(serial)
    assert unquote(escaped) == serial
    assert not set(escaped) & set('"&/<>?')
