"""Packing and trace at scale: a pack scan, the trace of a pallet of 50 cases x 12 units, and
its recall, in a database of 1,000,000 serials and 50,000 containers beside one of 10,000.

The figures should be the same at both sizes: every query walks an index (shown by the
``plan`` rows, from ``EXPLAIN QUERY PLAN``), never the whole table.

Each figure has a reference measured in the same run, interleaved with it call by call: for
a pack scan, one committed write that looks the unit up by its code and appends one event
(the least a pack scan can write); for a trace and a recall, the bare recursive query of the
same pallet's descendants (the least a trace can read).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import fresh_app, p50_p99, query_plans

from labelsvc.domain.actors import Actor
from labelsvc.domain.pools import PoolSpec
from labelsvc.services import packing, trace
from labelsvc.services.allocation import CHUNK, allocate_in
from labelsvc.services.app import App
from labelsvc.services.pools import save_pool
from labelsvc.store import Tx
from labelsvc.store.items import namespace_for

ACTOR = Actor(name="bench", kind="user", role="admin", station="bench")
GTIN = "09506000134352"
CASES_PER_PALLET, UNITS_PER_CASE = 50, 12
PACK_SCANS = 240
TRACES = 20
RECALLS = 5


def _build(units: int, containers: int) -> tuple[App, list[int], list[str]]:
    """A database with ``units`` serials and ``containers`` SSCCs, most nested in pallets of
    50 cases x 12 units, with a ``packed`` event per nesting. Returns the app, the pallets'
    item ids and the values of loose units for pack scans."""
    app = fresh_app()
    spec = PoolSpec(name="bench-units", kind="unit", gtins=(GTIN,), range_start=1,
                    range_end=10**12)  # fmt: skip
    save_pool(app.store, spec, ACTOR)
    pallets = containers // (CASES_PER_PALLET + 1)
    cases = pallets * CASES_PER_PALLET
    with app.store.write() as tx:
        first_unit = _allocate(tx, "bench-units", units, gtin=GTIN)
        first_sscc = _allocate(tx, "demo-sscc", containers)
        case_ids = list(range(first_sscc, first_sscc + cases))
        pallet_ids = list(range(first_sscc + cases, first_sscc + cases + pallets))
        for level, ids in (("case", case_ids), ("pallet", pallet_ids)):
            for item_id in ids:
                tx.containers.create(item_id, level=level, capacity=None, gtin=GTIN,
                                     station="bench", opened_by=ACTOR.label)  # fmt: skip
                tx.containers.close(item_id, by=ACTOR.label, reason=None)
        _nest(tx, case_ids, first_unit, UNITS_PER_CASE)
        _nest(tx, pallet_ids, case_ids[0], CASES_PER_PALLET)
        first_loose = first_unit + cases * UNITS_PER_CASE
        loose = [i.value for i in tx.items.by_ids(range(first_loose, first_loose + PACK_SCANS))]
    return app, pallet_ids, loose


def _allocate(tx: Tx, pool: str, count: int, gtin: str | None = None) -> int:
    """``count`` serials in allocations of at most ``CHUNK`` in one transaction; the first id."""
    first = last = None
    for start in range(0, count, CHUNK):
        made = allocate_in(tx, pool, min(CHUNK, count - start), actor=ACTOR, gtin=gtin)
        assert last is None or made.first_item_id == last + 1, "ids are contiguous"
        first, last = first or made.first_item_id, made.last_item_id
    assert first is not None
    return first


def _nest(tx: Tx, parents: list[int], first_child: int, per_parent: int) -> None:
    pairs = [(first_child + n * per_parent + k, parent)
             for n, parent in enumerate(parents) for k in range(per_parent)]  # fmt: skip
    tx.containers.attach_many(pairs)
    for n, parent in enumerate(parents):
        children = range(first_child + n * per_parent, first_child + (n + 1) * per_parent)
        tx.events.append_many("packed", children, actor=ACTOR.label, station="bench",
                              parent_id=parent)  # fmt: skip


def _timed(fn: object, *args: object, **kwargs: object) -> float:
    start = time.perf_counter()
    fn(*args, **kwargs)  # type: ignore[operator]
    return time.perf_counter() - start


def _bare_write(app: App, value: str) -> None:
    """The reference of a pack scan: find the unit by its code, append one event, commit."""
    with app.store.write() as tx:
        row = tx.execute(
            "SELECT id FROM items WHERE namespace = ? AND value = ?",
            (namespace_for("unit", GTIN), value),
        ).fetchone()
        tx.events.append("bench-reference", actor=ACTOR.label, item_id=row[0])


def _bare_descendants(app: App, item_id: int) -> None:
    """The reference of a trace: the recursive query of everything below one pallet."""
    with app.store.read() as tx:
        rows = tx.execute(
            "WITH RECURSIVE below(id) AS (SELECT id FROM items WHERE parent_id = ?"
            " UNION ALL SELECT i.id FROM items i JOIN below b ON i.parent_id = b.id)"
            " SELECT id FROM below",
            (item_id,),
        ).fetchall()
    assert len(rows) == CASES_PER_PALLET * (UNITS_PER_CASE + 1)


def _measure(app: App, pallets: list[int], loose: list[str]) -> dict[str, list[float]]:
    scans: list[float] = []
    writes: list[float] = []
    for start in range(0, len(loose), UNITS_PER_CASE):
        case = packing.open_case(app, actor=ACTOR, gtin=GTIN)
        for value in loose[start : start + UNITS_PER_CASE]:
            writes.append(_timed(_bare_write, app, value))
            scans.append(_timed(packing.add_to_container, app, case.sscc,
                                f"(01){GTIN}(21){value}", actor=ACTOR))  # fmt: skip
    with app.store.read() as tx:
        ssccs = [i.value for i in tx.items.by_ids(pallets[: RECALLS + 1])]
    traced = trace.trace(app, ssccs[0], actor=ACTOR)
    assert len(traced.descendants) == CASES_PER_PALLET * (UNITS_PER_CASE + 1)
    traces, reads = [], []
    for _ in range(TRACES):
        traces.append(_timed(trace.trace, app, ssccs[0], actor=ACTOR))
        reads.append(_timed(_bare_descendants, app, pallets[0]))
    recalls, recall_reads = [], []
    for sscc, pallet in zip(ssccs[1 : RECALLS + 1], pallets[1 : RECALLS + 1], strict=True):
        recall_reads.append(_timed(_bare_descendants, app, pallet))
        recalls.append(_timed(trace.quarantine, app, sscc, actor=ACTOR, reason="bench",
                              recall=True))  # fmt: skip
    return {
        "pack scan": scans, "  reference: lookup + 1 event, committed": writes,
        "trace pallet 50x12": traces, "  reference: bare descendants query": reads,
        "recall pallet 50x12": recalls,
        "  reference: bare descendants query, same pallets": recall_reads,
    }  # fmt: skip


PLANS = {
    "descendants": "WITH RECURSIVE below(id) AS (SELECT id FROM items WHERE parent_id = 1"
    " UNION ALL SELECT i.id FROM items i JOIN below b ON i.parent_id = b.id) SELECT * FROM below",
    "scan lookup": "SELECT * FROM items WHERE namespace = '01:x' AND value = 'y'",
    "child count": "SELECT COUNT(*) FROM items WHERE parent_id = 1",
    "item events": "SELECT * FROM events WHERE item_id = 1 UNION SELECT * FROM events"
    " WHERE parent_id = 1 ORDER BY id",
}


def _plans(app: App) -> list[tuple[str, str]]:
    return query_plans(app, PLANS, ("items", "events"))


def run() -> list[tuple[str, str]]:
    """Figures at 10,000 and at 1,000,000 serials, side by side."""
    out: list[tuple[str, str]] = []
    for units, containers in ((10_000, 500), (1_000_000, 50_000)):
        started = time.perf_counter()
        app, pallets, loose = _build(units, containers)
        label = f"{units:,} serials / {containers:,} containers"
        out.append((f"build {label}", f"{time.perf_counter() - started:.1f} s"))
        for name, samples in _measure(app, pallets, loose).items():
            out.append((f"{name} @ {units:,}", p50_p99(samples)))
        if units == 1_000_000:
            out.extend(_plans(app))
        app.store.close()
    return out


if __name__ == "__main__":
    for figure, value in run():
        print(f"{figure:<50} {value}")
