"""The reference linters' own unit tests, replayed against labelsvc's linters.

``tests/data/gs1/linter-vectors.json`` holds every literal ``UNIT_TEST_PASS``/``FAIL`` of
github.com/gs1/gs1-syntax-dictionary ``src/lint_*.c`` (release and commit inside the file),
and ``engine-vectors.json`` the syntax engine's table of AI data per linter error. labelsvc
must pass and fail exactly the same data.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from labelsvc.gs1 import Gs1Error, parse_hri
from labelsvc.gs1.linters import LINTERS

DATA = Path(__file__).parents[1] / "data/gs1"
LINTER_TESTS = json.loads((DATA / "linter-vectors.json").read_text())["cases"]
AI_LINTERS = json.loads((DATA / "engine-vectors.json").read_text())["aiLinters"]


@pytest.mark.parametrize(
    "case", [pytest.param(c, id=f"{c['linter']}:{c['data'][:40]}") for c in LINTER_TESTS]
)
def test_reference_linter_unit_tests(case: dict[str, Any]) -> None:
    problem = LINTERS[case["linter"]](case["data"])
    assert (problem is None) == case["ok"], problem or "passed where GS1 fails it"


@pytest.mark.parametrize("case", [pytest.param(c, id=c["data"][:50]) for c in AI_LINTERS])
def test_engine_ai_data_per_linter_error(case: dict[str, Any]) -> None:
    try:
        parse_hri(case["data"], associations=False)
    except Gs1Error as error:
        assert not case["ok"], f"refused: {error}"
        return
    assert case["ok"], f"accepted where the engine reports {case['error']}"
