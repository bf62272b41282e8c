"""EPCIS 2.0 capture: a partner's events stored all or nothing, as a capture job.

A capture is checked first (a fault is a 400 with every fault named); then its events are
stored in one transaction with their Event Hash ID when they carry no eventID, so the same
event sent twice is stored once. A supplier's shipping event with its aggregation becomes
the ASN that receiving checks against (:mod:`labelsvc.services.asn_capture`). The job row
is written before and after, so a capture that fails as a whole (say its ASN was loaded
before) is a failed job that says why, and stores nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from labelsvc.domain.actors import Actor, require
from labelsvc.domain.errors import LabelsvcError, NotFound
from labelsvc.domain.instants import stored_instant
from labelsvc.gs1.event_hash import canonical_uri, event_hash_id
from labelsvc.services import asn_capture
from labelsvc.services.app import App
from labelsvc.services.epcis_check import require_valid
from labelsvc.store.captured import Captured, CaptureJob


@dataclass(frozen=True)
class CaptureResult:
    """The job a capture made and the receipts its shipping events became."""

    job: CaptureJob
    receipts: tuple[str, ...] = ()


def namespaces(doc: dict[str, Any]) -> dict[str, str]:
    """Prefixes the document's own @context defines (for extension names in the hash)."""
    context = doc.get("@context")
    entries = context if isinstance(context, list) else [context]
    return {k: v for e in entries if isinstance(e, dict) for k, v in e.items()
            if isinstance(v, str)}  # fmt: skip


def _epcs(event: dict[str, Any]) -> list[tuple[str, str | None]]:
    parent = event.get("parentID")
    canon_parent = canonical_uri(parent) if parent else None
    found: list[tuple[str, str | None]] = []
    for key in ("epcList", "childEPCs", "inputEPCList", "outputEPCList"):
        found.extend((canonical_uri(e), canon_parent if key == "childEPCs" else None)
                     for e in event.get(key, []))  # fmt: skip
    if canon_parent:
        found.append((canon_parent, None))
    return found


def prepare(event: dict[str, Any], ns: dict[str, str]) -> Captured:
    """One checked event as stored: its id, UTC time, filter fields and EPCs."""
    event_id = str(event.get("eventID") or event_hash_id(event, ns))
    body = {**event, "eventID": event_id}
    time = stored_instant(str(event["eventTime"]), "eventTime")
    assert time is not None
    return Captured(
        event_id, str(event["type"]), time, event.get("action"), event.get("bizStep"),
        event.get("disposition"), (event.get("readPoint") or {}).get("id"),
        (event.get("bizLocation") or {}).get("id"), body, _epcs(event),
    )  # fmt: skip


def capture(app: App, actor: Actor, doc: Any) -> CaptureResult:
    """Store every event of ``doc`` or none of them; the job says which happened."""
    require(actor, "capture")
    require_valid(doc)
    ns = namespaces(doc)
    events = doc["epcisBody"]["eventList"]
    with app.store.write() as tx:
        job_id = tx.captured.start_job(actor.label, len(events))
    try:
        with app.store.write() as tx:
            unique = {p.event_id: p for p in (prepare(e, ns) for e in events)}
            known = tx.captured.existing(list(unique))
            fresh = [p for k, p in unique.items() if k not in known]
            stored = tx.captured.store(job_id, fresh)
            receipts = asn_capture.receipts_from(tx, actor, job_id, fresh)
            tx.captured.finish_job(job_id, "succeeded", stored, [])
    except LabelsvcError as exc:
        with app.store.write() as tx:
            tx.captured.finish_job(job_id, "failed", 0, [{"code": exc.code, "detail": exc.detail}])
        return CaptureResult(capture_job(app, actor, job_id))
    return CaptureResult(capture_job(app, actor, job_id), tuple(receipts))


def capture_job(app: App, actor: Actor, job_id: int) -> CaptureJob:
    """A capture job as stored."""
    require(actor, "read")
    with app.store.read() as tx:
        job = tx.captured.job(job_id)
    if job is None:
        raise NotFound("capture-not-found", f"There is no capture job {job_id}.")
    return job
