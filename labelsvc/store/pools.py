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
    "range_start", "range_end", "low_water", "state", "description",
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


@dataclass(frozen=True)
class AllocationRow:
    """One stored allocation; its items are the id range first..last."""

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
    )


class PoolRepo:
    """Read and write pools and allocations."""

    def __init__(self, tx: Tx) -> None:
        self.tx = tx

    def get(self, name: str) -> PoolRow | None:
        """The pool named ``name``, or None."""
        row = self.tx.execute("SELECT * FROM pools WHERE name = ?", (name,)).fetchone()
        return _pool(row) if row else None

    def all(self) -> list[PoolRow]:
        """All pools by name."""
        return [_pool(r) for r in self.tx.execute("SELECT * FROM pools ORDER BY name")]

    def upsert(self, spec: PoolSpec, source: str | None) -> bool:
        """Insert or update a definition, keeping counters; True when it was new."""
        at = now()
        values = {c: getattr(spec, c) for c in SPEC_COLUMNS}
        values["gtins"] = json.dumps(list(spec.gtins))
        exists = self.get(spec.name) is not None
        if exists:
            sets = ", ".join(f"{c} = :{c}" for c in values)
            self.tx.execute(
                f"UPDATE pools SET {sets}, source = :source, updated_at = :at WHERE name = :name",
                {**values, "source": source, "at": at, "name": spec.name},
            )
            return False
        cols = ", ".join(values)
        marks = ", ".join(f":{c}" for c in values)
        self.tx.execute(
            f"INSERT INTO pools (name, {cols}, next_value, source, created_at, updated_at)"
            f" VALUES (:name, {marks}, :next, :source, :at, :at)",
            {**values, "name": spec.name, "next": spec.first, "source": source, "at": at},
        )
        return True

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
        actor: str, station: str | None, first_item_id: int, last_item_id: int,
    ) -> AllocationRow:  # fmt: skip
        """Record an allocation (the UNIQUE key makes a replayed key a conflict)."""
        at = now()
        cur = self.tx.execute(
            "INSERT INTO allocations (pool, gtin, count, idempotency_key, actor, station,"
            " first_item_id, last_item_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (pool, gtin, count, idempotency_key, actor, station, first_item_id, last_item_id, at),
        )
        return AllocationRow(
            id=int(cur.lastrowid or 0), pool=pool, gtin=gtin, count=count,
            idempotency_key=idempotency_key, actor=actor, station=station,
            first_item_id=first_item_id, last_item_id=last_item_id, created_at=at,
        )  # fmt: skip

    def allocation(self, allocation_id: int) -> AllocationRow | None:
        """An allocation by id."""
        row = self.tx.execute("SELECT * FROM allocations WHERE id = ?", (allocation_id,)).fetchone()
        return AllocationRow(**dict(row)) if row else None

    def allocation_by_key(self, key: str) -> AllocationRow | None:
        """The allocation made with this idempotency key, if any."""
        row = self.tx.execute(
            "SELECT * FROM allocations WHERE idempotency_key = ?", (key,)
        ).fetchone()
        return AllocationRow(**dict(row)) if row else None

    def allocations(self, pool: str, limit: int = 50) -> list[AllocationRow]:
        """The latest allocations of a pool, newest first."""
        rows = self.tx.execute(
            "SELECT * FROM allocations WHERE pool = ? ORDER BY id DESC LIMIT ?", (pool, limit)
        )
        return [AllocationRow(**dict(r)) for r in rows]
