"""Orders as a WMS sends them: a mapping (API body, JSON file) or a CSV file, validated once.

An order names a customer and lines (GTIN or SKU, quantity, optionally the exact serials
allocated to it). Every fault names where it is and the field, the same for API and CLI.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from labelsvc.domain.errors import InvalidInput
from labelsvc.gs1.check import normalize_gtin

LINE_FIELDS = ("line", "gtin", "sku", "quantity", "serials")
HEAD_FIELDS = ("reference", "customer", "lines")


@dataclass(frozen=True)
class OrderLineSpec:
    """One wanted product: by GTIN or SKU, how many, and the serials named (if any)."""

    line_no: int
    quantity: int
    gtin: str | None
    sku: str | None
    serials: tuple[str, ...] = ()


@dataclass(frozen=True)
class OrderSpec:
    """A validated order, not yet stored."""

    reference: str
    customer: str
    lines: tuple[OrderLineSpec, ...]


def _bad(where: str, detail: str, field: str) -> InvalidInput:
    return InvalidInput("order-invalid", f"{where}: {detail}", field=field)


def _serials(value: Any) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        return value.split()
    return [str(s) for s in value]


def line_from_mapping(data: dict[str, Any], where: str, default_no: int) -> OrderLineSpec:
    """Validate one order line."""
    unknown = set(data) - set(LINE_FIELDS)
    if unknown:
        raise _bad(where, f"unknown field(s) {', '.join(sorted(unknown))}.", sorted(unknown)[0])
    gtin = None
    if data.get("gtin") not in (None, ""):
        try:
            gtin = normalize_gtin(str(data["gtin"]))
        except InvalidInput as exc:
            raise _bad(where, exc.detail, "gtin") from exc
    sku = None if data.get("sku") in (None, "") else str(data["sku"])
    if gtin is None and sku is None:
        raise _bad(where, "a line needs a gtin or a sku.", "gtin")
    serials = _serials(data.get("serials"))
    if len(set(serials)) != len(serials):
        raise _bad(where, "a serial is listed twice.", "serials")
    try:
        quantity = int(data.get("quantity") or len(serials))
    except (TypeError, ValueError):
        raise _bad(where, "'quantity' must be a whole number.", "quantity") from None
    if quantity <= 0:
        raise _bad(where, "'quantity' must be above zero.", "quantity")
    if len(serials) > quantity:
        raise _bad(where, f"{len(serials)} serials named for a quantity of {quantity}.", "serials")
    line_no = int(data["line"]) if data.get("line") not in (None, "") else default_no
    return OrderLineSpec(line_no, quantity, gtin, sku, tuple(serials))


def order_from_mapping(data: dict[str, Any], where: str) -> OrderSpec:
    """Validate an order given as a mapping (a JSON file or an API body)."""
    unknown = set(data) - set(HEAD_FIELDS)
    if unknown:
        raise _bad(where, f"unknown field(s) {', '.join(sorted(unknown))}.", sorted(unknown)[0])
    reference = str(data.get("reference") or "").strip()
    customer = str(data.get("customer") or "").strip()
    if not reference:
        raise _bad(where, "'reference' (the order number) is missing.", "reference")
    if not customer:
        raise _bad(where, "'customer' is missing.", "customer")
    raw = data.get("lines") or []
    if not isinstance(raw, list) or not raw:
        raise _bad(where, "'lines' must be a non-empty list.", "lines")
    lines = tuple(
        line_from_mapping(dict(ln), f"{where} line {n}", n) for n, ln in enumerate(raw, 1)
    )
    if len({ln.line_no for ln in lines}) != len(lines):
        raise _bad(where, "two lines have the same line number.", "line")
    return OrderSpec(reference, customer, lines)


def parse_order_text(text: str, name: str) -> OrderSpec:
    """An order from the text of a file called ``name``: ``.json``, else CSV (one row per
    line, columns reference, customer, line, gtin, sku, quantity, serials space-separated)."""
    text = text.removeprefix("\ufeff")
    if name.lower().endswith(".json"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InvalidInput("order-invalid", f"{name}: not valid JSON: {exc}.") from exc
        if not isinstance(data, dict):
            raise InvalidInput("order-invalid", f"{name}: must hold one order object.")
        return order_from_mapping(data, name)
    rows = list(csv.DictReader(text.splitlines()))
    if not rows:
        raise InvalidInput("order-invalid", f"{name}: no lines.")
    head = {k: rows[0].get(k) or "" for k in ("reference", "customer")}
    for n, row in enumerate(rows, 2):
        if (row.get("reference") or "") != head["reference"]:
            raise _bad(f"{name} row {n}", "every row must have the same reference.", "reference")
    lines = [{k: v for k, v in row.items() if k in LINE_FIELDS} for row in rows]
    return order_from_mapping({**head, "lines": lines}, name)


def read_order_file(path: Path) -> OrderSpec:
    """Read an order from a ``.json`` or ``.csv`` file."""
    return parse_order_text(path.read_text(encoding="utf-8-sig"), str(path))
