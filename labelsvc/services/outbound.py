"""What each state change of interest tells partners: one outbox message, same transaction.

The use cases (allocation, receiving, packing, shipping, holds) call one function here
inside their write transaction; the message is committed with the change or not at all, and
the dispatcher (:mod:`labelsvc.services.webhooks_dispatch`) delivers it afterwards. Payloads
are plain JSON and name things by their GS1 identity, never by our row ids alone.
"""

from __future__ import annotations

from typing import Any

from labelsvc.domain.receipts import DiscrepancyReport
from labelsvc.domain.topics import Topic
from labelsvc.services.lookup import describe
from labelsvc.store import Tx
from labelsvc.store.items import Item
from labelsvc.store.pools import PoolRow

MAX_LISTED = 1000  # identities listed in one hold message; ``count`` says how many in all


def identity(item: Item) -> dict[str, Any]:
    """An item as a partner names it, with a ``code`` that every labelsvc surface accepts."""
    found: dict[str, Any] = {"kind": item.kind, "name": describe(item)}
    if item.kind == "sscc":
        found.update(sscc=item.value, code=f"00{item.value}", level=item.level)
    elif item.kind == "unit":
        found.update(gtin=item.gtin, serial=item.value, code=f"01{item.gtin}21{item.value}")
    else:
        found.update(serial=item.value, code=item.value)
    return found


def pool_low(tx: Tx, row: PoolRow, remaining: int) -> None:
    """A pool fell to its low-water mark (said once, like the event)."""
    spec = row.spec
    tx.outbox.add(
        Topic.POOL_LOW, {"pool": spec.name, "remaining": remaining, "low_water": spec.low_water,
                         "capacity": spec.capacity, "used": row.used},
        subject=f"pool:{spec.name}",
    )  # fmt: skip


def pool_exhausted(tx: Tx, row: PoolRow) -> None:
    """A pool has handed out its last value."""
    spec = row.spec
    tx.outbox.add(Topic.POOL_EXHAUSTED, {"pool": spec.name, "capacity": spec.capacity},
                  subject=f"pool:{spec.name}")  # fmt: skip


def receipt_closed(tx: Tx, reference: str, report: DiscrepancyReport, *, by: str,
                   reason: str | None) -> None:  # fmt: skip
    """A receipt was closed; ``clean`` is false when it closed with discrepancies."""
    findings = [{"kind": f.kind, "detail": f.detail, "line": f.line_no, "quantity": f.quantity,
                 "values": list(f.values[:MAX_LISTED])} for f in report.findings]  # fmt: skip
    tx.outbox.add(
        Topic.RECEIPT_CLOSED,
        {"reference": reference, "clean": report.clean, "discrepancies": findings,
         "closed_by": by, "reason": reason},
        subject=f"receipt:{reference}",
    )  # fmt: skip


def container_closed(tx: Tx, container: Item, *, count: int, capacity: int | None,
                     by: str, reason: str | None) -> None:  # fmt: skip
    """A case or pallet was closed (its SSCC label is queued in the same transaction)."""
    tx.outbox.add(
        Topic.CONTAINER_CLOSED,
        {"container": identity(container), "count": count, "capacity": capacity,
         "closed_by": by, "reason": reason},
        subject=f"sscc:{container.value}",
    )  # fmt: skip


def shipped(tx: Tx, reference: str, root: Item, tree: list[Item], *, by: str) -> None:
    """A unit, case or pallet left with everything in it (an EPCIS subscription sends the
    EPCIS document of ``root``)."""
    tx.outbox.add(
        Topic.SHIPMENT_SHIPPED,
        {"reference": reference, "root": identity(root), "count": len(tree),
         "containers": sum(1 for i in tree if i.kind == "sscc"), "shipped_by": by},
        subject=f"shipment:{reference}",
    )  # fmt: skip


def held(tx: Tx, action: str, items: list[Item], *, reason: str, by: str) -> None:
    """Items were quarantined or recalled (a release tells no partner)."""
    topic = {"quarantined": Topic.ITEMS_QUARANTINED, "recalled": Topic.ITEMS_RECALLED}.get(action)
    if topic is None or not items:
        return
    tx.outbox.add(
        topic,
        {"reason": reason, "count": len(items), "by": by,
         "items": [identity(i) for i in items[:MAX_LISTED]]},
        subject=describe(items[0]) if len(items) == 1 else None,
    )  # fmt: skip
