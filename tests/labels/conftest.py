"""Fixtures of the label tests: the shipped templates, and decoding what was drawn."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from labelsvc.gs1 import GS, Element, parse_element_string, parse_scan
from labelsvc.gs1.scan import GS1_SYMBOLOGIES
from labelsvc.labels import TemplateLibrary

ROOT = Path(__file__).resolve().parents[2]

Decoded = list[tuple[str, str]]  # (symbology identifier, text with GS as \x1d)


@pytest.fixture(scope="session")
def library() -> TemplateLibrary:
    """The templates shipped in ``zpl/``."""
    return TemplateLibrary(ROOT / "zpl")


@pytest.fixture
def scratch_library(tmp_path: Path) -> TemplateLibrary:
    """A library in an empty folder, for adding templates."""
    return TemplateLibrary(tmp_path / "zpl")


def _decode(image: Image.Image) -> Decoded:
    results = zxingcpp.read_barcodes(image.convert("L"), text_mode=zxingcpp.TextMode.Plain)
    return [(r.symbology_identifier, r.text) for r in results]


def _gs1(symbology: str, text: str) -> list[Element]:
    # One symbol of a label: GS1 association rules hold over the whole label, not one symbol.
    if symbology in GS1_SYMBOLOGIES:
        return parse_element_string(text.removeprefix(GS), associations=False)
    return list(parse_scan(symbology + text).elements)


@pytest.fixture
def decode() -> Callable[[Image.Image], Decoded]:
    """Decode every barcode in an image with zxing-cpp."""
    return _decode


@pytest.fixture
def gs1() -> Callable[[str, str], list[Element]]:
    """Parse one decoded symbol (identifier + text) into GS1 elements with labelsvc.gs1."""
    return _gs1
