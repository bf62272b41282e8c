"""Print jobs: rendered label data for one printer and where its delivery stands.

States: ``queued`` → ``sending`` → ``printed`` when the printer confirmed every label
(its label counter, or its buffer drained), ``partly-printed`` when it confirmed only the
first ``printed_labels``, ``not-printed`` when it confirmed none; ``sent`` only for
transports that cannot tell (a file, ESC/POS). ``failed`` and ``cancelled`` end it; ``held``
waits for the printer (paper out...); ``needs-confirmation`` means the printer may have
printed it, cannot say, and a person must say whether it did. Every change appends a ``job-<state>``
event with ``subject="job:<id>"`` in the same transaction.

A worker claims a job (``queued``/``held`` → ``sending``) with its ``claimed_by`` owner and a
``lease_until`` it keeps renewing; a ``sending`` job whose lease lapsed belongs to a worker
that is gone. Claims of one printer are serialized by a lock on its ``printers`` row
(PostgreSQL: ``FOR UPDATE SKIP LOCKED``, so a second instance moves on instead of waiting;
SQLite: the file's write lock).

A job created with ``render`` (what to render, as JSON) has no payload yet: the worker renders
it from committed rows after claiming it, stores the bytes, then sends them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from labelsvc.domain.errors import Conflict, NotFound
from labelsvc.store.clock import now
from labelsvc.store.errors import IntegrityViolation

if TYPE_CHECKING:
    from labelsvc.store.db import Tx

STATES = (
    "queued",
    "held",
    "sending",
    "sent",
    "printed",
    "partly-printed",
    "not-printed",
    "failed",
    "cancelled",
    "needs-confirmation",
)
WAITING = ("queued", "held")
DONE = ("sent", "printed")  # the labels are out (``sent``: as far as the transport can tell)
MISSING = ("partly-printed", "not-printed")  # the printer said some labels did not print
FINAL = (*DONE, *MISSING, "failed", "cancelled", "needs-confirmation")
COLUMNS = (
    "id, printer, template, state, item_ids, label_count, reprint, reason, attempts,"
    " last_error, next_attempt_at, requested_by, station, batch, created_at, updated_at,"
    " sent_at, claimed_by, lease_until, render, printed_labels, counter_before, resent_as"
)


def later(seconds: float) -> str:
    """A stored timestamp ``seconds`` from now (same format as :func:`clock.now`)."""
    return (datetime.now(UTC) + timedelta(seconds=seconds)).isoformat(timespec="milliseconds")


@dataclass(frozen=True)
class Job:
    """One print job without its payload (read that with :meth:`JobRepo.payload`)."""

    id: int
    printer: str
    template: str
    state: str
    item_ids: list[int]
    label_count: int
    reprint: bool
    reason: str | None
    attempts: int
    last_error: str | None
    next_attempt_at: str | None
    requested_by: str
    station: str | None
    batch: str | None
    created_at: str
    updated_at: str
    sent_at: str | None
    claimed_by: str | None
    lease_until: str | None
    render: dict[str, Any] | None = None
    printed_labels: int | None = None
    counter_before: int | None = None
    resent_as: int | None = None

    def missing_item_ids(self) -> list[int]:
        """Items of the labels the printer did not confirm (one item per label)."""
        if self.state not in MISSING or len(self.item_ids) != self.label_count:
            return []
        return self.item_ids[self.printed_labels or 0 :]


def _job(r: Any) -> Job:
    values = {k: r[k] for k in r.keys()}  # noqa: SIM118 (sqlite3.Row)
    values["item_ids"] = json.loads(values["item_ids"])
    values["reprint"] = bool(values["reprint"])
    values["render"] = json.loads(values["render"]) if values.get("render") else None
    return Job(**values)


class JobRepo:
    """Create, claim and move print jobs; each move is conditional on the state it expects."""

    def __init__(self, tx: Tx) -> None:
        self.tx = tx

    def create(
        self,
        *,
        printer: str,
        template: str,
        payload: bytes,
        item_ids: Sequence[int] = (),
        label_count: int = 1,
        requested_by: str,
        station: str | None = None,
        reprint: bool = False,
        reason: str | None = None,
        batch: str | None = None,
        render: dict[str, Any] | None = None,
    ) -> int:
        """Queue a job in the caller's transaction; return its id. Notify workers after commit.

        With ``render`` the payload is left empty and rendered by the worker that sends it.
        """
        at = now()
        try:
            job_id = self.tx.insert(
                "INSERT INTO print_jobs (printer, template, payload, item_ids, label_count,"
                " reprint, reason, requested_by, station, batch, created_at, updated_at, render)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    printer,
                    template,
                    payload,
                    json.dumps(list(item_ids)),
                    label_count,
                    int(reprint),
                    reason,
                    requested_by,
                    station,
                    batch,
                    at,
                    at,
                    json.dumps(render) if render else None,
                ),
            )
        except IntegrityViolation as exc:
            raise NotFound(
                "printer-not-found",
                f"There is no printer {printer!r}; add printers/{printer}.toml or pick "
                "another printer.",
                printer=printer,
            ) from exc
        self.tx.events.append(
            "job-queued",
            subject=f"job:{job_id}",
            actor=requested_by,
            station=station,
            details={
                "printer": printer,
                "template": template,
                "labels": label_count,
                "reprint": reprint,
                "batch": batch,
            },
        )
        return job_id

    def get(self, job_id: int) -> Job | None:
        """The job with this id, or None."""
        row = self.tx.execute(
            f"SELECT {COLUMNS} FROM print_jobs WHERE id = ?", (job_id,)
        ).fetchone()
        return _job(row) if row else None

    def payload(self, job_id: int) -> bytes:
        """The bytes to send for a job."""
        row = self.tx.execute("SELECT payload FROM print_jobs WHERE id = ?", (job_id,)).fetchone()
        if row is None:
            raise NotFound("job-not-found", f"There is no print job {job_id}.", job=job_id)
        return bytes(row[0])

    def query(
        self,
        *,
        state: str | None = None,
        printer: str | None = None,
        batch: str | None = None,
        after_id: int = 0,
        limit: int = 100,
    ) -> list[Job]:
        """Jobs in id order, filtered by state, printer and batch (cursor: ``after_id``)."""
        where: list[str] = ["id > ?"]
        params: list[Any] = [after_id]
        if state:
            where.append("state = ?")
            params.append(state)
        if printer:
            where.append("printer = ?")
            params.append(printer)
        if batch:
            where.append("batch = ?")
            params.append(batch)
        rows = self.tx.execute(
            f"SELECT {COLUMNS} FROM print_jobs WHERE {' AND '.join(where)} ORDER BY id LIMIT ?",
            (*params, limit),
        )
        return [_job(r) for r in rows]

    def recent(self, limit: int = 50) -> list[Job]:
        """The newest jobs first, whatever their state (the queue page)."""
        rows = self.tx.execute(
            f"SELECT {COLUMNS} FROM print_jobs ORDER BY id DESC LIMIT ?", (limit,)
        )
        return [_job(r) for r in rows]

    def next_waiting(self, printer: str) -> Job | None:
        """The oldest queued or held job of a printer: jobs go out in order."""
        row = self.tx.execute(
            f"SELECT {COLUMNS} FROM print_jobs WHERE printer = ? AND state IN ('queued', 'held')"
            " ORDER BY id LIMIT 1",
            (printer,),
        ).fetchone()
        return _job(row) if row else None

    def printers_with_work(self) -> list[str]:
        """Printers that have queued or held jobs."""
        rows = self.tx.execute(
            "SELECT DISTINCT printer FROM print_jobs WHERE state IN ('queued', 'held')"
        )
        return [r[0] for r in rows]

    def in_state(self, state: str) -> list[Job]:
        """All jobs in one state (used for ``sending`` at recovery)."""
        rows = self.tx.execute(
            f"SELECT {COLUMNS} FROM print_jobs WHERE state = ? ORDER BY id", (state,)
        )
        return [_job(r) for r in rows]

    def claim(self, job_id: int, *, owner: str, lease_seconds: float, actor: str) -> Job | None:
        """Take a waiting job for sending; None if it moved or its printer is busy.

        Busy means another job of the same printer is ``sending`` (maybe by another
        process): jobs of one printer leave one at a time and in order.
        """
        if self.tx.dialect == "postgresql":
            locked = self.tx.execute(
                "SELECT name FROM printers WHERE name = (SELECT printer FROM print_jobs"
                " WHERE id = ?) FOR UPDATE SKIP LOCKED",
                (job_id,),
            ).fetchone()
            if locked is None:
                return None  # another instance is claiming for this printer right now
        cur = self.tx.execute(
            "UPDATE print_jobs SET state = 'sending', claimed_by = ?, lease_until = ?,"
            " attempts = attempts + 1, updated_at = ?"
            " WHERE id = ? AND state IN ('queued', 'held') AND NOT EXISTS (SELECT 1 FROM"
            " print_jobs AS o WHERE o.printer = print_jobs.printer AND o.state = 'sending')",
            (owner, later(lease_seconds), now(), job_id),
        )
        if cur.rowcount != 1:
            return None
        job = self.get(job_id)
        assert job is not None
        self._event(job, "sending", actor, {"owner": owner, "attempt": job.attempts})
        return job

    def renew_leases(self, owner: str, lease_seconds: float) -> int:
        """Extend the lease of every job this owner is sending; return how many."""
        cur = self.tx.execute(
            "UPDATE print_jobs SET lease_until = ? WHERE state = 'sending' AND claimed_by = ?",
            (later(lease_seconds), owner),
        )
        return cur.rowcount

    def move(
        self,
        job_id: int,
        to: str,
        *,
        actor: str,
        expect: Iterable[str],
        owner: str | None = None,
        error: str | None = None,
        retry_in: float | None = None,
        details: dict[str, Any] | None = None,
    ) -> Job:
        """Move a job from one of ``expect`` to ``to`` (and only from there, else Conflict).

        ``owner`` also requires the claim to be that worker's; ``error`` becomes
        ``last_error`` (None clears it); ``retry_in`` sets when it may be tried next.
        """
        if to not in STATES:
            raise ValueError(f"unknown job state {to!r}")
        expected = list(expect)
        at = now()
        sql = (
            "UPDATE print_jobs SET state = ?, last_error = ?, next_attempt_at = ?,"
            " updated_at = ?, sent_at = CASE WHEN ? IN ('sent', 'printed', 'partly-printed')"
            " THEN ? ELSE sent_at END,"
            " claimed_by = CASE WHEN ? = 'sending' THEN claimed_by ELSE NULL END,"
            " lease_until = CASE WHEN ? = 'sending' THEN lease_until ELSE NULL END"
            f" WHERE id = ? AND state IN ({','.join('?' * len(expected))})"
        )
        params: list[Any] = [
            to,
            error,
            later(retry_in) if retry_in else None,
            at,
            to,
            at,
            to,
            to,
            job_id,
            *expected,
        ]
        if owner is not None:
            sql += " AND claimed_by = ?"
            params.append(owner)
        before = self.get(job_id)
        if before is None:
            raise NotFound("job-not-found", f"There is no print job {job_id}.", job=job_id)
        if self.tx.execute(sql, params).rowcount != 1:
            raise Conflict(
                "job-state",
                f"Print job {job_id} is {before.state}; this needs it to be "
                f"{' or '.join(expected)}.",
                job=job_id,
                state=before.state,
            )
        job = self.get(job_id)
        assert job is not None
        self._event(job, to, actor, {"from": before.state, **(details or {})})
        return job

    def store_payload(self, job_id: int, payload: bytes, label_count: int) -> None:
        """Keep the rendered bytes of a deferred job (what the printer is sent)."""
        self.tx.execute(
            "UPDATE print_jobs SET payload = ?, render = NULL, label_count = ?, updated_at = ?"
            " WHERE id = ?",
            (payload, label_count, now(), job_id),
        )

    def set_counter(self, job_id: int, counter: int | None) -> None:
        """Keep the printer's label counter read just before the job was sent."""
        self.tx.execute("UPDATE print_jobs SET counter_before = ? WHERE id = ?", (counter, job_id))

    def set_printed(self, job_id: int, printed: int | None) -> None:
        """How many labels, from the first, the printer confirmed."""
        self.tx.execute("UPDATE print_jobs SET printed_labels = ? WHERE id = ?", (printed, job_id))

    def set_resent(self, job_id: int, new_job: int) -> None:
        """The job that prints this job's missing labels (once: a second call conflicts)."""
        cur = self.tx.execute(
            "UPDATE print_jobs SET resent_as = ? WHERE id = ? AND resent_as IS NULL",
            (new_job, job_id),
        )
        if cur.rowcount != 1:
            raise Conflict(
                "job-resent",
                f"The missing labels of print job {job_id} were queued already.",
                job=job_id,
            )

    def stale_sending(self, older_than: str) -> list[Job]:
        """``sending`` jobs that have not moved since ``older_than`` (a stuck queue)."""
        rows = self.tx.execute(
            f"SELECT {COLUMNS} FROM print_jobs WHERE state = 'sending' AND updated_at < ?"
            " ORDER BY id",
            (older_than,),
        )
        return [_job(r) for r in rows]

    def waiting_idle(self, older_than: str) -> list[tuple[str, int, str]]:
        """Printers with jobs waiting since before ``older_than`` and none being sent:
        (printer, waiting jobs, oldest created_at)."""
        rows = self.tx.execute(
            "SELECT printer, COUNT(*), MIN(created_at) FROM print_jobs"
            " WHERE state IN ('queued', 'held') AND created_at < ? AND printer NOT IN"
            " (SELECT printer FROM print_jobs WHERE state = 'sending')"
            " GROUP BY printer ORDER BY printer",
            (older_than,),
        )
        return [(r[0], int(r[1]), r[2]) for r in rows]

    def note(self, job_id: int, *, error: str, retry_in: float | None) -> None:
        """Update the reason and next try of a waiting job without moving it (no event)."""
        self.tx.execute(
            "UPDATE print_jobs SET last_error = ?, next_attempt_at = ?, updated_at = ?"
            " WHERE id = ?",
            (error, later(retry_in) if retry_in else None, now(), job_id),
        )

    def _event(self, job: Job, state: str, actor: str, details: dict[str, Any]) -> None:
        info = {"printer": job.printer, **details}
        if job.last_error:
            info["error"] = job.last_error
        self.tx.events.append(
            f"job-{state}",
            subject=f"job:{job.id}",
            actor=actor,
            station=job.station,
            details=info,
        )
