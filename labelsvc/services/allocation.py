"""Allocate serials from a pool: all or nothing, idempotent, never a value twice.

A small allocation (up to :data:`CHUNK` serials) is one transaction. A large one never holds
the write lock for long: it reserves its share of the pool in one short transaction
(``pending``, with an owner and a lease), writes its serials :data:`CHUNK` at a time, each
chunk its own transaction, and is marked ``complete`` at the end. The caller gets the
serials only then. A retry with the same idempotency key resumes a pending allocation; one
whose owner died (lease lapsed) is rolled back by :func:`recover_abandoned`. Uniqueness
stays the database's UNIQUE (namespace, value) constraint on both stores.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace

from labelsvc.domain.actors import Actor, require
from labelsvc.domain.errors import Conflict, InvalidInput, NotFound
from labelsvc.domain.pools import PoolSpec, random_values, sequential_values
from labelsvc.services import outbound
from labelsvc.services.owners import new_owner, owner_is_gone
from labelsvc.store import Store, Tx
from labelsvc.store.clock import now
from labelsvc.store.errors import IntegrityViolation
from labelsvc.store.jobs import later
from labelsvc.store.pools import AllocationRow, PoolRow

Progress = Callable[[int], None]
MAX_COUNT = 1_000_000  # the default of settings.limits.max_allocation
CHUNK = 5_000  # serials per write transaction: a few tens of ms of lock on either store
MAX_DRAWS = 100  # rounds of redrawing random values that collided before giving up
LEASE_SECONDS = 60.0
OWNER = new_owner()  # this process, as the writer of its pending allocations
_WRITING: set[int] = set()  # pending allocations a thread of this process is writing now
_WRITING_LOCK = threading.Lock()


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


def check_count(count: int, limit: int = MAX_COUNT) -> None:
    """The one cap on serials per request, the same on every surface (a setting)."""
    if not 1 <= count <= limit:
        raise InvalidInput(
            "count-invalid",
            f"count must be 1 to {limit:,} (setting limits.max_allocation), not {count:,}.",
            field="count",
            limit=limit,
        )


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
    lot: str | None = None,
    expiry: str | None = None,
    limit: int = MAX_COUNT,
) -> Allocation:
    """Allocate ``count`` serials from ``pool``; chunked above :data:`CHUNK`.

    ``progress`` is called with the number of serials written after each chunk, so a
    command line can show a progress bar for a large allocation.
    """
    require(actor, "label")
    check_count(count, limit)
    if count <= CHUNK:
        with store.write() as tx:
            result = allocate_in(
                tx, pool, count, actor=actor, idempotency_key=idempotency_key, gtin=gtin,
                station=station, lot=lot, expiry=expiry, limit=limit,
            )  # fmt: skip
        if progress is not None and not result.replayed:
            progress(count)
        return result
    with store.write() as tx:
        record, _, replay = _reserve(tx, pool, count, actor, idempotency_key, gtin, station, lot,
                                     expiry)  # fmt: skip
    if replay is not None:
        return replay
    with _writing(record.id):
        while record.written < record.count:
            want = min(CHUNK, record.count - record.written)
            started = time.perf_counter()
            with store.write() as tx:
                row = _pool_row(tx, record.pool, lock=False)
                _write(tx, record, row, want)
                record = tx.pools.progress(
                    record.id, written=record.written + want, lease_until=later(LEASE_SECONDS)
                )
            if progress is not None:
                progress(want)
            store.pause_between_chunks(time.perf_counter() - started)
        with store.write() as tx:
            return _finish(tx, record, _pool_row(tx, record.pool), actor, None)


@contextmanager
def _writing(allocation_id: int) -> Iterator[None]:
    """Mark an allocation as being written by a thread of this process, so a retry with its
    key in another thread of the same process waits instead of writing the same chunk."""
    with _WRITING_LOCK:
        if allocation_id in _WRITING:
            raise _in_progress(allocation_id, None)
        _WRITING.add(allocation_id)
    try:
        yield
    finally:
        with _WRITING_LOCK:
            _WRITING.discard(allocation_id)


def _in_progress(allocation_id: int, earlier: AllocationRow | None) -> Conflict:
    done = f" ({earlier.written:,} of {earlier.count:,})" if earlier is not None else ""
    return Conflict(
        "allocation-in-progress",
        f"Allocation {allocation_id} with this key is still being written{done}; retry in a "
        "moment.",
        allocation=allocation_id,
    )


def allocate_in(
    tx: Tx,
    pool: str,
    count: int,
    *,
    actor: Actor,
    idempotency_key: str | None = None,
    gtin: str | None = None,
    station: str | None = None,
    lot: str | None = None,
    expiry: str | None = None,
    limit: int = CHUNK,
) -> Allocation:
    """A small allocation inside a caller's transaction (allocation + print job in one commit).

    The calling use case has checked its own permission (``receive``, ``pack``, ``label``);
    the actor is recorded on the allocation and its event. Larger requests go through
    :func:`allocate`, which chunks them.
    """
    check_count(count, min(limit, CHUNK))
    record, row, replay = _reserve(
        tx, pool, count, actor, idempotency_key, gtin, station, lot, expiry
    )
    if replay is not None:
        return replay
    assert row is not None
    values = _write(tx, record, row, count)
    return _finish(tx, record, _after_taking(row, record, count), actor, values)


def _reserve(
    tx: Tx, pool: str, count: int, actor: Actor, key: str | None, gtin: str | None,
    station: str | None, lot: str | None, expiry: str | None,
) -> tuple[AllocationRow, PoolRow | None, Allocation | None]:  # fmt: skip
    """Take the pool's capacity for ``count`` serials (or find the keyed earlier request).

    Returns the allocation, the pool as it was before (None on a resume) and, for a key
    whose allocation is complete, the first answer to hand back.
    """
    if key:
        earlier = tx.pools.allocation_by_key(key)
        if earlier is not None:
            record, replay = _resume_or_replay(tx, earlier, pool, count)
            return record, None, replay
    row = _pool_row(tx, pool)
    spec = row.spec
    gtin = _choose_gtin(spec, gtin)
    _check_available(row, count)
    if spec.supplied or tx.supply.available(pool, gtin) >= count:
        return _reserve_supply(tx, row, gtin, count, actor, key, station, lot, expiry), row, None
    first_value = None
    if spec.strategy != "random":
        first_value = row.next_value if row.next_value is not None else spec.first
    tx.pools.advance(pool, count, None if first_value is None else first_value + count)
    record = tx.pools.add_allocation(
        pool=pool, gtin=gtin, count=count, idempotency_key=key, actor=actor.label,
        station=station, state="pending", first_value=first_value, lot=lot, expiry=expiry,
        owner=OWNER, lease_until=later(LEASE_SECONDS),
    )  # fmt: skip
    return record, row, None


def _reserve_supply(
    tx: Tx, row: PoolRow, gtin: str | None, count: int, actor: Actor, key: str | None,
    station: str | None, lot: str | None, expiry: str | None,
) -> AllocationRow:  # fmt: skip
    """Take ``count`` values from the pool's supply blocks (leased, imported, returned).

    A supplied pool counts them as used; an own pool's returned values were counted when
    they were first issued, so only a supplied pool's ``used`` moves.
    """
    spec = row.spec
    record = tx.pools.add_allocation(
        pool=spec.name, gtin=gtin, count=count, idempotency_key=key, actor=actor.label,
        station=station, state="pending", lot=lot, expiry=expiry, owner=OWNER,
        lease_until=later(LEASE_SECONDS), source="supply",
    )  # fmt: skip
    got = tx.supply.take(spec.name, gtin, count, record.id)
    if got < count:  # the pool's lock makes this impossible; refuse rather than issue less
        raise _exhausted(row, count, got)
    if spec.supplied:
        tx.pools.advance(spec.name, count, None)
    return record


def _after_taking(row: PoolRow, record: AllocationRow, count: int) -> PoolRow:
    """The pool as it stands once this allocation's ``count`` values are taken."""
    if record.source != "supply":
        return replace(row, used=row.used + count)
    used = row.used + (count if row.spec.supplied else 0)
    return replace(row, used=used, supply_available=row.supply_available - count)


def _pool_row(tx: Tx, pool: str, *, lock: bool = True) -> PoolRow:
    row = tx.pools.get(pool, lock=lock)
    if row is None:
        raise NotFound("pool-not-found", f"There is no serial pool named {pool!r}.", pool=pool)
    return row


def _resume_or_replay(
    tx: Tx, earlier: AllocationRow, pool: str, count: int
) -> tuple[AllocationRow, Allocation | None]:
    if earlier.pool != pool or earlier.count != count:
        raise Conflict(
            "idempotency-mismatch",
            f"Idempotency key was already used for {earlier.count} serials from pool "
            f"{earlier.pool}; use a new key for a different request.",
        )
    if earlier.state == "complete":
        values = tx.items.values_of_allocation(earlier.id)
        return earlier, _result(earlier, values, replayed=True)
    if earlier.state == "undone":
        raise Conflict(
            "allocation-abandoned",
            f"Allocation {earlier.id} with this key was interrupted and rolled back; nothing "
            "from it was issued. Send the request again with a new key.",
            allocation=earlier.id,
        )
    alive = (earlier.lease_until or "") > now() and not owner_is_gone(earlier.owner)
    with _WRITING_LOCK:
        here = earlier.id in _WRITING
    if here or (earlier.owner not in (None, OWNER) and alive):
        raise _in_progress(earlier.id, earlier)
    tx.pools.take_over_allocation(earlier.id, OWNER, later(LEASE_SECONDS))
    return earlier, None


def _write(tx: Tx, record: AllocationRow, row: PoolRow, want: int) -> list[str] | None:
    """Insert the next ``want`` serials of an allocation; return them when known in order.

    Sequential values follow from the reserved cursor, so a resumed allocation continues
    exactly where it stopped; random values are drawn until ``want`` new ones went in.
    """
    spec = row.spec
    namespace = spec.namespace(record.gtin)

    def insert(values: list[str], ignore_duplicates: bool) -> int:
        return tx.items.insert_allocated(
            values, namespace=namespace, kind=spec.kind, gtin=record.gtin, pool=spec.name,
            allocation_id=record.id, ignore_duplicates=ignore_duplicates, lot=record.lot,
            expiry=record.expiry,
        )  # fmt: skip

    if record.source == "supply":
        values = tx.supply.values_of_allocation(record.id, record.written, want)
        try:
            insert(values, False)
        except IntegrityViolation as exc:
            raise Conflict(
                "serial-collision",
                f"Pool {spec.name} received a serial that was already issued here in "
                f"{namespace}; the block that brought it is wrong. Ask an admin to check the "
                "pool's supply (labelsvc lease status).",
                pool=spec.name,
            ) from exc
        return values
    if spec.strategy == "random":
        return _draw_random(spec, want, row.used - record.count + record.written, insert)
    assert record.first_value is not None
    values = sequential_values(spec, record.first_value + record.written, want)
    try:
        insert(values, False)
    except IntegrityViolation as exc:
        raise Conflict(
            "serial-collision",
            f"Pool {spec.name} would issue a serial that already exists in {namespace}; "
            "another pool shares its range. Ask an admin to move this pool's range.",
            pool=spec.name,
        ) from exc
    return values


def _finish(
    tx: Tx, record: AllocationRow, row: PoolRow, actor: Actor, values: list[str] | None
) -> Allocation:
    """Mark the allocation complete, record its event and raise the pool's warnings.

    ``row`` is the pool with this allocation counted in ``used``.
    """
    final = tx.pools.progress(record.id, written=record.count, lease_until=None, state="complete")
    if values is None:
        values = tx.items.values_of_allocation(record.id)
    tx.events.append(
        "serials-allocated", actor=actor.label, station=record.station,
        subject=f"pool:{record.pool}",
        details={"allocation": record.id, "count": record.count, "gtin": record.gtin,
                 "first": values[0], "last": values[-1]},
    )  # fmt: skip
    _after_use(tx, row, actor, record.station)
    return _result(final, values)


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
    remaining = row.remaining
    if spec.state != "active":
        raise Conflict(
            f"pool-{spec.state}",
            f"Pool {spec.name} is {spec.state}; nothing can be allocated from it"
            + (" until an admin resumes it." if spec.state == "suspended" else "."),
            pool=spec.name,
            remaining=remaining,
        )
    if count > remaining:
        raise _exhausted(row, count, remaining)


def _exhausted(row: PoolRow, count: int, remaining: int) -> Conflict:
    """The refusal of a request for more than is left, with what to do for each supply."""
    spec = row.spec
    if spec.supply == "lease":
        return Conflict(
            "lease-exhausted",
            f"Pool {spec.name} has {remaining:,} leased serials left here; {count:,} were "
            "asked for. Its leases are used up or expired: this site asks its authority for "
            "a new block as soon as it reaches it (see labelsvc lease status).",
            pool=spec.name,
            remaining=remaining,
        )
    if spec.supply == "list":
        return Conflict(
            "list-exhausted",
            f"Pool {spec.name} has {remaining:,} issued serials left; {count:,} were asked "
            "for. Import the issuer's next list, or let the pool refill from its issuer.",
            pool=spec.name,
            remaining=remaining,
        )
    return Conflict(
        "pool-exhausted",
        f"Pool {spec.name} has {remaining:,} serials left; {count:,} were asked for. "
        "Ask an admin to extend the pool or use another one.",
        pool=spec.name,
        remaining=remaining,
    )


def _draw_random(
    spec: PoolSpec, count: int, used: int, insert: Callable[[list[str], bool], int]
) -> list[str] | None:
    """Draw, let the UNIQUE constraint drop repeats, and draw again for what is missing.

    A fuller pool repeats more often, so each round draws in proportion to what is free.
    Returns the values when the first draw went in whole (then they are known in order).
    """
    missing = count
    for round_ in range(MAX_DRAWS):
        free = max(1, spec.capacity - used - (count - missing))
        want = min(int(missing * spec.capacity / free * 1.1) + 8, missing * 64 + 1024)
        batch = list(dict.fromkeys(random_values(spec, want)))[:missing]
        added = insert(batch, True)
        if round_ == 0 and added == count:
            return batch
        missing -= added
        if missing == 0:
            return None
    raise Conflict(
        "pool-saturated",
        f"Pool {spec.name} could not find {count:,} unused random serials; it is too full. "
        "Ask an admin to lengthen its serials.",
        pool=spec.name,
    )


def _after_use(tx: Tx, row: PoolRow, actor: Actor, station: str | None) -> None:
    """Raise the pool's warnings once, and mark it exhausted when it is."""
    spec, used = row.spec, row.used
    remaining = row.remaining
    subject = f"pool:{spec.name}"
    if remaining == 0 and spec.state == "active" and not spec.supplied:
        tx.pools.set_state(spec.name, "exhausted")
        tx.events.append("pool-exhausted", actor=actor.label, station=station, subject=subject)
        outbound.pool_exhausted(tx, row)
    if spec.low_water and remaining <= spec.low_water and not row.low_water_warned:
        tx.pools.set_warned(spec.name, low_water=True)
        tx.events.append(
            "pool-low-water", actor=actor.label, station=station, subject=subject,
            details={"remaining": remaining, "low_water": spec.low_water},
        )  # fmt: skip
        outbound.pool_low(tx, row, remaining)
    if spec.strategy == "random" and used > spec.guess_limit and not row.guess_warned:
        tx.pools.set_warned(spec.name, guess=True)
        tx.events.append(
            "pool-guessable", actor=actor.label, station=station, subject=subject,
            details={"used": used, "limit": spec.guess_limit},
        )  # fmt: skip


def recover_abandoned(
    store: Store, actor: Actor, *, dead_owner: Callable[[str | None], bool] = owner_is_gone
) -> list[int]:
    """Roll back pending allocations whose owner died (its lease lapsed, or its process is
    gone from this host); return their ids.

    Their serials were never handed to anyone (a caller gets serials only once complete), so
    they are deleted chunk by chunk; a random pool gets its capacity back, a sequential pool
    keeps its cursor (the skipped values are recorded in the event).
    """
    with store.read() as tx:
        stale = [a for a in tx.pools.pending() if _abandoned(a, dead_owner)]
    undone = []
    for record in stale:
        while True:
            with store.write() as tx:
                if tx.items.delete_unused_of_allocation(record.id, CHUNK) == 0:
                    break
        with store.write() as tx:
            fresh = tx.pools.allocation(record.id)
            if fresh is None or fresh.state != "pending" or not _abandoned(fresh, dead_owner):
                continue
            if tx.items.count_of_allocation(record.id):
                continue  # something of it was used after all: leave it for a person
            row = tx.pools.get(record.pool)
            if record.source == "supply":
                tx.supply.release_allocation(record.id)
                if row is not None and row.spec.supplied:
                    tx.pools.release_capacity(record.pool, record.count)
            elif row is not None and row.spec.strategy == "random":
                tx.pools.release_capacity(record.pool, record.count)
            tx.pools.finish_allocation(record.id, "undone")
            tx.events.append(
                "allocation-undone", actor=actor.label, subject=f"pool:{record.pool}",
                details={"allocation": record.id, "count": record.count,
                         "written": record.written, "first_value": record.first_value},
            )  # fmt: skip
            undone.append(record.id)
    return undone


def _abandoned(record: AllocationRow, dead_owner: Callable[[str | None], bool]) -> bool:
    lapsed = (record.lease_until or "") < now()
    return record.owner != OWNER and (lapsed or dead_owner(record.owner))


def _result(record: AllocationRow, values: list[str], replayed: bool = False) -> Allocation:
    return Allocation(
        id=record.id, pool=record.pool, gtin=record.gtin, count=record.count, serials=values,
        first_item_id=record.first_item_id, last_item_id=record.last_item_id,
        actor=record.actor, station=record.station, created_at=record.created_at,
        replayed=replayed,
    )  # fmt: skip
