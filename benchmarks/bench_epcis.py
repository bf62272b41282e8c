"""EPCIS capture and query: capturing 10,000 events (events/s) beside inserting the same
rows with bare ``sqlite3`` into the same schema, and one EPC's history at 10,000 and at
1,000,000 events (ours and captured each) beside a bare indexed SELECT on the same file.

The history should cost the same at both sizes: ours is read through ``events_item``, the
captured through ``captured_epcs_epc``; neither walks a table.
"""

from __future__ import annotations

import importlib
import json
import sqlite3
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import fresh_app, median, ms

from labelsvc.domain.actors import Actor
from labelsvc.services.allocation import allocate_in
from labelsvc.services.app import App
from labelsvc.services.epcis import sgtin_uri
from labelsvc.services.epcis_capture import capture, prepare
from labelsvc.services.epcis_query import EventQuery, query_events

ACTOR = Actor(name="bench", kind="user", role="admin", station="bench")
GTIN = "09506000134352"
CAPTURED, ROUNDS, LOOKUPS, HISTORY = 10_000, 3, 40, 5
CONTEXT = ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"]
AT = "2026-11-30T08:00:00.000+00:00"


def _document(tag: str, count: int) -> dict[str, Any]:
    events = [{"type": "ObjectEvent", "eventTime": AT, "eventTimeZoneOffset": "+01:00",
               "epcList": [sgtin_uri(GTIN, f"{tag}{n}", 7)], "action": "OBSERVE",
               "bizStep": "receiving", "disposition": "in_progress",
               "readPoint": {"id": "urn:epc:id:sgln:4012345.00000.dock"}}
              for n in range(count)]  # fmt: skip
    return {"@context": CONTEXT, "type": "EPCISDocument", "schemaVersion": "2.0",
            "creationDate": AT, "epcisBody": {"eventList": events}}  # fmt: skip


def _bare_capture(tag: str) -> float:
    """Seconds to insert the rows one capture stores, with bare sqlite3 (same schema)."""
    schema = importlib.import_module("labelsvc.store.migrations.0032_epcis_capture")
    rows = [prepare(e, {}) for e in _document(tag, CAPTURED)["epcisBody"]["eventList"]]
    folder = Path(tempfile.mkdtemp(prefix="labelsvc-bench-bare-"))
    db = sqlite3.connect(folder / "bare.db", isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    for statement in schema.STATEMENTS:
        db.execute(statement)
    started = time.perf_counter()
    db.execute("BEGIN IMMEDIATE")
    job = db.execute("INSERT INTO capture_jobs (state, actor, events, created_at)"
                     " VALUES ('running', 'bench', ?, ?)", (CAPTURED, AT)).lastrowid  # fmt: skip
    for r in rows:
        event = db.execute(
            "INSERT INTO captured_events (event_id, capture_id, event_type, event_time, action,"
            " biz_step, disposition, read_point, biz_location, body, recorded_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (r.event_id, job, r.event_type, r.event_time, r.action, r.biz_step, r.disposition,
             r.read_point, r.biz_location, json.dumps(r.body), AT),
        ).lastrowid  # fmt: skip
        db.executemany("INSERT INTO captured_epcs (event, epc, parent) VALUES (?, ?, ?)",
                       [(event, epc, parent) for epc, parent in r.epcs])  # fmt: skip
    db.execute("COMMIT")
    elapsed = time.perf_counter() - started
    db.close()
    return elapsed


def _capture_rounds() -> list[tuple[str, str]]:
    app = fresh_app()
    ours, bare = [], []
    for n in range(ROUNDS):  # interleaved, so both see the same machine
        doc = _document(f"C{n}-", CAPTURED)
        started = time.perf_counter()
        result = capture(app, ACTOR, doc)
        ours.append(time.perf_counter() - started)
        assert result.job.stored == CAPTURED, result.job
        bare.append(_bare_capture(f"B{n}-"))
    app.store.shutdown()
    return [
        (f"capture {CAPTURED:,} events (check, hash ids, store)",
         f"{CAPTURED / median(ours):,.0f} events/s ({ms(median(ours))})"),
        ("  reference: the same rows, bare sqlite3 inserts",
         f"{CAPTURED / median(bare):,.0f} events/s ({ms(median(bare))})"),
    ]  # fmt: skip


def _fill(app: App, size: int) -> tuple[list[int], list[str]]:
    """``size`` of our events and ``size`` captured ones; LOOKUPS items and EPCs with a
    history of HISTORY events each (the rest is filler)."""
    with app.store.write() as tx:
        alloc = allocate_in(tx, "demo-units", LOOKUPS, actor=ACTOR, gtin=GTIN)
        ids = [i.id for i in tx.items.of_allocation(alloc.id)]
        values = [i.value for i in tx.items.of_allocation(alloc.id)]
        types = ["commissioned", "quarantined", "released", "recalled", "released"]
        rows = [
            (t, i, "user:bench", "bench", f"2026-11-30T08:00:0{k}.000+00:00", "{}")
            for i in ids
            for k, t in enumerate(types)
        ]  # distinct times: distinct events
        tx.bulk_insert("events", ("type", "item_id", "actor", "station", "at", "details"), rows)
        job = tx.captured.start_job("bench", size)
    epcs = [f"https://id.gs1.org/01/{GTIN}/21/X{n}" for n in range(LOOKUPS)]
    chunk = 50_000
    for start in range(0, size, chunk):
        n = min(chunk, size - start)
        with app.store.write() as tx:
            tx.bulk_insert("events", ("type", "subject", "actor", "at", "details"),
                           [("pool-low", "pool:bench", "system", AT, "{}")] * n)  # fmt: skip
            first = int(tx.execute("SELECT COALESCE(MAX(id), 0) FROM captured_events")
                        .fetchone()[0]) + 1  # fmt: skip
            tx.bulk_insert(
                "captured_events",
                ("id", "event_id", "capture_id", "event_type", "event_time", "body",
                 "recorded_at"),
                [(first + k, f"filler:{start + k}", job, "ObjectEvent", AT,
                  '{"type": "ObjectEvent"}', AT) for k in range(n)],
            )  # fmt: skip
            tx.bulk_insert("captured_epcs", ("event", "epc"),
                           [(first + k, f"https://id.gs1.org/00/filler{start + k}")
                            for k in range(n)])  # fmt: skip
    doc = {"@context": CONTEXT, "type": "EPCISDocument", "schemaVersion": "2.0",
           "creationDate": AT, "epcisBody": {"eventList": [
               {"type": "ObjectEvent", "eventTime": f"2026-11-30T09:00:0{h}.000Z",
                "eventTimeZoneOffset": "+00:00", "epcList": [epc], "action": "OBSERVE",
                "bizStep": "receiving"} for epc in epcs for h in range(HISTORY)]}}  # fmt: skip
    assert capture(app, ACTOR, doc).job.stored == LOOKUPS * HISTORY
    return ids, [sgtin_uri(GTIN, v, 7) for v in values] + epcs


def _lookups(app: App, ids: list[int], epcs: list[str]) -> tuple[float, float, float]:
    """Median seconds of one EPC's history: ours, captured, and a bare indexed SELECT."""
    ours, theirs, bare = [], [], []
    db = sqlite3.connect(app.store.path)
    for n in range(LOOKUPS):
        for epc, into in ((epcs[n], ours), (epcs[LOOKUPS + n], theirs)):
            started = time.perf_counter()
            page = query_events(app, ACTOR, EventQuery(epcs=(epc,), per_page=100))
            into.append(time.perf_counter() - started)
            assert len(page.events) == HISTORY, (epc, len(page.events))
        started = time.perf_counter()
        db.execute("SELECT * FROM events WHERE item_id = ? ORDER BY id", (ids[n],)).fetchall()
        bare.append(time.perf_counter() - started)
    db.close()
    return median(ours), median(theirs), median(bare)


def run() -> list[tuple[str, str]]:
    """Capture throughput, then the history look-up at two sizes."""
    figures = _capture_rounds()
    for size in (10_000, 1_000_000):
        app = fresh_app()
        started = time.perf_counter()
        ids, epcs = _fill(app, size)
        filled = time.perf_counter() - started
        ours, theirs, bare = _lookups(app, ids, epcs)
        app.store.shutdown()
        figures += [
            (f"history of one EPC, ours, at {size:,} events (+{size:,} captured)", ms(ours)),
            (f"history of one EPC, captured, at {size:,} + {size:,}", ms(theirs)),
            ("  reference: bare SELECT of its event rows (same file)", ms(bare)),
            ("  (filling the store took)", f"{filled:.1f} s"),
        ]
    return figures
