"""Plain views of items and containers shared by receiving, packing, shipping and trace.

The API and the pages render these frozen dataclasses; they carry names a person reads
(``(01)…(21)…``, ``SSCC …``) beside the ids a program follows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import NoReturn

from labelsvc.domain.errors import Conflict, NotFound
from labelsvc.domain.lifecycle import Refusal
from labelsvc.services.app import App
from labelsvc.services.lookup import describe, resolve_scan
from labelsvc.store import Tx
from labelsvc.store.containers import ContainerRow
from labelsvc.store.items import Item


@dataclass(frozen=True)
class ItemView:
    """One item as a person sees it: what it is, where it is, and where it stands."""

    id: int
    name: str
    kind: str
    level: str | None
    gtin: str | None
    value: str
    lot: str | None
    expiry: str | None
    state: str
    hold: str | None
    parent_id: int | None
    parent: str | None  # the parent's name


@dataclass(frozen=True)
class ContainerView:
    """A case or pallet with its packing state and how full it is."""

    item: ItemView
    sscc: str
    level: str
    state: str
    capacity: int | None
    count: int
    gtin: str | None
    opened_by: str
    opened_at: str
    closed_by: str | None
    closed_at: str | None
    close_reason: str | None
    job_ids: tuple[int, ...] = ()  # label jobs queued by the call that returned this view


def item_view(item: Item, parent: str | None = None) -> ItemView:
    """The view of one item; ``parent`` is the parent's name when the caller knows it."""
    return ItemView(
        id=item.id, name=describe(item), kind=item.kind, level=item.level, gtin=item.gtin,
        value=item.value, lot=item.lot, expiry=item.expiry, state=item.state, hold=item.hold,
        parent_id=item.parent_id, parent=parent,
    )  # fmt: skip


def views(tx: Tx, items: Iterable[Item]) -> list[ItemView]:
    """Views of many items, their parents' names read in one batch."""
    listed = list(items)
    names = {i.id: describe(i) for i in listed}
    wanted = {i.parent_id for i in listed if i.parent_id and i.parent_id not in names}
    names.update({p.id: describe(p) for p in tx.items.by_ids(sorted(wanted))})
    return [item_view(i, names.get(i.parent_id or 0)) for i in listed]


def view_of(tx: Tx, item: Item) -> ItemView:
    """The view of one item with its parent's name."""
    return views(tx, [item])[0]


def container_view(tx: Tx, row: ContainerRow, job_ids: Iterable[int] = ()) -> ContainerView:
    """The view of a container, counted now."""
    item = tx.items.get(row.item_id)
    assert item is not None
    return ContainerView(
        item=view_of(tx, item), sscc=item.value, level=row.level, state=row.state,
        capacity=row.capacity, count=tx.containers.child_count(row.item_id), gtin=row.gtin,
        opened_by=row.opened_by, opened_at=row.opened_at, closed_by=row.closed_by,
        closed_at=row.closed_at, close_reason=row.close_reason, job_ids=tuple(job_ids),
    )  # fmt: skip


def need_item(tx: Tx, app: App, scan: str) -> Item:
    """The item a scan names; NotFound (``item-unknown``) when nothing here has that code."""
    item = resolve_scan(tx, scan, app.settings)
    if item is None:
        raise NotFound(
            "item-unknown", f"Nothing with the code {scan!r} is known here; set it aside."
        )
    return item


def need_container(tx: Tx, app: App, scan: str) -> tuple[Item, ContainerRow]:
    """The container a scan names; NotFound (``not-a-container``) for anything else."""
    item = need_item(tx, app, scan)
    row = tx.containers.get(item.id)
    if row is None:
        raise NotFound(
            "not-a-container", f"{describe(item)} is not a case or pallet opened or received here."
        )
    return item, row


def refuse(refusal: Refusal, **fields: object) -> NoReturn:
    """Raise a rule's refusal as a Conflict with its code and words."""
    raise Conflict(refusal.code, refusal.detail, **fields)
