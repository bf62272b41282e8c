"""Scan compliance and inventory accuracy, as serialized operations define them.

Scan compliance rate = touchpoints at which each item was actually scanned / touchpoints
its product's flow requires, over the units with activity in a period (by product and by
the site the unit is in now); the units with gaps are listed with what they miss, since a
gap in an item's scan record is where loss hides. Inventory accuracy = count lines where
the record and the shelf agree / all lines of the counts closed in the period.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from labelsvc.domain.actors import Actor, require
from labelsvc.domain.locations import LocationEvent, LocationKind
from labelsvc.services.app import App
from labelsvc.services.counts import inventory_lines
from labelsvc.services.lookup import describe
from labelsvc.store import Tx
from labelsvc.store.locations import Location, LocationRepo
from labelsvc.store.touchpoints import TouchpointRepo

GAP_LIMIT = 200


@dataclass(frozen=True)
class Gap:
    """A unit that missed required touchpoints."""

    item: str
    gtin: str
    site: str | None
    missing: tuple[str, ...]


@dataclass(frozen=True)
class ComplianceGroup:
    """Scanned and required touchpoints of one product or one site."""

    key: str
    items: int
    scanned: int
    required: int

    @property
    def rate(self) -> float | None:
        """scanned / required, None when nothing is required."""
        return self.scanned / self.required if self.required else None


@dataclass(frozen=True)
class Compliance:
    """The scan compliance of a period, overall, by product and by site, with the gaps."""

    total: ComplianceGroup
    by_product: tuple[ComplianceGroup, ...]
    by_site: tuple[ComplianceGroup, ...]
    gaps: tuple[Gap, ...]
    gap_count: int


@dataclass(frozen=True)
class Accuracy:
    """Inventory accuracy from the counts closed in a period."""

    counts: int
    lines: int
    matched: int
    by_count: tuple[tuple[int, int, int], ...] = ()  # (count id, lines, matched), oldest first

    @property
    def rate(self) -> float | None:
        """matched / lines, None without counts."""
        return self.matched / self.lines if self.lines else None


def _site_of(places: dict[int, Location], location_id: int | None) -> str | None:
    """The code of the site a location lies in (walking up zones)."""
    here = places.get(location_id or 0)
    while here is not None and here.kind != LocationKind.SITE:
        here = places.get(here.parent_id or 0)
    return here.code if here else None


def _scanned(tx: Tx, ids: list[int]) -> dict[int, set[str]]:
    """The touchpoints each item was scanned at: explicit scans and implying events."""
    repo = TouchpointRepo(tx)
    implied = {kind: t.name for t in repo.all() for kind in t.event_types}
    types = [str(LocationEvent.TOUCHPOINT_SCANNED), *implied]
    found: dict[int, set[str]] = defaultdict(set)
    for item_id, kind, touchpoint in repo.scan_record(ids, types, "touchpoint"):
        name = touchpoint if kind == LocationEvent.TOUCHPOINT_SCANNED else implied.get(kind)
        if name:
            found[item_id].add(name)
    return found


def _group(key: str, rows: list[tuple[int, int]]) -> ComplianceGroup:
    return ComplianceGroup(key, len(rows), sum(r[0] for r in rows), sum(r[1] for r in rows))


def scan_compliance(
    app: App,
    *,
    actor: Actor,
    gtin: str | None = None,
    site: str | None = None,
    since: str | None = None,
    until: str | None = None,
) -> Compliance:
    """Scan compliance of the units with activity in ``[since, until)``."""
    require(actor, "read")
    with app.store.read() as tx:
        required = TouchpointRepo(tx).required()
        gtins = [g for g in required if gtin in (None, g)]
        scope = TouchpointRepo(tx).items_in_scope(gtins, since, until)
        ids = [i for i, _ in scope]
        scanned = _scanned(tx, ids)
        places = {loc.id: loc for loc in LocationRepo(tx).all()}
        where = LocationRepo(tx).of_items(ids)
        per: list[tuple[int, str, str | None, int, int, tuple[str, ...]]] = []
        for item_id, item_gtin in scope:
            item_site = _site_of(places, where.get(item_id))
            if site not in (None, item_site):
                continue
            need = required[item_gtin]
            missing = tuple(t for t in need if t not in scanned[item_id])
            per.append(
                (item_id, item_gtin, item_site, len(need) - len(missing), len(need), missing)
            )
        return _compliance(tx, per)


def _compliance(
    tx: Tx, per: list[tuple[int, str, str | None, int, int, tuple[str, ...]]]
) -> Compliance:
    by_product: dict[str, list[tuple[int, int]]] = defaultdict(list)
    by_site: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for _, g, s, got, need, _ in per:
        by_product[g].append((got, need))
        by_site[s or "-"].append((got, need))
    gapped = [p for p in per if p[5]]
    items = {i.id: i for i in tx.items.by_ids([p[0] for p in gapped[:GAP_LIMIT]])}
    gaps = tuple(Gap(describe(items[p[0]]), p[1], p[2], p[5]) for p in gapped[:GAP_LIMIT])
    return Compliance(
        total=_group("all", [(p[3], p[4]) for p in per]),
        by_product=tuple(_group(k, v) for k, v in sorted(by_product.items())),
        by_site=tuple(_group(k, v) for k, v in sorted(by_site.items())),
        gaps=gaps,
        gap_count=len(gapped),
    )


def inventory_accuracy(
    app: App, *, actor: Actor, since: str | None = None, until: str | None = None
) -> Accuracy:
    """Inventory accuracy of the counts closed in ``[since, until)``."""
    require(actor, "read")
    with app.store.read() as tx:
        rows = inventory_lines(tx, since, until)
        return Accuracy(len(rows), sum(r[1] for r in rows), sum(r[2] for r in rows),
                        tuple((r[0].id, r[1], r[2]) for r in rows))  # fmt: skip
