"""Supply blocks: values a pool received from elsewhere, waiting to be allocated.

A block is one grant (an authority's lease), one imported file, one answer of an issuer, or
the values sites gave back. Allocation takes free values in order (earliest expiry first,
then oldest block, then position) and marks them with its id, so a chunked allocation writes
exactly those values and an abandoned one gives them back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from labelsvc.domain.leases import BlockState, ValueState
from labelsvc.store.clock import now

if TYPE_CHECKING:
    from labelsvc.store.db import Tx


@dataclass(frozen=True)
class BlockRow:
    """One block of supply values."""

    id: int
    pool: str
    gtin: str | None
    origin: str
    reference: str
    count: int
    available: int
    state: str
    expires_at: str | None
    checksum: str | None
    created_by: str
    created_at: str
    updated_at: str

    def expired(self, at: str) -> bool:
        """True when its lease ran out (its free values may not be issued any more)."""
        return self.expires_at is not None and self.expires_at <= at


def _block(r: Any) -> BlockRow:
    return BlockRow(**{k: r[k] for k in BlockRow.__dataclass_fields__})


_SAME_GTIN = "COALESCE(gtin, '') = COALESCE(?, '')"
_USABLE = "state = 'active' AND available > 0 AND (expires_at IS NULL OR expires_at > ?)"


class SupplyRepo:
    """Read and write supply blocks and their values."""

    def __init__(self, tx: Tx) -> None:
        self.tx = tx

    def add_block(
        self, *, pool: str, gtin: str | None, origin: str, reference: str,
        values: Sequence[str], created_by: str, expires_at: str | None = None,
        checksum: str | None = None,
    ) -> BlockRow:  # fmt: skip
        """Store a block and its values in order (positions 0..n-1)."""
        at = now()
        block_id = self.tx.insert(
            "INSERT INTO supply_blocks (pool, gtin, origin, reference, count, available, state,"
            " expires_at, checksum, created_by, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, 'active', ?, ?, ?, ?, ?)",
            (pool, gtin, origin, reference, len(values), len(values), expires_at, checksum,
             created_by, at, at),
        )  # fmt: skip
        self.tx.bulk_insert(
            "supply_values",
            ("block_id", "position", "value", "state"),
            [(block_id, i, v, ValueState.AVAILABLE.value) for i, v in enumerate(values)],
            "",
        )
        block = self.block(block_id)
        assert block is not None
        return block

    def block(self, block_id: int) -> BlockRow | None:
        """A block by id."""
        row = self.tx.execute("SELECT * FROM supply_blocks WHERE id = ?", (block_id,)).fetchone()
        return _block(row) if row else None

    def block_by_reference(self, origin: str, reference: str) -> BlockRow | None:
        """The block that arrived as ``reference`` (a lease id, a file, a collection id)."""
        row = self.tx.execute(
            "SELECT * FROM supply_blocks WHERE origin = ? AND reference = ?", (origin, reference)
        ).fetchone()
        return _block(row) if row else None

    def blocks(self, pool: str | None = None, *, state: str | None = None) -> list[BlockRow]:
        """Blocks, oldest first, of one pool and state or all."""
        sql, params = "SELECT * FROM supply_blocks WHERE 1 = 1", list[str]()
        if pool is not None:
            sql, params = sql + " AND pool = ?", [*params, pool]
        if state is not None:
            sql, params = sql + " AND state = ?", [*params, state]
        return [_block(r) for r in self.tx.execute(sql + " ORDER BY id", params)]

    def available(self, pool: str, gtin: str | None) -> int:
        """Free values of a pool (and GTIN) in its usable blocks."""
        row = self.tx.execute(
            f"SELECT COALESCE(SUM(available), 0) FROM supply_blocks WHERE pool = ?"
            f" AND {_SAME_GTIN} AND {_USABLE}",
            (pool, gtin, now()),
        ).fetchone()
        return int(row[0])

    def take(self, pool: str, gtin: str | None, count: int, allocation_id: int) -> int:
        """Mark the next ``count`` free values as the allocation's; return how many it got.

        Call inside the transaction that locked the pool, so two allocations never take the
        same values (the items' UNIQUE constraint would refuse the second anyway).
        """
        blocks = self.tx.execute(
            f"SELECT id, available FROM supply_blocks WHERE pool = ? AND {_SAME_GTIN}"
            f" AND {_USABLE} ORDER BY COALESCE(expires_at, '9999'), id",
            (pool, gtin, now()),
        ).fetchall()
        taken = 0
        for block_id, free in blocks:
            want = min(count - taken, int(free))
            if want <= 0:
                break
            got = self.tx.execute(
                "UPDATE supply_values SET state = 'taken', allocation_id = ? WHERE block_id = ?"
                " AND position IN (SELECT position FROM supply_values WHERE block_id = ?"
                " AND state = 'available' ORDER BY position LIMIT ?)",
                (allocation_id, block_id, block_id, want),
            ).rowcount
            self._count(block_id, -got)
            taken += got
        return taken

    def values_of_allocation(self, allocation_id: int, offset: int, limit: int) -> list[str]:
        """The values an allocation took, in the order it took them."""
        rows = self.tx.execute(
            "SELECT value FROM supply_values WHERE allocation_id = ?"
            " ORDER BY block_id, position LIMIT ? OFFSET ?",
            (allocation_id, limit, offset),
        )
        return [str(r[0]) for r in rows]

    def release_allocation(self, allocation_id: int) -> int:
        """Give an undone allocation's values back to their blocks; return how many."""
        per_block = self.tx.execute(
            "SELECT block_id, COUNT(*) FROM supply_values WHERE allocation_id = ?"
            " GROUP BY block_id",
            (allocation_id,),
        ).fetchall()
        self.tx.execute(
            "UPDATE supply_values SET state = 'available', allocation_id = NULL"
            " WHERE allocation_id = ?",
            (allocation_id,),
        )
        for block_id, n in per_block:
            self._count(int(block_id), int(n))
        return sum(int(n) for _, n in per_block)

    def free_values(self, block_id: int, limit: int | None = None) -> list[str]:
        """A block's values not taken, in order (the last ``limit`` of them when given)."""
        rows = self.tx.execute(
            "SELECT value FROM supply_values WHERE block_id = ? AND state = 'available'"
            " ORDER BY position",
            (block_id,),
        ).fetchall()
        values = [str(r[0]) for r in rows]
        return values if limit is None else values[len(values) - limit :]

    def return_values(self, block_id: int, values: Sequence[str]) -> int:
        """Mark free values of a block returned (never issued here again); return how many."""
        if not values:
            return 0
        returned = 0
        for start in range(0, len(values), 500):
            part = list(values[start : start + 500])
            marks = ", ".join("?" * len(part))
            returned += self.tx.execute(
                f"UPDATE supply_values SET state = 'returned' WHERE block_id = ?"
                f" AND state = 'available' AND value IN ({marks})",
                (block_id, *part),
            ).rowcount
        self._count(block_id, -returned)
        return returned

    def set_state(self, block_id: int, state: BlockState) -> None:
        """Mark a block expired or returned (it is drawn from no more)."""
        self.tx.execute(
            "UPDATE supply_blocks SET state = ?, updated_at = ? WHERE id = ?",
            (str(state), now(), block_id),
        )

    def lapsed(self) -> list[BlockRow]:
        """Active blocks whose expiry has passed (to be marked expired and returned)."""
        rows = self.tx.execute(
            "SELECT * FROM supply_blocks WHERE state = 'active' AND expires_at IS NOT NULL"
            " AND expires_at <= ? ORDER BY id",
            (now(),),
        )
        return [_block(r) for r in rows]

    def find_value(self, pool: str, value: str) -> tuple[BlockRow, str] | None:
        """The block of a pool holding ``value``, with the value's state (latest block)."""
        row = self.tx.execute(
            "SELECT b.*, v.state AS value_state FROM supply_values v"
            " JOIN supply_blocks b ON b.id = v.block_id WHERE v.value = ? AND b.pool = ?"
            " ORDER BY b.id DESC LIMIT 1",
            (value, pool),
        ).fetchone()
        return (_block(row), str(row["value_state"])) if row else None

    def first_issued(self, namespace: str, values: Sequence[str]) -> str | None:
        """One of ``values`` this store issued already in ``namespace``, or None."""
        marks = ", ".join("?" * len(values))
        row = self.tx.execute(
            f"SELECT value FROM items WHERE namespace = ? AND value IN ({marks}) LIMIT 1",
            (namespace, *values),
        ).fetchone()
        return str(row[0]) if row else None

    def first_waiting(self, pool: str, values: Sequence[str]) -> str | None:
        """One of ``values`` already waiting, free, in a block of ``pool``, or None."""
        marks = ", ".join("?" * len(values))
        row = self.tx.execute(
            "SELECT v.value FROM supply_values v JOIN supply_blocks b ON b.id = v.block_id"
            f" WHERE b.pool = ? AND v.state = 'available' AND v.value IN ({marks}) LIMIT 1",
            (pool, *values),
        ).fetchone()
        return str(row[0]) if row else None

    def _count(self, block_id: int, delta: int) -> None:
        if delta:
            self.tx.execute(
                "UPDATE supply_blocks SET available = available + ?, updated_at = ? WHERE id = ?",
                (delta, now(), block_id),
            )
