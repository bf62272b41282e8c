"""Captured EPCIS events and capture jobs (SQL for :mod:`labelsvc.services.epcis_capture`)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from labelsvc.store.clock import now

if TYPE_CHECKING:
    from labelsvc.store.db import Tx


@dataclass(frozen=True)
class CaptureJob:
    """One capture request and how it ended."""

    id: int
    state: str
    actor: str
    events: int
    stored: int
    errors: list[dict[str, Any]]
    created_at: str
    finished_at: str | None


@dataclass(frozen=True)
class Captured:
    """One event to store: the fields queries filter on, its EPCs and its body."""

    event_id: str
    event_type: str
    event_time: str  # UTC, as stored times are written
    action: str | None
    biz_step: str | None
    disposition: str | None
    read_point: str | None
    biz_location: str | None
    body: dict[str, Any]
    epcs: Sequence[tuple[str, str | None]]  # (epc, parent it is aggregated into)


@dataclass(frozen=True)
class CapturedFilter:
    """What a query of captured events narrows to (None: no filter)."""

    biz_steps: Sequence[str] | None = None
    dispositions: Sequence[str] | None = None
    since: str | None = None
    until: str | None = None
    read_points: Sequence[str] | None = None
    biz_locations: Sequence[str] | None = None
    epcs: Sequence[str] | None = None
    any_epc: bool = False  # match parents too (MATCH_anyEPC)


def _job(r: Any) -> CaptureJob:
    return CaptureJob(r["id"], r["state"], r["actor"], r["events"], r["stored"],
                      json.loads(r["errors"]), r["created_at"], r["finished_at"])  # fmt: skip


class CapturedRepo:
    """Capture jobs and captured events (constructed with the caller's ``tx``)."""

    def __init__(self, tx: Tx) -> None:
        self.tx = tx

    def start_job(self, actor: str, events: int) -> int:
        """A new capture job, running."""
        return self.tx.insert(
            "INSERT INTO capture_jobs (state, actor, events, created_at) VALUES (?, ?, ?, ?)",
            ("running", actor, events, now()),
        )

    def finish_job(self, job_id: int, state: str, stored: int, errors: list[Any]) -> None:
        """Record how a capture job ended."""
        self.tx.execute(
            "UPDATE capture_jobs SET state = ?, stored = ?, errors = ?, finished_at = ?"
            " WHERE id = ?",
            (state, stored, json.dumps(errors), now(), job_id),
        )

    def job(self, job_id: int) -> CaptureJob | None:
        """A capture job, or None."""
        row = self.tx.execute("SELECT * FROM capture_jobs WHERE id = ?", (job_id,)).fetchone()
        return _job(row) if row else None

    def existing(self, event_ids: Sequence[str]) -> set[str]:
        """Which of these event ids are stored already."""
        found: set[str] = set()
        for start in range(0, len(event_ids), 500):
            chunk = list(event_ids[start : start + 500])
            marks = ",".join("?" * len(chunk))
            sql = f"SELECT event_id FROM captured_events WHERE event_id IN ({marks})"
            found.update(r[0] for r in self.tx.execute(sql, chunk))
        return found

    def store(self, job_id: int, events: Sequence[Captured]) -> int:
        """Insert events (one id each) and their EPCs in two batches; return how many."""
        if not events:
            return 0
        at = now()
        self.tx.executemany(
            "INSERT INTO captured_events (event_id, capture_id, event_type, event_time,"
            " action, biz_step, disposition, read_point, biz_location, body, recorded_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(e.event_id, job_id, e.event_type, e.event_time, e.action, e.biz_step,
              e.disposition, e.read_point, e.biz_location,
              json.dumps(e.body, ensure_ascii=False), at) for e in events],
        )  # fmt: skip
        ids: dict[str, int] = {}
        for start in range(0, len(events), 500):  # by the UNIQUE event_id, never a scan
            chunk = [e.event_id for e in events[start : start + 500]]
            sql = ("SELECT id, event_id FROM captured_events WHERE event_id IN"
                   f" ({','.join('?' * len(chunk))})")  # fmt: skip
            ids.update((str(r[1]), int(r[0])) for r in self.tx.execute(sql, chunk))
        rows = [(ids[e.event_id], epc, parent) for e in events for epc, parent in e.epcs]
        if rows:
            self.tx.bulk_insert("captured_epcs", ("event", "epc", "parent"), rows)
        return len(events)

    def query(
        self, f: CapturedFilter, after_id: int, limit: int
    ) -> list[tuple[int, dict[str, Any]]]:
        """Captured events under a filter, by id (cursor ``after_id``): (id, body)."""
        where: list[str] = ["e.id > ?"]
        params: list[object] = [after_id]
        columns = (("biz_step", f.biz_steps), ("disposition", f.dispositions),
                   ("read_point", f.read_points), ("biz_location", f.biz_locations))  # fmt: skip
        for column, values in columns:
            if values:
                where.append(f"e.{column} IN ({','.join('?' * len(values))})")
                params.extend(values)
        if f.since:
            where.append("e.event_time >= ?")
            params.append(f.since)
        if f.until:
            where.append("e.event_time < ?")
            params.append(f.until)
        if f.epcs:
            marks = ",".join("?" * len(f.epcs))
            match = f"c.epc IN ({marks})" + (f" OR c.parent IN ({marks})" if f.any_epc else "")
            where.append(f"e.id IN (SELECT c.event FROM captured_epcs c WHERE {match})")
            params.extend(f.epcs)
            if f.any_epc:
                params.extend(f.epcs)
        sql = (f"SELECT e.id, e.body FROM captured_events e WHERE {' AND '.join(where)}"
               " ORDER BY e.id LIMIT ?")  # fmt: skip
        return [(int(r[0]), json.loads(r[1])) for r in self.tx.execute(sql, (*params, limit))]

    def aggregation_of(self, parent_epc: str) -> list[tuple[str, dict[str, Any]]]:
        """Children captured as aggregated into ``parent_epc`` (latest ADD event first wins)."""
        rows = self.tx.execute(
            "SELECT c.epc, e.body FROM captured_epcs c JOIN captured_events e ON e.id = c.event"
            " WHERE c.parent = ? ORDER BY e.id DESC",
            (parent_epc,),
        )
        return [(str(r[0]), json.loads(r[1])) for r in rows]

    def link_receipt(self, reference: str, capture_id: int, roots: Sequence[str],
                     members: Sequence[str]) -> None:  # fmt: skip
        """Remember that a receipt is a captured shipment (its roots and every EPC in it)."""
        self.tx.execute(
            "INSERT INTO captured_receipts (reference, capture_id, roots, members)"
            " VALUES (?, ?, ?, ?)",
            (reference, capture_id, json.dumps(list(roots)), json.dumps(sorted(members))),
        )

    def receipt_members(self, reference: str) -> set[str] | None:
        """Every EPC of a captured receipt's shipment, or None for another receipt."""
        row = self.tx.execute(
            "SELECT members FROM captured_receipts WHERE reference = ?", (reference,)
        ).fetchone()
        return set(json.loads(row[0])) if row else None
