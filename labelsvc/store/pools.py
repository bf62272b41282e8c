"""Pools and their allocations as stored."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from labelsvc.domain.pools import PoolSpec
from labelsvc.store.clock import now

if TYPE_CHECKING:
    from labelsvc.store.db import Tx

SPEC_COLUMNS = (
    "kind", "strategy", "company_prefix", "extension_digit", "pattern", "alphabet", "length",
    "range_start", "range_end", "low_water", "state", "description", "supply", "refill_count",
)  # fmt: skip


@dataclass(frozen=True)
class PoolRow:
    """A pool's definition plus its counters."""

    spec: PoolSpec
    used: int
    next_value: int | None
    low_water_warned: bool
    guess_warned: bool
    source: str | None
    created_at: str
    updated_at: str
    file_hash: str | None = None
    edited_by: str | None = None
    supply_available: int = 0  # free values in its active, unexpired supply blocks

    @property
    def remaining(self) -> int:
        """Values it can still give: its supply, plus what its own range has left."""
        if self.spec.supplied:
            return self.supply_available
        return self.spec.capacity - self.used + self.supply_available

    @property
    def capacity(self) -> int:
        """Values it can ever give as things stand (a supplied pool: used plus supply)."""
        if self.spec.supplied:
            return self.used + self.supply_available
        return self.spec.capacity + self.supply_available


@dataclass(frozen=True)
class AllocationRow:
    """One stored allocation; its items carry its id (``items.allocation_id``).

    ``pending`` while its chunks are being written (``written`` of ``count`` so far, by
    ``owner`` under a lease), ``complete`` once all are in, ``undone`` when an abandoned one
    was rolled back. ``first_value`` is a sequential pool's first reserved cursor value.
    """

    id: int
    pool: str
    gtin: str | None
    count: int
    idempotency_key: str | None
    actor: str
    station: str | None
    first_item_id: int
    last_item_id: int
    created_at: str
    state: str = "complete"
    written: int = 0
    first_value: int | None = None
    lot: str | None = None
    expiry: str | None = None
    owner: str | None = None
    lease_until: str | None = None
    source: str = "range"  # range: the pool's own values; supply: taken from supply blocks


def _pool(r: Any) -> PoolRow:
    spec = PoolSpec(name=r["name"], gtins=tuple(json.loads(r["gtins"])),
                    **{c: r[c] for c in SPEC_COLUMNS})  # fmt: skip
    return PoolRow(
        spec=spec,
        used=r["used"],
        next_value=r["next_value"],
        low_water_warned=bool(r["low_water_warned"]),
        guess_warned=bool(r["guess_warned"]),
        source=r["source"],
        created_at=r["created_at"],
        updated_at=r["updated_at"],
        file_hash=r["file_hash"],
        edited_by=r["edited_by"],
        supply_available=int(r["supply_available"] or 0),
    )


_SUPPLY = (
    "(SELECT COALESCE(SUM(b.available), 0) FROM supply_blocks b WHERE b.pool = pools.name"
    " AND b.state = 'active' AND (b.expires_at IS NULL OR b.expires_at > ?)) AS supply_available"
)


class PoolRepo:
    """Read and write pools and allocations."""

    def __init__(self, tx: Tx) -> None:
        self.tx = tx

    def get(self, name: str, *, lock: bool = True) -> PoolRow | None:
        """The pool named ``name``, or None (locked for the rest of a write on PostgreSQL).

        The lock is what serializes two instances allocating from one pool: the second
        waits (bounded by the lock timeout) and then reads the advanced cursor. A chunk of
        an allocation whose range is already reserved reads it without (``lock=False``).
        """
        suffix = self.tx.for_update if lock else ""
        row = self.tx.execute(
            f"SELECT *, {_SUPPLY} FROM pools WHERE name = ?{suffix}", (now(), name)
        ).fetchone()
        return _pool(row) if row else None

    def all(self) -> list[PoolRow]:
        """All pools by name."""
        rows = self.tx.execute(f"SELECT *, {_SUPPLY} FROM pools ORDER BY name", (now(),))
        return [_pool(r) for r in rows]

    def upsert(
        self, spec: PoolSpec, source: str | None, *, file_hash: str | None = None,
        edited_by: str | None = None,
    ) -> bool:  # fmt: skip
        """Insert or update a definition, keeping counters; True when it was new.

        An import passes the file's ``file_hash`` (and clears ``edited_by``); an admin's
        change passes ``edited_by``, which later imports respect.
        """
        at = now()
        values = {c: getattr(spec, c) for c in SPEC_COLUMNS}
        values["gtins"] = json.dumps(list(spec.gtins))
        exists = self.get(spec.name) is not None
        marks_of = {"source": source, "at": at, "name": spec.name, "edited_by": edited_by}
        if exists:
            sets = ", ".join(f"{c} = :{c}" for c in values)
            hash_set = ", file_hash = :file_hash" if file_hash else ""
            self.tx.execute(
                f"UPDATE pools SET {sets}, source = :source, updated_at = :at,"
                f" edited_by = :edited_by{hash_set} WHERE name = :name",
                {**values, **marks_of, "file_hash": file_hash},
            )
            return False
        cols = ", ".join(values)
        marks = ", ".join(f":{c}" for c in values)
        self.tx.execute(
            f"INSERT INTO pools (name, {cols}, next_value, source, created_at, updated_at,"
            f" file_hash, edited_by) VALUES (:name, {marks}, :next, :source, :at, :at,"
            " :file_hash, :edited_by)",
            {**values, **marks_of, "next": spec.first, "file_hash": file_hash},
        )
        return True

    def mark_edited(self, name: str, by: str) -> None:
        """Remember that an admin changed the pool, so an import does not undo it."""
        self.tx.execute("UPDATE pools SET edited_by = ? WHERE name = ?", (by, name))

    def advance(self, name: str, used_delta: int, next_value: int | None) -> None:
        """Count ``used_delta`` more values used and move the sequential cursor."""
        self.tx.execute(
            "UPDATE pools SET used = used + ?, next_value = COALESCE(?, next_value),"
            " updated_at = ? WHERE name = ?",
            (used_delta, next_value, now(), name),
        )

    def set_state(self, name: str, state: str) -> None:
        """Change a pool's state (active, suspended, exhausted, retired)."""
        self.tx.execute(
            "UPDATE pools SET state = ?, updated_at = ? WHERE name = ?", (state, now(), name)
        )

    def set_warned(self, name: str, *, low_water: bool | None = None,
                   guess: bool | None = None) -> None:  # fmt: skip
        """Remember that a warning was raised so it is raised once."""
        if low_water is not None:
            self.tx.execute(
                "UPDATE pools SET low_water_warned = ? WHERE name = ?", (int(low_water), name)
            )
        if guess is not None:
            self.tx.execute("UPDATE pools SET guess_warned = ? WHERE name = ?", (int(guess), name))

    def add_allocation(
        self, *, pool: str, gtin: str | None, count: int, idempotency_key: str | None,
        actor: str, station: str | None, state: str = "complete", first_value: int | None = None,
        lot: str | None = None, expiry: str | None = None, owner: str | None = None,
        lease_until: str | None = None, source: str = "range",
    ) -> AllocationRow:  # fmt: skip
        """Record an allocation (the UNIQUE key makes a replayed key a conflict)."""
        at = now()
        row = self.tx.execute(
            "INSERT INTO allocations (pool, gtin, count, idempotency_key, actor, station,"
            " first_item_id, last_item_id, created_at, state, written, first_value, lot, expiry,"
            " owner, lease_until, source)"
            " VALUES (?, ?, ?, ?, ?, ?, 0, 0, ?, ?, 0, ?, ?, ?, ?, ?, ?) RETURNING *",
            (pool, gtin, count, idempotency_key, actor, station, at, state, first_value, lot,
             expiry, owner, lease_until, source),
        ).fetchone()  # fmt: skip
        return AllocationRow(**dict(row))

    def allocation(self, allocation_id: int) -> AllocationRow | None:
        """An allocation by id (locked for the rest of a write on PostgreSQL)."""
        row = self.tx.execute(
            f"SELECT * FROM allocations WHERE id = ?{self.tx.for_update}", (allocation_id,)
        ).fetchone()
        return AllocationRow(**dict(row)) if row else None

    def allocation_by_key(self, key: str) -> AllocationRow | None:
        """The allocation made with this idempotency key, if any."""
        row = self.tx.execute(
            f"SELECT * FROM allocations WHERE idempotency_key = ?{self.tx.for_update}", (key,)
        ).fetchone()
        return AllocationRow(**dict(row)) if row else None

    def allocations(self, pool: str, limit: int = 50) -> list[AllocationRow]:
        """The latest allocations of a pool, newest first."""
        rows = self.tx.execute(
            "SELECT * FROM allocations WHERE pool = ? ORDER BY id DESC LIMIT ?", (pool, limit)
        )
        return [AllocationRow(**dict(r)) for r in rows]

    def progress(self, allocation_id: int, *, written: int, lease_until: str | None,
                 state: str = "pending") -> AllocationRow:  # fmt: skip
        """Record written serials of an allocation (its item id bounds too) and renew the
        owner's lease; ``complete`` also drops the owner."""
        done = state != "pending"
        row = self.tx.execute(
            "UPDATE allocations SET written = ?, state = ?, lease_until = ?,"
            " owner = CASE WHEN ? = 1 THEN NULL ELSE owner END,"
            " first_item_id = COALESCE((SELECT MIN(id) FROM items WHERE allocation_id = ?), 0),"
            " last_item_id = COALESCE((SELECT MAX(id) FROM items WHERE allocation_id = ?), 0)"
            " WHERE id = ? RETURNING *",
            (written, state, None if done else lease_until, int(done), allocation_id,
             allocation_id, allocation_id),
        ).fetchone()  # fmt: skip
        return AllocationRow(**dict(row))

    def finish_allocation(self, allocation_id: int, state: str) -> None:
        """Mark an allocation ``complete`` (or ``undone``) and drop its owner."""
        self.tx.execute(
            "UPDATE allocations SET state = ?, owner = NULL, lease_until = NULL WHERE id = ?",
            (state, allocation_id),
        )

    def take_over_allocation(self, allocation_id: int, owner: str, lease_until: str) -> None:
        """Become the owner of a pending allocation (a retry resumes it)."""
        self.tx.execute(
            "UPDATE allocations SET owner = ?, lease_until = ? WHERE id = ?",
            (owner, lease_until, allocation_id),
        )

    def pending(self) -> list[AllocationRow]:
        """Allocations still being written (or abandoned while being written)."""
        rows = self.tx.execute("SELECT * FROM allocations WHERE state = 'pending' ORDER BY id")
        return [AllocationRow(**dict(r)) for r in rows]

    def release_capacity(self, name: str, count: int) -> None:
        """Give back capacity of an undone random-pool allocation."""
        self.tx.execute(
            "UPDATE pools SET used = used - ?, updated_at = ? WHERE name = ?", (count, now(), name)
        )
