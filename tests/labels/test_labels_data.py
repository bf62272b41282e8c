"""Label data: which AIs each barcode carries, in which order, and clear refusals."""

from __future__ import annotations

import pytest

from labelsvc.domain.errors import InvalidInput
from labelsvc.gs1 import build_element_string, validate_elements
from labelsvc.labels import KINDS, LabelData


@pytest.mark.parametrize("kind", KINDS)
def test_samples_are_valid_gs1(kind: str) -> None:
    data = LabelData.sample(kind)  # type: ignore[arg-type]
    # GS1 association rules hold over all the symbols on one label: (02)+(37) need the (00).
    validate_elements([*data.elements(), *data.content_elements()])
    if kind in ("case", "pallet"):  # a location label has no content AIs
        validate_elements(data.content_elements(), associations=False)


def test_unit_order_and_optional_ais() -> None:
    data = LabelData(kind="unit", gtin="09506000134352", serial="S1", expiry="261231")
    assert data.elements() == [("01", "09506000134352"), ("21", "S1"), ("17", "261231")]
    assert data.content_elements() == []


def test_content_puts_fixed_length_ais_first() -> None:
    data = LabelData.sample("case")
    assert [ai for ai, _ in data.content_elements()] == ["02", "17", "37", "10"]
    assert build_element_string(data.content_elements(), associations=False).count("\x1d") == 1


def test_content_only_when_homogeneous() -> None:
    mixed = LabelData(kind="case", sscc="395060000001343525", lot="L1", count=3)
    assert mixed.elements() == [("00", "395060000001343525")]
    assert mixed.content_elements() == []


def test_from_mapping_refuses_unknown_fields_and_bad_values() -> None:
    with pytest.raises(InvalidInput, match="unknown label field"):
        LabelData.from_mapping({"kind": "unit", "gtn": "1"})
    with pytest.raises(InvalidInput, match="kind"):
        LabelData.from_mapping({"kind": "box"})
    with pytest.raises(InvalidInput, match="count"):
        LabelData.from_mapping({"kind": "case", "count": 0})
    data = LabelData.from_mapping({"kind": "unit", "gtin": "09506000134352", "extra": {"a": 1}})
    assert data.extra == {"a": "1"}
