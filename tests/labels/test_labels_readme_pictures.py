"""The README's pictures of a label are what the preview draws today, not an older drawing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PIL import Image

from labelsvc.labels import LabelData, TemplateLibrary

ROOT = Path(__file__).resolve().parents[2]
REGENERATE = "labelsvc render --template {name} --as png -o docs/label-{name}.png"


def _pictures() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"!\[[^]]*\]\(docs/label-([\w-]+)\.png\)", readme)


def test_the_readme_shows_label_pictures() -> None:
    assert sorted(_pictures()) == ["pallet", "unit"]


@pytest.mark.parametrize("name", _pictures())
def test_a_readme_picture_is_the_current_preview(library: TemplateLibrary, name: str) -> None:
    shown = Image.open(ROOT / "docs" / f"label-{name}.png").convert("L")
    drawn = library.preview(name, LabelData.sample(library.kind_of(name)), 203).image
    assert shown.size == drawn.size
    assert shown.tobytes() == drawn.convert("L").tobytes(), REGENERATE.format(name=name)
