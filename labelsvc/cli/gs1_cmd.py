"""``labelsvc gs1 ...``: parse and build GS1 data from a shell; a thin shell over labelsvc.gs1."""

from __future__ import annotations

import json
import sys
from typing import Any, NoReturn

import click

from labelsvc.gs1 import (
    AI_TABLE,
    GS,
    Element,
    Gs1Error,
    build_digital_link,
    build_element_string,
    build_hri,
    normalize_gtin,
    parse_scan,
)

DEFAULT_BASE = "https://id.gs1.org"


def _unescape(text: str) -> str:
    """Let a shell user type GS as the literal ``\\x1d`` or ``<GS>``."""
    return text.replace("\\x1d", GS).replace("\\x1D", GS).replace("<GS>", GS)


def _fail(error: Gs1Error, as_json: bool) -> NoReturn:
    if as_json:
        body = {"error": {"code": error.code, "detail": error.detail, "ai": error.ai}}
        click.echo(json.dumps(body))
    else:
        click.echo(f"error: {error.detail}", err=True)
    sys.exit(2)


@click.group()
def gs1() -> None:
    """Parse and build GS1 element strings, HRI text and Digital Link URLs."""


@gs1.command("parse")
@click.argument("text")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option(
    "--gs-substitute",
    default="",
    metavar="C",
    help="Character the scanner sends instead of GS (ASCII 29), e.g. '~' or '|'.",
)
def parse_cmd(text: str, as_json: bool, gs_substitute: str) -> None:
    """Parse TEXT the way a scan is parsed and show its AIs.

    TEXT may be an element string (with or without a symbology identifier such as ]d2),
    HRI text like (01)09506000134352(21)ABC, a Digital Link URL, an SSCC or a plain code.
    Type GS (ASCII 29) as the literal \\x1d or <GS>. Exits with 2 when the data is invalid.
    """
    try:
        scan = parse_scan(_unescape(text), gs_substitute)
    except Gs1Error as error:
        _fail(error, as_json)
    rows = [(ai, AI_TABLE[ai].title, value) for ai, value in scan.elements]
    if as_json:
        body: dict[str, Any] = {
            "symbology": scan.symbology,
            "form": scan.form,
            "bare": scan.bare,
            "elements": [{"ai": ai, "title": t, "value": v} for ai, t, v in rows],
        }
        click.echo(json.dumps(body))
        return
    click.echo(f"symbology: {scan.symbology or '-'}")
    click.echo(f"form: {scan.form}")
    if scan.bare is not None:
        click.echo(f"bare: {scan.bare}")
    for ai, title, value in rows:
        click.echo(f"({ai}) {title}: {value}")


def _pairs(items: tuple[str, ...]) -> list[Element]:
    """``01=0950...`` → ("01", "0950..."); GTIN-8/12/13 are padded to 14 for convenience."""
    elements: list[Element] = []
    for item in items:
        ai, sep, value = item.partition("=")
        if not sep:
            raise click.BadParameter(f"expected AI=VALUE, got {item!r}", param_hint="ELEMENTS")
        ai = ai.strip("()")
        if ai in ("01", "02") and value.isdigit() and len(value) in (8, 12, 13):
            value = normalize_gtin(value)
        elements.append((ai, value))
    return elements


@gs1.command("build")
@click.argument("elements", nargs=-1, required=True)
@click.option(
    "--as",
    "form",
    type=click.Choice(["element", "hri", "link"]),
    default="element",
    show_default=True,
    help="Output form.",
)
@click.option("--base", default=DEFAULT_BASE, show_default=True, help="Digital Link base URL.")
@click.option("--raw", is_flag=True, help="Output a real GS (ASCII 29) instead of <GS>.")
def build_cmd(elements: tuple[str, ...], form: str, base: str, raw: bool) -> None:
    """Build GS1 data from ELEMENTS given as AI=VALUE, e.g. 01=09506000134352 21=ABC.

    The element string has no leading FNC1 and shows GS separators as <GS> unless --raw.
    Exits with 2 when a value is invalid.
    """
    try:
        data = _pairs(elements)
        if form == "hri":
            out = build_hri(data)
        elif form == "link":
            out = build_digital_link(data, base)
        else:
            out = build_element_string(data, GS if raw else "<GS>")
    except Gs1Error as error:
        _fail(error, as_json=False)
    click.echo(out)
