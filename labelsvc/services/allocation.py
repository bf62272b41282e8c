"""Allocate serials from a pool: all or nothing, idempotent, never a value twice."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass

from labelsvc.domain.actors import Actor, require
from labelsvc.domain.errors import Conflict, InvalidInput, NotFound
from labelsvc.domain.pools import PoolSpec, random_values, sequential_values
from labelsvc.store import Store, Tx
from labelsvc.store.pools import AllocationRow, PoolRow

Progress = Callable[[int], None]
MAX_COUNT = 1_000_000
MAX_DRAWS = 100  # rounds of redrawing random values that collided before giving up


@dataclass(frozen=True)
class Allocation:
    """The outcome of one allocation request."""

    id: int
    pool: str
    gtin: str | None
    count: int
    serials: list[str]
    first_item_id: int
    last_item_id: int
    actor: str
    station: str | None
    created_at: str
    replayed: bool = False


def allocate(
    store: Store,
    pool: str,
    count: int,
    *,
    actor: Actor,
    idempotency_key: str | None = None,
    gtin: str | None = None,
    station: str | None = None,
    progress: Progress | None = None,
) -> Allocation:
    """Allocate ``count`` serials from ``pool`` in one transaction.

    ``progress`` is called with the number of serials written after each batch, so a
    command line can show a progress bar for a large allocation.
    """
    require(actor, "label")
    with store.write() as tx:
        return allocate_in(
            tx, pool, count, actor=actor, idempotency_key=idempotency_key, gtin=gtin,
            station=station, progress=progress,
        )  # fmt: skip


def allocate_in(
    tx: Tx,
    pool: str,
    count: int,
    *,
    actor: Actor,
    idempotency_key: str | None = None,
    gtin: str | None = None,
    station: str | None = None,
    progress: Progress | None = None,
) -> Allocation:
    """The same inside a caller's transaction (allocation + print job in one commit).

    The calling use case has checked its own permission (``receive``, ``pack``, ``label``);
    the actor is recorded on the allocation and its event.
    """
    if not 1 <= count <= MAX_COUNT:
        raise InvalidInput(
            "count-invalid", f"count must be 1 to {MAX_COUNT:,}, not {count}.", field="count"
        )
    if idempotency_key:
        earlier = tx.pools.allocation_by_key(idempotency_key)
        if earlier is not None:
            return _replay(tx, earlier, pool, count)
    row = tx.pools.get(pool)
    if row is None:
        raise NotFound("pool-not-found", f"There is no serial pool named {pool!r}.", pool=pool)
    spec = row.spec
    gtin = _choose_gtin(spec, gtin)
    _check_available(row, count)
    # Under the write lock the new items take the next ids, so the range is known up front.
    first = tx.items.last_id() + 1
    record = tx.pools.add_allocation(
        pool=pool, gtin=gtin, count=count, idempotency_key=idempotency_key,
        actor=actor.label, station=station, first_item_id=first, last_item_id=first + count - 1,
    )  # fmt: skip
    values, next_value = _draw(tx, row, count, gtin, record.id, progress)
    tx.pools.advance(pool, count, next_value)
    tx.events.append(
        "serials-allocated", actor=actor.label, station=station, subject=f"pool:{pool}",
        details={"allocation": record.id, "count": count, "gtin": gtin,
                 "first": values[0], "last": values[-1]},
    )  # fmt: skip
    _after_use(tx, row, count, actor, station)
    return _result(record, values)


def _choose_gtin(spec: PoolSpec, gtin: str | None) -> str | None:
    if spec.kind != "unit":
        return None
    if gtin is None:
        if len(spec.gtins) == 1:
            return spec.gtins[0]
        raise InvalidInput(
            "gtin-required",
            f"pool {spec.name} serves {len(spec.gtins)} GTINs; say which one.",
            field="gtin",
        )
    if gtin not in spec.gtins:
        raise InvalidInput(
            "gtin-not-in-pool",
            f"GTIN {gtin} is not served by pool {spec.name} (it serves {', '.join(spec.gtins)}).",
            field="gtin",
        )
    return gtin


def _check_available(row: PoolRow, count: int) -> None:
    spec = row.spec
    remaining = spec.capacity - row.used
    if spec.state != "active":
        raise Conflict(
            f"pool-{spec.state}",
            f"Pool {spec.name} is {spec.state}; nothing can be allocated from it"
            + (" until an admin resumes it." if spec.state == "suspended" else "."),
            pool=spec.name,
            remaining=remaining,
        )
    if count > remaining:
        raise Conflict(
            "pool-exhausted",
            f"Pool {spec.name} has {remaining:,} serials left; {count:,} were asked for. "
            "Ask an admin to extend the pool or use another one.",
            pool=spec.name,
            remaining=remaining,
        )


def _draw(
    tx: Tx, row: PoolRow, count: int, gtin: str | None, allocation_id: int,
    progress: Progress | None,
) -> tuple[list[str], int | None]:  # fmt: skip
    """Insert the new values; return them and the new sequential cursor."""
    spec = row.spec
    namespace = spec.namespace(gtin)

    def insert(values: list[str], ignore_duplicates: bool) -> int:
        return tx.items.insert_allocated(
            values, namespace=namespace, kind=spec.kind, gtin=gtin, pool=spec.name,
            allocation_id=allocation_id, ignore_duplicates=ignore_duplicates, progress=progress,
        )  # fmt: skip

    if spec.strategy == "random":
        return _draw_random(tx, spec, count, row.used, insert), None
    start = row.next_value if row.next_value is not None else spec.first
    values = sequential_values(spec, start, count)
    try:
        insert(values, False)
    except sqlite3.IntegrityError as exc:
        raise Conflict(
            "serial-collision",
            f"Pool {spec.name} would issue a serial that already exists in {namespace}; "
            "another pool shares its range. Ask an admin to move this pool's range.",
            pool=spec.name,
        ) from exc
    return values, start + count


def _draw_random(
    tx: Tx, spec: PoolSpec, count: int, used: int, insert: Callable[[list[str], bool], int]
) -> list[str]:
    """Draw, let the UNIQUE constraint drop repeats, and draw again for what is missing.

    A fuller pool repeats more often, so each round draws in proportion to what is free.
    """
    first = tx.items.last_id() + 1
    missing = count
    for _ in range(MAX_DRAWS):
        free = max(1, spec.capacity - used - (count - missing))
        want = min(int(missing * spec.capacity / free * 1.1) + 8, missing * 64 + 1024)
        batch = list(dict.fromkeys(random_values(spec, want)))[:missing]
        added = insert(batch, True)
        if added == count:  # all in at the first draw: the values are the batch, in order
            return batch
        missing -= added
        if missing == 0:
            return tx.items.values_in_range(first, first + count - 1)
    raise Conflict(
        "pool-saturated",
        f"Pool {spec.name} could not find {count:,} unused random serials; it is too full. "
        "Ask an admin to lengthen its serials.",
        pool=spec.name,
    )


def _after_use(tx: Tx, row: PoolRow, count: int, actor: Actor, station: str | None) -> None:
    """Raise the pool's warnings once, and mark it exhausted when it is."""
    spec, used = row.spec, row.used + count
    remaining = spec.capacity - used
    subject = f"pool:{spec.name}"
    if remaining == 0:
        tx.pools.set_state(spec.name, "exhausted")
        tx.events.append("pool-exhausted", actor=actor.label, station=station, subject=subject)
    if spec.low_water and remaining <= spec.low_water and not row.low_water_warned:
        tx.pools.set_warned(spec.name, low_water=True)
        tx.events.append(
            "pool-low-water", actor=actor.label, station=station, subject=subject,
            details={"remaining": remaining, "low_water": spec.low_water},
        )  # fmt: skip
    if spec.strategy == "random" and used > spec.guess_limit and not row.guess_warned:
        tx.pools.set_warned(spec.name, guess=True)
        tx.events.append(
            "pool-guessable", actor=actor.label, station=station, subject=subject,
            details={"used": used, "limit": spec.guess_limit},
        )  # fmt: skip


def _replay(tx: Tx, earlier: AllocationRow, pool: str, count: int) -> Allocation:
    """The same key again: hand back the first answer, allocate nothing."""
    if earlier.pool != pool or earlier.count != count:
        raise Conflict(
            "idempotency-mismatch",
            f"Idempotency key was already used for {earlier.count} serials from pool "
            f"{earlier.pool}; use a new key for a different request.",
        )
    values = tx.items.values_in_range(earlier.first_item_id, earlier.last_item_id)
    return _result(earlier, values, replayed=True)


def _result(record: AllocationRow, values: list[str], replayed: bool = False) -> Allocation:
    return Allocation(
        id=record.id, pool=record.pool, gtin=record.gtin, count=record.count, serials=values,
        first_item_id=record.first_item_id, last_item_id=record.last_item_id,
        actor=record.actor, station=record.station, created_at=record.created_at,
        replayed=replayed,
    )  # fmt: skip
