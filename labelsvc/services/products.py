"""Products: validated and loaded from CSV or JSON files."""

from __future__ import annotations

import contextlib
import csv
import json
from pathlib import Path
from typing import Any

from labelsvc.domain.actors import Actor, require
from labelsvc.domain.errors import Conflict, InvalidInput, NotFound
from labelsvc.gs1.check import normalize_gtin
from labelsvc.store import Store
from labelsvc.store.errors import IntegrityViolation
from labelsvc.store.products import FIELDS, Product

INT_FIELDS = ("company_prefix_length", "units_per_case", "cases_per_pallet", "warranty_days")


def product_from_mapping(data: dict[str, Any], where: str) -> Product:
    """Validate one product record; errors name where it came from and the field."""
    unknown = set(data) - set(FIELDS)
    if unknown:
        raise InvalidInput(
            "product-invalid",
            f"{where}: unknown field(s) {', '.join(sorted(unknown))}; known: {', '.join(FIELDS)}.",
            field=sorted(unknown)[0],
        )
    values: dict[str, Any] = {k: (None if v == "" else v) for k, v in data.items()}
    for key in ("gtin", "description", "company_prefix_length"):
        if values.get(key) is None:
            raise InvalidInput("product-invalid", f"{where}: '{key}' is missing.", field=key)
    try:
        values["gtin"] = normalize_gtin(str(values["gtin"]))
    except InvalidInput as exc:
        raise InvalidInput("product-invalid", f"{where}: {exc.detail}", field="gtin") from exc
    for key in INT_FIELDS:
        if values.get(key) is not None:
            try:
                values[key] = int(values[key])
            except (TypeError, ValueError):
                raise InvalidInput(
                    "product-invalid", f"{where}: '{key}' must be a whole number.", field=key
                ) from None
            if values[key] <= 0:
                raise InvalidInput(
                    "product-invalid", f"{where}: '{key}' must be above zero.", field=key
                )
    if not 4 <= values["company_prefix_length"] <= 12:
        raise InvalidInput(
            "product-invalid",
            f"{where}: 'company_prefix_length' must be 4 to 12.",
            field="company_prefix_length",
        )
    return Product(**values)


def read_product_file(path: Path) -> list[Product]:
    """Read products from a ``.csv`` (header row) or ``.json`` (a list of objects) file."""
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix.lower() == ".json":
        try:
            records = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InvalidInput("product-invalid", f"{path}: not valid JSON: {exc}.") from exc
        if not isinstance(records, list):
            raise InvalidInput("product-invalid", f"{path}: must hold a list of products.")
        return [product_from_mapping(r, f"{path} item {i + 1}") for i, r in enumerate(records)]
    rows = csv.DictReader(text.splitlines())
    return [product_from_mapping(dict(r), f"{path} line {i + 2}") for i, r in enumerate(rows)]


def save_products(store: Store, products: list[Product], actor: Actor) -> tuple[int, int]:
    """Upsert products in one transaction; return (created, updated)."""
    require(actor, "manage")
    created = 0
    with store.write() as tx:
        for product in products:
            try:
                is_new = tx.products.upsert(product)
            except IntegrityViolation as exc:
                raise Conflict(
                    "sku-taken",
                    f"SKU {product.sku} already belongs to another product; GTIN {product.gtin} "
                    "cannot use it.",
                    field="sku",
                ) from exc
            created += is_new
            tx.events.append(
                "product-saved", actor=actor.label, subject=f"product:{product.gtin}",
                details={"created": is_new},
            )  # fmt: skip
    return created, len(products) - created


def get_product(store: Store, gtin_or_sku: str, actor: Actor) -> Product:
    """A product by GTIN (any length) or SKU."""
    require(actor, "read")
    with store.read() as tx:
        found = None
        with contextlib.suppress(InvalidInput):  # not a GTIN: try it as a SKU
            found = tx.products.get(normalize_gtin(gtin_or_sku))
        found = found or tx.products.by_sku(gtin_or_sku)
    if found is None:
        raise NotFound("product-not-found", f"No product has GTIN or SKU {gtin_or_sku!r}.")
    return found


def list_products(store: Store, actor: Actor, after: str = "", limit: int = 1000) -> list[Product]:
    """Products in GTIN order."""
    require(actor, "read")
    with store.read() as tx:
        return tx.products.all(after, limit)
