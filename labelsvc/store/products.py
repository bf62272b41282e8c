"""Products (trade items) as stored."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from labelsvc.store.clock import now

if TYPE_CHECKING:
    from labelsvc.store.db import Tx


@dataclass(frozen=True)
class Product:
    """A trade item: GTIN, SKU, description, packaging and the pool for its serials."""

    gtin: str
    description: str
    company_prefix_length: int
    sku: str | None = None
    units_per_case: int | None = None
    cases_per_pallet: int | None = None
    unit_pool: str | None = None
    warranty_days: int | None = None


FIELDS = tuple(Product.__dataclass_fields__)


class ProductRepo:
    """Read and upsert products; SKU uniqueness is a database constraint."""

    def __init__(self, tx: Tx) -> None:
        self.tx = tx

    def get(self, gtin: str) -> Product | None:
        """The product with this GTIN, or None."""
        row = self.tx.execute(
            f"SELECT {', '.join(FIELDS)} FROM products WHERE gtin = ?", (gtin,)
        ).fetchone()
        return Product(**dict(row)) if row else None

    def by_sku(self, sku: str) -> Product | None:
        """The product with this SKU, or None."""
        row = self.tx.execute(
            f"SELECT {', '.join(FIELDS)} FROM products WHERE sku = ?", (sku,)
        ).fetchone()
        return Product(**dict(row)) if row else None

    def all(self, after_gtin: str = "", limit: int = 1000) -> list[Product]:
        """Products in GTIN order (cursor: ``after_gtin``)."""
        rows = self.tx.execute(
            f"SELECT {', '.join(FIELDS)} FROM products WHERE gtin > ? ORDER BY gtin LIMIT ?",
            (after_gtin, limit),
        )
        return [Product(**dict(r)) for r in rows]

    def upsert(self, product: Product) -> bool:
        """Insert or update; True when the product is new."""
        at = now()
        values = asdict(product)
        cur = self.tx.execute(
            f"INSERT INTO products ({', '.join(FIELDS)}, created_at, updated_at)"
            f" VALUES ({', '.join(':' + f for f in FIELDS)}, :at, :at)"
            " ON CONFLICT (gtin) DO UPDATE SET "
            + ", ".join(f"{f} = excluded.{f}" for f in FIELDS if f != "gtin")
            + ", updated_at = excluded.updated_at RETURNING created_at = updated_at",
            {**values, "at": at},
        )
        return bool(cur.fetchone()[0])
