"""Serial allocation: bulk, single, across processes, and memory for a million."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import fresh_app, ms, percentile

from labelsvc.domain.actors import Actor
from labelsvc.domain.pools import PoolSpec, random_values
from labelsvc.services.allocation import allocate

ACTOR = Actor(name="bench", kind="user", role="admin")
BULK = 100_000
SINGLES = 2_000


def _reference_executemany(values: list[str]) -> float:
    """The limit: plain sqlite3 executemany of rows of the same shape, same unique index."""
    path = Path(tempfile.mkdtemp()) / "ref.db"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute(
        "CREATE TABLE items (id INTEGER PRIMARY KEY, namespace TEXT NOT NULL, value TEXT NOT NULL,"
        " kind TEXT NOT NULL, gtin TEXT, pool TEXT, allocation_id INTEGER, level TEXT,"
        " created_at TEXT NOT NULL, updated_at TEXT NOT NULL, UNIQUE (namespace, value))"
    )
    conn.execute("CREATE INDEX items_value ON items(value)")
    at = "2026-01-01T00:00:00.000+00:00"
    rows = [("01:09506000134352", v, "unit", "09506000134352", "p", 1, "unit", at, at)
            for v in values]  # fmt: skip
    started = time.perf_counter()
    conn.execute("BEGIN IMMEDIATE")
    conn.executemany(
        "INSERT INTO items (namespace, value, kind, gtin, pool, allocation_id, level,"
        " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    conn.execute("COMMIT")
    return time.perf_counter() - started


def _bulk() -> list[tuple[str, str]]:
    app = fresh_app()
    started = time.perf_counter()
    result = allocate(app.store, "demo-units", BULK, actor=ACTOR)
    ours = time.perf_counter() - started
    spec = PoolSpec("x", "unit", "random", gtins=("09506000134352",), length=12)
    reference = _reference_executemany(list(dict.fromkeys(random_values(spec, BULK))))
    assert len(result.serials) == BULK
    return [
        (f"bulk allocation of {BULK:,} randomized serials", f"{BULK / ours:,.0f} serials/s"),
        ("reference: sqlite3 executemany, same rows and unique index",
         f"{BULK / reference:,.0f} rows/s"),
        ("ratio (target >= 0.50)", f"{reference / ours:.2f}"),
    ]  # fmt: skip


def _singles() -> list[tuple[str, str]]:
    rows = []
    for how in ("checkpoints in a background thread, as serve runs", "writer checkpoints, as CLI"):
        app = fresh_app()
        if how.startswith("checkpoints"):
            app.store.start_checkpointer()
        samples = []
        for _ in range(SINGLES):
            started = time.perf_counter()
            allocate(app.store, "demo-units", 1, actor=ACTOR)
            samples.append(time.perf_counter() - started)
        app.store.stop_checkpointer()
        rows += [
            (f"single allocation ({how}), p50", ms(percentile(samples, 50))),
            (f"single allocation ({how}), p99 (target < 5 ms)", ms(percentile(samples, 99))),
        ]
    return rows


WORKER = """
import sys, time
from labelsvc.config import settings_from_dict
from labelsvc.domain.actors import Actor
from labelsvc.services.allocation import allocate
from labelsvc.services.app import App
from pathlib import Path
app = App.open(settings_from_dict({"storage": {"busy_timeout_ms": 60000}}, "b", Path(sys.argv[1])))
actor = Actor(name="bench", kind="user", role="admin")
for _ in range(int(sys.argv[2])):
    allocate(app.store, "demo-units", 1, actor=actor)
"""


def _processes() -> list[tuple[str, str]]:
    app = fresh_app()
    each = 1_000
    started = time.perf_counter()
    procs = [
        subprocess.Popen([sys.executable, "-c", WORKER, str(app.settings.base_dir), str(each)])
        for _ in range(4)
    ]
    codes = [p.wait() for p in procs]
    took = time.perf_counter() - started
    return [("single allocations, 4 processes x 1,000 (incl. start-up)",
             f"{4 * each / took:,.0f} allocations/s (exit codes {codes})")]  # fmt: skip


MILLION = """
import resource, sys
from labelsvc.config import settings_from_dict
from labelsvc.domain.actors import Actor
from labelsvc.services.allocation import allocate
from labelsvc.services.app import App
from pathlib import Path
app = App.open(settings_from_dict({}, "b", Path(sys.argv[1])))
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
actor = Actor(name="b", kind="user", role="admin")
result = allocate(app.store, "demo-units", 1_000_000, actor=actor)
assert len(result.serials) == 1_000_000
print(before, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def _million() -> list[tuple[str, str]]:
    app = fresh_app()
    started = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", MILLION, str(app.settings.base_dir)],
                         capture_output=True, text=True, check=True)  # fmt: skip
    took = time.perf_counter() - started
    before_kb, peak_kb = (int(x) for x in out.stdout.split())
    return [
        ("1,000,000-serial allocation: peak RSS of the process (target < 300 MB)",
         f"{peak_kb / 1024:.0f} MB (at start {before_kb / 1024:.0f} MB; {took:.1f} s)"),
    ]  # fmt: skip


def run() -> list[tuple[str, str]]:
    """All allocation figures."""
    return _bulk() + _singles() + _processes() + _million()


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    for figure, value in run():
        print(f"{figure:<62} {value}")
