"""The serials of one allocation: pages of them, and the ones a client gives back.

Portable SQL only. Pages are keyset pages over the items' ids (an allocation's items were
inserted in the order it issued them), so a page boundary never moves when serials before
it are returned.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from labelsvc.store.db import Tx

BATCH = 500  # ids or values per IN (...) list


@dataclass(frozen=True)
class HeldSerial:
    """One serial of an allocation as it stands now."""

    id: int
    value: str
    state: str
    print_count: int
    parent_id: int | None


def _batches(values: Sequence[object]) -> list[list[object]]:
    return [list(values[i : i + BATCH]) for i in range(0, len(values), BATCH)]


class AllocationSerials:
    """Queries over the items of one allocation."""

    def __init__(self, tx: Tx) -> None:
        self.tx = tx

    def page(self, allocation_id: int, after_id: int, limit: int) -> list[tuple[int, str]]:
        """Up to ``limit`` (item id, value) after item ``after_id``, in issue order."""
        rows = self.tx.execute(
            "SELECT id, value FROM items WHERE allocation_id = ? AND id > ? ORDER BY id LIMIT ?",
            (allocation_id, after_id, limit),
        )
        return [(int(r[0]), str(r[1])) for r in rows]

    def held(self, allocation_id: int, values: Sequence[str]) -> dict[str, HeldSerial]:
        """Those of ``values`` that this allocation still holds, by value."""
        found: dict[str, HeldSerial] = {}
        for part in _batches(values):
            marks = ", ".join("?" * len(part))
            rows = self.tx.execute(
                "SELECT id, value, state, print_count, parent_id FROM items"
                f" WHERE allocation_id = ? AND value IN ({marks})",
                (allocation_id, *part),
            )
            for r in rows:
                found[str(r[1])] = HeldSerial(int(r[0]), str(r[1]), str(r[2]), int(r[3]),
                                              None if r[4] is None else int(r[4]))  # fmt: skip
        return found

    def with_history(self, item_ids: Sequence[int]) -> set[int]:
        """Those items something happened to (an event names them)."""
        found: set[int] = set()
        for part in _batches(item_ids):
            marks = ", ".join("?" * len(part))
            rows = self.tx.execute(
                f"SELECT DISTINCT item_id FROM events WHERE item_id IN ({marks})", part
            )
            found |= {int(r[0]) for r in rows}
        return found

    def in_print_jobs(self, item_ids: Sequence[int], since: str) -> set[int]:
        """Those items a print job made since ``since`` names, unless it was cancelled (a
        job not printed, failed or held may still print them)."""
        wanted = set(item_ids)
        rows = self.tx.execute(
            "SELECT item_ids FROM print_jobs WHERE state <> 'cancelled' AND created_at >= ?",
            (since,),
        )
        found: set[int] = set()
        for (text,) in rows:
            found |= wanted & {int(i) for i in json.loads(text or "[]")}
        return found

    def delete(self, item_ids: Sequence[int]) -> int:
        """Remove never-used items (their values go back to the pool's supply)."""
        deleted = 0
        for part in _batches(item_ids):
            marks = ", ".join("?" * len(part))
            deleted += self.tx.execute(
                f"DELETE FROM items WHERE id IN ({marks}) AND state = 'allocated'"
                " AND print_count = 0",
                part,
            ).rowcount
        return deleted
