"""Several OS processes on one SQLite file, and a process killed mid-allocation."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from labelsvc.services.app import App

WORKER = """
import sys
from labelsvc.config import settings_from_dict
from labelsvc.domain.actors import Actor
from labelsvc.services.allocation import allocate
from labelsvc.services.app import App
from pathlib import Path

project, pool, rounds, count = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
app = App.open(settings_from_dict({"storage": {"busy_timeout_ms": 60000}}, "test", project))
actor = Actor(name="proc", kind="user", role="operator")
out = open(sys.argv[5], "w")
for _ in range(rounds):
    result = allocate(app.store, pool, count, actor=actor)
    out.write("\\n".join(result.serials) + "\\n")
    out.flush()  # only acknowledged serials are written
"""


def _start(project: Path, pool: str, rounds: int, count: int, out: Path) -> subprocess.Popen[bytes]:
    log = out.with_suffix(".log").open("wb")
    return subprocess.Popen(
        [sys.executable, "-c", WORKER, str(project), pool, str(rounds), str(count), str(out)],
        stderr=log,
    )


def test_four_processes_allocate_10000_distinct_serials(app: App, tmp_path: Path) -> None:
    outs = [tmp_path / f"out{i}.txt" for i in range(4)]
    procs = [_start(app.settings.base_dir, "demo-units", 2500, 1, out) for out in outs]
    codes = [p.wait(300) for p in procs]
    assert codes == [0, 0, 0, 0], [o.with_suffix(".log").read_text() for o in outs]
    acknowledged = [s for out in outs for s in out.read_text().split()]
    assert len(acknowledged) == 10_000
    assert len(set(acknowledged)) == 10_000
    conn = sqlite3.connect(app.store.path)
    stored = {r[0] for r in conn.execute("SELECT value FROM items WHERE pool = 'demo-units'")}
    assert set(acknowledged) <= stored and len(stored) == 10_000
    assert conn.execute("SELECT used FROM pools WHERE name = 'demo-units'").fetchone()[0] == 10_000


def test_sigkill_mid_bulk_allocation_leaves_all_or_nothing(app: App, tmp_path: Path) -> None:
    out = tmp_path / "killed.txt"
    proc = _start(app.settings.base_dir, "demo-sscc", 50, 200_000, out)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and (not out.exists() or out.stat().st_size == 0):
        time.sleep(0.01)
    time.sleep(0.3)  # well inside a following 200,000-serial transaction
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    conn = sqlite3.connect(app.store.path)
    allocations = conn.execute("SELECT id, count, first_item_id, last_item_id FROM allocations"
                               " WHERE pool = 'demo-sscc'").fetchall()  # fmt: skip
    assert allocations, "the first allocation had committed before the kill"
    for _id, count, first, last in allocations:
        stored = conn.execute(
            "SELECT COUNT(*) FROM items WHERE allocation_id = ?", (_id,)
        ).fetchone()[0]
        assert stored == count == last - first + 1
    orphans = conn.execute(
        "SELECT COUNT(*) FROM items WHERE pool = 'demo-sscc' AND allocation_id NOT IN"
        " (SELECT id FROM allocations)"
    ).fetchone()[0]
    assert orphans == 0
    used = conn.execute("SELECT used FROM pools WHERE name = 'demo-sscc'").fetchone()[0]
    assert used == sum(a[1] for a in allocations)
    acknowledged = out.read_text().split()
    assert len(acknowledged) <= used
    conn.close()
    # The next allocation continues without repeating anything.
    follow = tmp_path / "after.txt"
    assert _start(app.settings.base_dir, "demo-sscc", 1, 1000, follow).wait(60) == 0
    assert not set(follow.read_text().split()) & set(acknowledged)
    conn = sqlite3.connect(app.store.path)
    total, distinct = conn.execute(
        "SELECT COUNT(*), COUNT(DISTINCT value) FROM items WHERE namespace = 'sscc'"
    ).fetchone()
    assert total == distinct
