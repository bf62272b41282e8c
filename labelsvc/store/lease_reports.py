"""Reports of leased serials as stored at the authority: what it applied, per-serial use,
discrepancies and the lease summary (a site's side: :mod:`labelsvc.store.lease_cursors`).

Portable SQL only. Lookups take many keys at once (chunks of :data:`CHUNK`) and writes are
statement batches, so a report of thousands of serials costs a few dozen round trips.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from labelsvc.domain.reconcile import DiscrepancyState
from labelsvc.store.clock import now
from labelsvc.store.items import namespace_for

if TYPE_CHECKING:
    from labelsvc.store.db import Tx

CHUNK = 500  # keys per IN (...) list
Key = tuple[str, str]  # (namespace, value)


@dataclass(frozen=True)
class AuthorityItem:
    """What the authority knows of one serial it issued."""

    id: int
    allocation_id: int | None
    state: str
    level: str | None


@dataclass(frozen=True)
class LeaseOwner:
    """The lease an allocation was made for, and its site."""

    lease_id: int
    site: str


@dataclass(frozen=True)
class Discrepancy:
    """A report the authority refused."""

    id: int
    kind: str
    site: str
    lease_id: int | None
    namespace: str | None
    value: str
    detail: str
    message_id: str | None
    state: str
    created_at: str
    resolved_by: str | None
    resolved_at: str | None
    note: str | None


@dataclass(frozen=True)
class SummaryRow:
    """Lease state of one site and pool (expired: unused serials of leases past expiry)."""

    site: str
    pool: str
    leases: int
    granted: int
    used: int
    returned: int
    voided: int
    expired: int
    outstanding: int


def chunks(keys: Sequence[Any]) -> Iterable[list[Any]]:
    for start in range(0, len(keys), CHUNK):
        yield list(keys[start : start + CHUNK])


def marks(part: Sequence[Any]) -> str:
    return ", ".join("?" * len(part))


class AuthorityReports:
    """At the authority: applied reports, usage per serial, discrepancies."""

    def __init__(self, tx: Tx) -> None:
        self.tx = tx

    def receive(self, message_id: str, site: str, topic: str, seq: int | None) -> bool:
        """Record a report's envelope id; False when it was applied before (a redelivery)."""
        return bool(
            self.tx.execute(
                "INSERT INTO lease_reports (message_id, site, topic, seq, received_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (message_id) DO NOTHING",
                (message_id, site, topic, seq, now()),
            ).rowcount
        )

    def counted(self, message_id: str, applied: int, refused: int) -> None:
        """What a report did."""
        self.tx.execute(
            "UPDATE lease_reports SET applied = ?, refused = ? WHERE message_id = ?",
            (applied, refused, message_id),
        )

    def items(self, keys: Iterable[Key]) -> dict[Key, AuthorityItem]:
        """The authority's items of these (namespace, value) keys."""
        wanted = set(keys)
        found: dict[Key, AuthorityItem] = {}
        for part in chunks(sorted({v for _, v in wanted})):
            rows = self.tx.execute(
                "SELECT id, namespace, value, allocation_id, state, level FROM items"
                f" WHERE value IN ({marks(part)})",
                part,
            )
            for r in rows:
                key = (str(r[1]), str(r[2]))
                if key in wanted:
                    found[key] = AuthorityItem(int(r[0]), r[3], str(r[4]), r[5])
        return found

    def owners(self, allocation_ids: Iterable[int]) -> dict[int, LeaseOwner]:
        """The lease (and site) of each allocation that was made for one."""
        found: dict[int, LeaseOwner] = {}
        for part in chunks(sorted(set(allocation_ids))):
            rows = self.tx.execute(
                "SELECT allocation_id, id, site FROM leases"
                f" WHERE allocation_id IN ({marks(part)})",
                part,
            )
            found.update({int(r[0]): LeaseOwner(int(r[1]), str(r[2])) for r in rows})
        return found

    def usage(self, item_ids: Iterable[int]) -> dict[int, tuple[int, str]]:
        """The last applied (seq, state) of each serial reported before."""
        found: dict[int, tuple[int, str]] = {}
        for part in chunks(sorted(set(item_ids))):
            rows = self.tx.execute(
                f"SELECT item_id, seq, state FROM lease_usage WHERE item_id IN ({marks(part)})",
                part,
            )
            found.update({int(r[0]): (int(r[1]), str(r[2])) for r in rows})
        return found

    def put_usage(self, rows: Sequence[tuple[int, int, int, str]]) -> None:
        """Remember (item, lease, seq, state) as the last applied report of each serial."""
        at = now()
        self.tx.bulk_insert(
            "lease_usage", ("item_id", "lease_id", "seq", "state", "updated_at"),
            [(*r, at) for r in rows],
            " ON CONFLICT (item_id) DO UPDATE SET seq = excluded.seq, state = excluded.state,"
            " lease_id = excluded.lease_id, updated_at = excluded.updated_at",
        )  # fmt: skip

    def set_items(self, rows: Sequence[tuple[Any, ...]]) -> None:
        """(state, hold, level, lot, expiry, print_count, id): a site's word on its serials.

        Serials of one report mostly share their values, so rows are grouped by them: one
        UPDATE per group and chunk of ids instead of one per serial.
        """
        groups: dict[tuple[Any, ...], list[int]] = {}
        for r in rows:
            groups.setdefault(tuple(r[:6]), []).append(int(r[6]))
        at = now()
        for values, ids in groups.items():
            for part in chunks(ids):
                self.tx.execute(
                    "UPDATE items SET state = ?, hold = ?, level = ?, lot = ?, expiry = ?,"
                    f" print_count = ?, updated_at = ? WHERE id IN ({marks(part)})",
                    (*values, at, *part),
                )

    def set_parents(self, rows: Sequence[tuple[int | None, int]]) -> None:
        """(parent id or None, id): nesting as the site reported it (grouped by parent)."""
        groups: dict[int | None, list[int]] = {}
        for parent, item_id in rows:
            groups.setdefault(parent, []).append(item_id)
        for parent, ids in groups.items():
            for part in chunks(ids):
                self.tx.execute(
                    f"UPDATE items SET parent_id = ? WHERE id IN ({marks(part)})"
                    " AND COALESCE(parent_id, 0) <> COALESCE(?, 0)",
                    (parent, *part, parent),
                )

    def import_events(self, rows: Sequence[dict[str, Any]]) -> int:
        """Insert site events once each (UNIQUE (origin, origin_id)); return how many."""
        return self.tx.bulk_insert(
            "events",
            ("type", "item_id", "parent_id", "subject", "actor", "station", "at", "details",
             "read_point", "biz_location", "tz_offset", "batch", "origin", "origin_id"),
            [(e["type"], e["item_id"], e["parent_id"], e["subject"], e["actor"], e["station"],
              e["at"], json.dumps(e["details"], sort_keys=True), e["read_point"],
              e["biz_location"], e["tz_offset"], e["batch"], e["origin"], e["origin_id"])
             for e in rows],
            " ON CONFLICT (origin, origin_id) DO NOTHING",
        )  # fmt: skip

    def delete_items(self, item_ids: Sequence[int]) -> int:
        """Remove returned, never-used serials (their values go to a returned block)."""
        gone = 0
        for part in chunks(sorted(item_ids)):
            gone += self.tx.execute(
                f"DELETE FROM items WHERE id IN ({marks(part)}) AND state = 'allocated'", part
            ).rowcount
        return gone

    def returned_already(self, pool: str, values: Sequence[str]) -> set[str]:
        """Values of ``pool`` waiting in (or issued from) a block of returned values."""
        found: set[str] = set()
        for part in chunks(sorted(set(values))):
            rows = self.tx.execute(
                "SELECT v.value FROM supply_values v JOIN supply_blocks b ON b.id = v.block_id"
                f" WHERE b.pool = ? AND b.origin = 'returned' AND v.value IN ({marks(part)})",
                (pool, *part),
            )
            found.update(str(r[0]) for r in rows)
        return found

    def waiting_returned(self, keys: Iterable[Key]) -> set[Key]:
        """Of these keys, the ones given back and waiting in a block of returned values."""
        wanted = set(keys)
        found: set[Key] = set()
        for part in chunks(sorted({v for _, v in wanted})):
            rows = self.tx.execute(
                "SELECT v.value, b.pool, b.gtin, p.kind FROM supply_values v"
                " JOIN supply_blocks b ON b.id = v.block_id JOIN pools p ON p.name = b.pool"
                " WHERE b.origin = 'returned' AND v.state = 'available'"
                f" AND v.value IN ({marks(part)})",
                part,
            )
            for value, pool, gtin, kind in rows:
                key = (namespace_for(str(kind), gtin, str(pool)), str(value))
                if key in wanted:
                    found.add(key)
        return found

    def add_discrepancies(self, rows: Sequence[tuple[Any, ...]]) -> None:
        """(kind, site, lease_id, namespace, value, detail, message_id) as open discrepancies."""
        at = now()
        self.tx.executemany(
            "INSERT INTO lease_discrepancies (kind, site, lease_id, namespace, value, detail,"
            " message_id, state, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(*r, str(DiscrepancyState.OPEN), at) for r in rows],
        )

    def discrepancies(
        self, *, state: str | None, site: str | None, after: int = 0, limit: int = 100
    ) -> list[Discrepancy]:
        """Discrepancies newest first (``after``: below this id), of one state and site or all."""
        sql, params = "SELECT * FROM lease_discrepancies WHERE 1 = 1", list[Any]()
        if state is not None:
            sql, params = sql + " AND state = ?", [*params, state]
        if site is not None:
            sql, params = sql + " AND site = ?", [*params, site]
        if after:
            sql, params = sql + " AND id < ?", [*params, after]
        rows = self.tx.execute(sql + " ORDER BY id DESC LIMIT ?", [*params, limit])
        return [Discrepancy(**{k: r[k] for k in Discrepancy.__dataclass_fields__}) for r in rows]

    def discrepancy(self, discrepancy_id: int) -> Discrepancy | None:
        """One discrepancy (locked for the rest of a write on PostgreSQL)."""
        row = self.tx.execute(
            f"SELECT * FROM lease_discrepancies WHERE id = ?{self.tx.for_update}",
            (discrepancy_id,),
        ).fetchone()
        return Discrepancy(**{k: row[k] for k in Discrepancy.__dataclass_fields__}) if row else None

    def resolve(self, discrepancy_id: int, by: str, note: str) -> None:
        """Mark a discrepancy looked into."""
        self.tx.execute(
            "UPDATE lease_discrepancies SET state = ?, resolved_by = ?, resolved_at = ?, note = ?"
            " WHERE id = ?",
            (str(DiscrepancyState.RESOLVED), by, now(), note, discrepancy_id),
        )

    def open_count(self) -> int:
        """Discrepancies no admin resolved yet."""
        row = self.tx.execute(
            "SELECT COUNT(*) FROM lease_discrepancies WHERE state = ?",
            (str(DiscrepancyState.OPEN),),
        ).fetchone()
        return int(row[0])

    def summary(self, site: str | None = None) -> list[SummaryRow]:
        """Granted, used, returned, voided, expired and outstanding per site and pool."""
        at = now()
        live = "state = 'active' AND (expires_at IS NULL OR expires_at > ?)"
        sql = (
            "SELECT site, pool, COUNT(*), SUM(granted), SUM(used), SUM(returned), SUM(voided),"
            f" SUM(CASE WHEN state = 'active' AND NOT ({live}) THEN granted - used - returned"
            f" ELSE 0 END), SUM(CASE WHEN {live} THEN granted - used - returned ELSE 0 END)"
            " FROM leases WHERE granted > 0"
        )
        params: list[Any] = [at, at]
        if site is not None:
            sql, params = sql + " AND site = ?", [*params, site]
        rows = self.tx.execute(sql + " GROUP BY site, pool ORDER BY site, pool", params)
        return [SummaryRow(str(r[0]), str(r[1]), *(max(0, int(v or 0)) for v in r[2:]))
                for r in rows]  # fmt: skip
