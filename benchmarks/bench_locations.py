"""Where is it, and what is in this bin: at 10,000 and at 1,000,000 serials.

Every serial is put away (one ``item_locations`` row and one ``putaway`` event each) into
bins of 100 serials, so a bin's contents are the same size at both scales. Each figure is
printed beside a bare primary-key SELECT on ``items`` through the same store, measured in
the same loop (interleaved, repeated). Both look-ups should stay flat: they read indexes
(the ``plan`` rows, from ``EXPLAIN QUERY PLAN``), never the whole table.
"""

from __future__ import annotations

import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import fresh_app, p50_p99, query_plans

from labelsvc.domain.actors import Actor
from labelsvc.domain.locations import LocationEvent, LocationKind
from labelsvc.domain.pools import PoolSpec
from labelsvc.services import putaway
from labelsvc.services.allocation import allocate
from labelsvc.services.app import App
from labelsvc.services.locations import LocationSpec, save_locations
from labelsvc.services.pools import save_pool
from labelsvc.store.locations import LocationRepo

ACTOR = Actor(name="bench", kind="user", role="admin", station="bench")
GTIN = "09506000134352"
PER_BIN = 100
ROUNDS = 300
CHUNK = 50_000


def _layout(count: int) -> list[LocationSpec]:
    site = LocationSpec(code="B", kind=LocationKind.SITE)
    zone = LocationSpec(code="B-Z", kind=LocationKind.ZONE, parent="B")
    bins = [LocationSpec(code=f"B-Z-{n:05d}", kind=LocationKind.BIN, parent="B-Z")
            for n in range(count)]  # fmt: skip
    return [site, zone, *bins]


def _build(units: int) -> tuple[App, int, list[str]]:
    """Serials put away in bins of PER_BIN; returns the app, the first item id, the bins."""
    app = fresh_app()
    save_pool(app.store, PoolSpec(name="bench-units", kind="unit", gtins=(GTIN,),
                                  range_start=1, range_end=10**12), ACTOR)  # fmt: skip
    specs = _layout(units // PER_BIN)
    save_locations(app, specs, actor=ACTOR)
    first = allocate(app.store, "bench-units", units, actor=ACTOR, gtin=GTIN).first_item_id
    bins = [s.code for s in specs[2:]]
    with app.store.read() as tx:
        ids = {loc.code: loc.id for loc in LocationRepo(tx).all()}
    for start in range(0, units, CHUNK):  # chunked writes, as an import would do them
        with app.store.write() as tx:
            repo = LocationRepo(tx)
            for b in range(start // PER_BIN, min(units, start + CHUNK) // PER_BIN):
                items = list(range(first + b * PER_BIN, first + (b + 1) * PER_BIN))
                repo.place(items, ids[bins[b]])
                tx.events.append_many(LocationEvent.PUTAWAY, items, actor=ACTOR.label,
                                      station="bench", details={"location": bins[b]})  # fmt: skip
    return app, first, bins


def _timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _measure(app: App, first: int, units: int, bins: list[str]) -> dict[str, list[float]]:
    rng = random.Random(7)
    with app.store.read() as tx:
        values = {i.id: i.value for i in tx.items.by_ids(
            [first + rng.randrange(units) for _ in range(ROUNDS)])}  # fmt: skip
    picks = list(values.items())

    def bare(item_id: int) -> None:
        with app.store.read() as tx:
            tx.execute("SELECT * FROM items WHERE id = ?", (item_id,)).fetchone()

    found: dict[str, list[float]] = {"reference: bare PK SELECT": [], "where is it (scan)": [],
                                     f"bin contents ({PER_BIN} serials)": []}  # fmt: skip

    def look_up(value: str) -> None:
        putaway.where_is(app, f"(01){GTIN}(21){value}", actor=ACTOR)

    for n in range(ROUNDS):
        item_id, value = picks[n % len(picks)]
        found["reference: bare PK SELECT"].append(_timed(lambda i=item_id: bare(i)))
        found["where is it (scan)"].append(_timed(lambda v=value: look_up(v)))
        chosen = rng.choice(bins)
        got = _timed(lambda b=chosen: putaway.contents(app, b, actor=ACTOR))
        found[f"bin contents ({PER_BIN} serials)"].append(got)
    where = putaway.where_is(app, f"(01){GTIN}(21){picks[0][1]}", actor=ACTOR)
    assert where.location is not None and len(where.history) == 1
    assert len(putaway.contents(app, bins[0], actor=ACTOR)) == PER_BIN
    return found


PLANS = {
    "where is it": "SELECT l.* FROM item_locations il JOIN locations l ON l.id = il.location_id"
    " WHERE il.item_id = 1",
    "bin contents": "SELECT i.* FROM item_locations il JOIN items i ON i.id = il.item_id"
    " WHERE il.location_id = 1 AND il.item_id > 0 ORDER BY il.item_id LIMIT 1000",
}


def _plans(app: App) -> list[tuple[str, str]]:
    return query_plans(app, PLANS, ("items", "item_locations"))


def run() -> list[tuple[str, str]]:
    """Figures at 10,000 and 1,000,000 serials (SQLite), each beside its reference."""
    out: list[tuple[str, str]] = []
    for units in (10_000, 1_000_000):
        started = time.perf_counter()
        app, first, bins = _build(units)
        out.append((f"build {units:,} serials in {len(bins):,} bins",
                    f"{time.perf_counter() - started:.1f} s"))  # fmt: skip
        for name, samples in _measure(app, first, units, bins).items():
            out.append((f"{name} @ {units:,}", p50_p99(samples)))
        if units == 1_000_000:
            out.extend(_plans(app))
        app.store.close()
    return out


if __name__ == "__main__":
    for figure, value in run():
        print(f"{figure:<50} {value}")
