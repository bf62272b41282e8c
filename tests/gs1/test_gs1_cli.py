"""``labelsvc gs1 parse|build``, invoked on the click group directly."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from labelsvc.cli.gs1_cmd import gs1

GTIN = "09506000134352"


@pytest.fixture
def run() -> CliRunner:
    return CliRunner()


def test_parse_text_output(run: CliRunner) -> None:
    result = run.invoke(gs1, ["parse", f"]d201{GTIN}10L1<GS>21ABC"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "symbology: ]d2",
        "form: element",
        f"(01) GTIN: {GTIN}",
        "(10) BATCH/LOT: L1",
        "(21) SERIAL: ABC",
    ]


def test_parse_json_and_literal_escape(run: CliRunner) -> None:
    result = run.invoke(gs1, ["parse", "--json", f"10L1\\x1d01{GTIN}"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {
        "symbology": None,
        "form": "element",
        "bare": None,
        "elements": [
            {"ai": "10", "title": "BATCH/LOT", "value": "L1"},
            {"ai": "01", "title": "GTIN", "value": GTIN},
        ],
    }


def test_parse_gs_substitute_and_bare(run: CliRunner) -> None:
    result = run.invoke(gs1, ["parse", "--gs-substitute", "|", f"]C110L1|01{GTIN}"])
    assert f"(01) GTIN: {GTIN}" in result.output
    bare = run.invoke(gs1, ["parse", "PLAIN-42"])
    assert bare.exit_code == 0
    assert "form: bare" in bare.output
    assert "bare: PLAIN-42" in bare.output


def test_parse_error_exits_2_and_names_ai(run: CliRunner) -> None:
    result = run.invoke(gs1, ["parse", f"]d201{GTIN[:-1]}3"])
    assert result.exit_code == 2
    assert "AI (01): check digit should be 2, got 3" in result.output
    as_json = run.invoke(gs1, ["parse", "--json", f"]d201{GTIN[:-1]}3"])
    assert as_json.exit_code == 2
    assert json.loads(as_json.output)["error"]["ai"] == "01"


def test_build_forms(run: CliRunner) -> None:
    args = [f"01={GTIN}", "10=L1", "21=ABC", "17=251231"]
    element = run.invoke(gs1, ["build", *args])
    assert element.output == f"01{GTIN}10L1<GS>21ABC<GS>17251231\n"
    raw = run.invoke(gs1, ["build", "--raw", *args])
    assert raw.output == f"01{GTIN}10L1\x1d21ABC\x1d17251231\n"
    hri = run.invoke(gs1, ["build", "--as", "hri", *args])
    assert hri.output == f"(01){GTIN}(10)L1(21)ABC(17)251231\n"
    link = run.invoke(gs1, ["build", "--as", "link", "--base", "https://x.test/", *args])
    assert link.output == f"https://x.test/01/{GTIN}/10/L1/21/ABC?17=251231\n"


def test_build_pads_short_gtin_and_default_base(run: CliRunner) -> None:
    result = run.invoke(gs1, ["build", "--as", "link", "01=9506000134352"])
    assert result.output == f"https://id.gs1.org/01/{GTIN}\n"


def test_build_errors(run: CliRunner) -> None:
    bad = run.invoke(gs1, ["build", f"01={GTIN}", "21=" + "S" * 21])
    assert bad.exit_code == 2
    assert "AI (21): value is 21 characters, at most 20 allowed" in bad.output
    malformed = run.invoke(gs1, ["build", "01"])
    assert malformed.exit_code == 2
    assert "AI=VALUE" in malformed.output


@pytest.mark.parametrize("command", ["parse", "build"])
def test_help(run: CliRunner, command: str) -> None:
    result = run.invoke(gs1, [command, "--help"])
    assert result.exit_code == 0
    assert "<GS>" in result.output


def test_parse_a_supplier_code_with_gross_weight(run: CliRunner) -> None:
    result = run.invoke(gs1, ["parse", "--json", "]C1000950600000000000153302001234"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["elements"] == [
        {"ai": "00", "title": "SSCC", "value": "095060000000000015"},
        {"ai": "3302", "title": "GROSS WEIGHT (kg)", "value": "001234"},
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["21=ABC"], "AI (21): requires (01) or (03) or (8006)"),
        ([f"01={GTIN}", "37=5"], "AI (01): must not appear together with AI (37)"),
        ([f"02={GTIN}", "37=5"], "AI (37): requires (00)"),
        ([f"01={GTIN}", "17=251300"], "AI (17): invalid month 13"),
    ],
)
def test_build_refuses_what_gs1_forbids(run: CliRunner, args: list[str], message: str) -> None:
    for form in ("element", "hri", "link"):
        result = run.invoke(gs1, ["build", "--as", form, *args])
        assert result.exit_code == 2, result.output
        assert message in result.output


def test_parse_refuses_a_mixed_case_scheme(run: CliRunner) -> None:
    result = run.invoke(gs1, ["parse", f"HtTp://example.com/01/{GTIN}"])
    assert result.exit_code == 2
    assert "scheme" in result.output
