"""The allocation API a packaging line calls: request by collection id, page, return.

Modelled on OPEN-SCS serial requests: a request names a *collection id* (its identity, per
client: asking again with it answers the same serials), the answer carries the first
:data:`SERIALS_PAGE` serials and a *continuation* for the rest, and serials the line never
printed can be given back. A returned serial leaves the items (it was never used) and goes
into the pool's supply as a block of origin ``returned``, to be issued again; one printed,
voided or otherwise used is refused, named.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from labelsvc.domain.actors import Actor, require
from labelsvc.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from labelsvc.domain.leases import COLLECTION_ID_MAX, SERIALS_PAGE, BlockOrigin
from labelsvc.services.allocation import MAX_COUNT, allocate
from labelsvc.services.supply import receive_block
from labelsvc.store import Store, Tx
from labelsvc.store.allocation_serials import AllocationSerials, HeldSerial
from labelsvc.store.errors import IntegrityViolation
from labelsvc.store.pools import AllocationRow

COLLECTION_PREFIX = "collection:"  # an allocation's idempotency key: collection:<client>:<id>


@dataclass(frozen=True)
class SerialsPage:
    """One page of an allocation's serials; ``continuation`` asks for the next (or None)."""

    id: int
    pool: str
    gtin: str | None
    count: int
    held: int  # serials it still holds (count less those returned)
    collection_id: str | None
    serials: list[str]
    continuation: int | None
    created_at: str
    replayed: bool = False


@dataclass(frozen=True)
class Returned:
    """Serials given back and the supply block they now wait in."""

    allocation: int
    pool: str
    serials: list[str]
    block: int


def request_serials(
    store: Store, pool: str, count: int, *, actor: Actor, collection_id: str | None = None,
    idempotency_key: str | None = None, gtin: str | None = None, station: str | None = None,
    limit: int = MAX_COUNT,
) -> SerialsPage:  # fmt: skip
    """Allocate ``count`` serials (all or nothing) and answer their first page.

    The collection id, scoped to the client, is the allocation's idempotency key: the same
    id answers the same allocation; the same id for another pool or count is refused.
    """
    key = idempotency_key
    if collection_id is not None:
        if not 0 < len(collection_id) <= COLLECTION_ID_MAX or not collection_id.isprintable():
            raise InvalidInput("collection-id-invalid", f"collection_id must be 1 to "
                               f"{COLLECTION_ID_MAX} printable characters.",
                               field="collection_id")  # fmt: skip
        key = f"{COLLECTION_PREFIX}{actor.label}:{collection_id}"
    try:
        result = allocate(store, pool, count, actor=actor, idempotency_key=key, gtin=gtin,
                          station=station, limit=limit)  # fmt: skip
    except Conflict as exc:
        if exc.code != "idempotency-mismatch" or collection_id is None:
            raise
        raise Conflict("collection-id-mismatch", f"Collection id {collection_id!r} was already "
                       "used for another request (pool or count); use a new collection id for a "
                       "different request.", collection_id=collection_id) from exc  # fmt: skip
    return serials_page(store, result.id, actor=actor, replayed=result.replayed)


def serials_page(
    store: Store, allocation_id: int, *, actor: Actor, continuation: int | None = None,
    replayed: bool = False,
) -> SerialsPage:  # fmt: skip
    """The serials of an allocation after ``continuation``, in the order they were issued."""
    require(actor, "read")
    with store.read() as tx:
        record = _allocation(tx, allocation_id, actor)
        rows = AllocationSerials(tx).page(allocation_id, continuation or 0, SERIALS_PAGE + 1)
        held = tx.items.count_of_allocation(allocation_id)
    shown = rows[:SERIALS_PAGE]
    return SerialsPage(
        id=record.id, pool=record.pool, gtin=record.gtin, count=record.count, held=held,
        collection_id=collection_of(record), serials=[v for _, v in shown],
        continuation=shown[-1][0] if len(rows) > SERIALS_PAGE else None,
        created_at=record.created_at, replayed=replayed,
    )  # fmt: skip


def collection_of(record: AllocationRow) -> str | None:
    """The collection id a client gave the allocation (None when it gave none)."""
    key = record.idempotency_key or ""
    if not key.startswith(COLLECTION_PREFIX):
        return None
    return key[len(COLLECTION_PREFIX) + len(record.actor) + 1 :]


def return_serials(
    store: Store, allocation_id: int, serials: Sequence[str], *, actor: Actor
) -> Returned:
    """Give back serials of an allocation never printed; they are issued again later.

    All or nothing: a serial that is not (or no longer) the allocation's, or that was
    printed, voided, packed or queued for printing, refuses the whole return, named.
    """
    require(actor, "label")
    wanted = list(dict.fromkeys(serials))
    if not wanted or len(wanted) != len(serials):
        raise InvalidInput("serials-invalid", "Give each serial to return once, at least one.",
                           field="serials")  # fmt: skip
    with store.write() as tx:
        record = _allocation(tx, allocation_id, actor)
        row = tx.pools.get(record.pool, lock=True)
        assert row is not None
        held = _returnable(tx, record, wanted)
        ids = [held[v].id for v in wanted]
        try:
            AllocationSerials(tx).delete(ids)
        except IntegrityViolation as exc:
            raise Conflict(
                "serial-used",
                f"A serial of allocation {allocation_id} is recorded elsewhere (a receipt, a "
                "location); it cannot be returned.",
            ) from exc
        ordered = [v for _, v in sorted((held[v].id, v) for v in wanted)]
        block = receive_block(
            tx, pool=record.pool, gtin=record.gtin, origin=BlockOrigin.RETURNED,
            reference=f"allocation:{allocation_id}:{secrets.token_hex(6)}", values=ordered,
            actor=actor,
        )  # fmt: skip
        if row.spec.supplied:  # counted used when issued; issued again it is counted again
            tx.pools.release_capacity(record.pool, len(ordered))
        tx.events.append(
            "serials-returned", actor=actor.label, station=actor.station,
            subject=f"pool:{record.pool}",
            details={"allocation": allocation_id, "count": len(ordered), "block": block.id,
                     "first": ordered[0], "last": ordered[-1]},
        )  # fmt: skip
    return Returned(allocation_id, record.pool, ordered, block.id)


def _returnable(tx: Tx, record: AllocationRow, wanted: list[str]) -> dict[str, HeldSerial]:
    """The allocation's items for ``wanted``, each checked never used; else a refusal."""
    serials = AllocationSerials(tx)
    held = serials.held(record.id, wanted)
    for value in wanted:
        item = held.get(value)
        if item is None:
            raise Conflict("serial-not-in-allocation", f"Serial {value!r} is not held by "
                           f"allocation {record.id} (never part of it, or returned already); "
                           "nothing was returned.", serial=value)  # fmt: skip
        if item.print_count or item.state != "allocated" or item.parent_id is not None:
            what = f"printed {item.print_count} time(s)" if item.print_count else item.state
            raise Conflict("serial-used", f"Serial {value!r} was {what}; only serials never "
                           "printed can be returned (void a destroyed label instead). Nothing "
                           "was returned.", serial=value, state=item.state)  # fmt: skip
    ids = [held[v].id for v in wanted]
    busy = serials.with_history(ids) | serials.in_print_jobs(ids, record.created_at)
    if busy:
        value = next(v for v in wanted if held[v].id in busy)
        raise Conflict("serial-used", f"Serial {value!r} has a print job or history; only "
                       "serials never used can be returned. Nothing was returned.",
                       serial=value)  # fmt: skip
    return held


def _allocation(tx: Tx, allocation_id: int, actor: Actor) -> AllocationRow:
    """An allocation its client (or an admin) may see, complete."""
    record = tx.pools.allocation(allocation_id)  # locked in a write (PostgreSQL)
    if record is None:
        raise NotFound("allocation-not-found", f"There is no allocation {allocation_id}.",
                       allocation=allocation_id)  # fmt: skip
    if record.actor != actor.label and not actor.may("manage"):
        raise Forbidden("allocation-not-yours", f"Allocation {allocation_id} was made by "
                        "another client; only it (or an admin) may read or return it.")  # fmt: skip
    if record.state != "complete":
        raise Conflict(
            "allocation-not-complete",
            f"Allocation {allocation_id} is {record.state}; its serials are not issued.",
            allocation=allocation_id,
        )
    return record
