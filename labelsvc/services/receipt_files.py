"""Receipts as files: an ASN or PO in JSON or CSV, validated into a plain spec.

JSON: ``{"reference", "kind": "asn"|"po", "supplier", "ssccs": [...], "lines": [{"line",
"gtin" or "sku", "quantity", "lot", "expiry", "serials": [...], "ssccs": [...]}]}``.
CSV: one row per line with the columns ``reference, kind, supplier, line, gtin, sku,
quantity, lot, expiry, serials, ssccs`` (serials and SSCCs separated by spaces or ``;``).
Errors name the file, the line and the field.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from labelsvc.domain.errors import InvalidInput
from labelsvc.gs1.ai import validate_value
from labelsvc.gs1.check import is_valid_sscc, normalize_gtin

LINE_FIELDS = ("line", "gtin", "sku", "quantity", "lot", "expiry", "serials", "ssccs")
HEAD_FIELDS = ("reference", "kind", "supplier", "ssccs", "lines")


@dataclass(frozen=True)
class LineSpec:
    """One expected line of an ASN or PO."""

    line_no: int
    quantity: int
    gtin: str | None = None
    sku: str | None = None
    lot: str | None = None
    expiry: str | None = None  # YYMMDD, as AI (17)
    serials: tuple[str, ...] = ()
    ssccs: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReceiptSpec:
    """An ASN or PO as loaded, before it is stored."""

    reference: str
    kind: str = "asn"
    supplier: str = ""
    lines: tuple[LineSpec, ...] = ()
    ssccs: tuple[str, ...] = ()  # expected SSCCs not tied to a line (pallets)


def _bad(where: str, problem: str, field: str) -> InvalidInput:
    return InvalidInput("receipt-invalid", f"{where}: {problem}", field=field)


def _list(value: Any) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        return [v for v in re.split(r"[\s;]+", value) if v]
    return [str(v) for v in value]


def _checked(ai: str, value: str, where: str, field: str) -> str:
    try:
        validate_value(ai, value)
    except InvalidInput as exc:
        raise _bad(where, exc.detail, field) from exc
    return value


def _ssccs(values: list[str], where: str) -> tuple[str, ...]:
    for v in values:
        if not is_valid_sscc(v):
            raise _bad(where, f"{v!r} is not an 18-digit SSCC with a valid check digit.", "ssccs")
    return tuple(values)


def line_from_mapping(data: dict[str, Any], where: str, default_no: int) -> LineSpec:
    """Validate one line; every fault names where it is and the field."""
    unknown = set(data) - set(LINE_FIELDS)
    if unknown:
        raise _bad(where, f"unknown field(s) {', '.join(sorted(unknown))}.", sorted(unknown)[0])
    v = {k: (None if data.get(k) in ("", None) else data[k]) for k in LINE_FIELDS}
    gtin = None
    if v["gtin"] is not None:
        try:
            gtin = normalize_gtin(str(v["gtin"]))
        except InvalidInput as exc:
            raise _bad(where, exc.detail, "gtin") from exc
    if gtin is None and v["sku"] is None:
        raise _bad(where, "a line needs a gtin or a sku.", "gtin")
    serials = [_checked("21", s, where, "serials") for s in _list(v["serials"])]
    if len(set(serials)) != len(serials):
        raise _bad(where, "a serial is listed twice.", "serials")
    quantity = v["quantity"] if v["quantity"] is not None else len(serials)
    try:
        quantity = int(quantity)
    except (TypeError, ValueError):
        raise _bad(where, "'quantity' must be a whole number.", "quantity") from None
    if quantity < 0 or (quantity == 0 and not serials):
        raise _bad(where, "'quantity' must be above zero.", "quantity")
    return LineSpec(
        line_no=int(v["line"]) if v["line"] is not None else default_no, quantity=quantity,
        gtin=gtin, sku=None if v["sku"] is None else str(v["sku"]),
        lot=None if v["lot"] is None else _checked("10", str(v["lot"]), where, "lot"),
        expiry=None if v["expiry"] is None else _checked("17", str(v["expiry"]), where, "expiry"),
        serials=tuple(serials), ssccs=_ssccs(_list(v["ssccs"]), where),
    )  # fmt: skip


def receipt_from_mapping(data: dict[str, Any], where: str) -> ReceiptSpec:
    """Validate a receipt given as a mapping (a JSON file or an API body)."""
    unknown = set(data) - set(HEAD_FIELDS)
    if unknown:
        raise _bad(where, f"unknown field(s) {', '.join(sorted(unknown))}.", sorted(unknown)[0])
    reference = str(data.get("reference") or "").strip()
    if not reference:
        raise _bad(where, "'reference' (the ASN or PO number) is missing.", "reference")
    kind = str(data.get("kind") or "asn").lower()
    if kind not in ("asn", "po"):
        raise _bad(where, f"'kind' must be asn or po, not {kind!r}.", "kind")
    raw_lines = data.get("lines") or []
    if not isinstance(raw_lines, list) or not raw_lines:
        raise _bad(where, "'lines' must be a non-empty list.", "lines")
    lines = tuple(
        line_from_mapping(dict(ln), f"{where} line {n}", n) for n, ln in enumerate(raw_lines, 1)
    )
    numbers = [ln.line_no for ln in lines]
    if len(set(numbers)) != len(numbers):
        raise _bad(where, "two lines have the same line number.", "line")
    return ReceiptSpec(
        reference=reference, kind=kind, supplier=str(data.get("supplier") or ""),
        lines=lines, ssccs=_ssccs(_list(data.get("ssccs")), where),
    )  # fmt: skip


def read_receipt_file(path: Path) -> ReceiptSpec:
    """Read an ASN or PO from a ``.json`` file or a ``.csv`` file (one row per line)."""
    return parse_receipt_text(path.read_text(encoding="utf-8-sig"), str(path))


def parse_receipt_text(text: str, name: str) -> ReceiptSpec:
    """An ASN or PO from the text of a file called ``name`` (.json, else CSV): the same
    validation and messages for the CLI and for a file uploaded on the receiving page."""
    text = text.removeprefix("\ufeff")
    if name.lower().endswith(".json"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InvalidInput("receipt-invalid", f"{name}: not valid JSON: {exc}.") from exc
        if not isinstance(data, dict):
            raise InvalidInput("receipt-invalid", f"{name}: must hold one receipt object.")
        return receipt_from_mapping(data, name)
    rows = list(csv.DictReader(text.splitlines()))
    if not rows:
        raise InvalidInput("receipt-invalid", f"{name}: no lines.")
    head = {k: rows[0].get(k) or "" for k in ("reference", "kind", "supplier")}
    for n, row in enumerate(rows, 2):
        if (row.get("reference") or "") != head["reference"]:
            raise _bad(f"{name} row {n}", "every row must have the same reference.", "reference")
    lines = [{k: v for k, v in row.items() if k in LINE_FIELDS} for row in rows]
    return receipt_from_mapping({**head, "lines": lines}, name)
