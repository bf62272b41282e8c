"""Several OS processes on one store, at once, and a process killed mid-allocation.

Runs on both stores: a SQLite file shared by processes of one host, and one PostgreSQL
database (what several instances on several hosts share).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from storekit import rows, scalar

from labelsvc.domain.actors import SYSTEM
from labelsvc.services.allocation import allocate, recover_abandoned
from labelsvc.services.app import App

WORKER = """
import sys
from labelsvc.config import settings_from_dict
from labelsvc.domain.actors import Actor
from labelsvc.services.allocation import allocate
from labelsvc.services.app import App
from pathlib import Path

project, url, pool = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
rounds, count, key = int(sys.argv[4]), int(sys.argv[5]), sys.argv[7]
app = App.open(settings_from_dict({"storage": {"busy_timeout_ms": 60000, "url": url}}, "test",
                                  project))
actor = Actor(name="proc", kind="user", role="operator")
out = open(sys.argv[6], "w")
for i in range(rounds):
    result = allocate(app.store, pool, count, actor=actor, idempotency_key=key or None)
    out.write("\\n".join(result.serials) + "\\n")
    out.flush()  # only acknowledged serials are written
"""


def _start(
    app: App, pool: str, rounds: int, count: int, out: Path, key: str = ""
) -> subprocess.Popen[bytes]:
    log = out.with_suffix(".log").open("wb")
    url = app.settings.storage.url
    return subprocess.Popen(
        [sys.executable, "-c", WORKER, str(app.settings.base_dir), url, pool, str(rounds),
         str(count), str(out), key],
        stderr=log,
    )  # fmt: skip


def _wait_all(procs: list[subprocess.Popen[bytes]], outs: list[Path]) -> None:
    codes = [p.wait(600) for p in procs]
    assert codes == [0] * len(procs), [o.with_suffix(".log").read_text() for o in outs]


def test_four_processes_one_at_a_time_and_in_bulk_at_once_issue_distinct_serials(
    app: App, tmp_path: Path
) -> None:
    singles = [tmp_path / f"single{i}.txt" for i in range(4)]
    bulks = [tmp_path / f"bulk{i}.txt" for i in range(4)]
    procs = [_start(app, "demo-units", 2500, 1, out) for out in singles]
    procs += [_start(app, "demo-units", 1, 100_000, out) for out in bulks]
    _wait_all(procs, singles + bulks)
    acknowledged = [s for out in singles + bulks for s in out.read_text().split()]
    assert len(acknowledged) == 410_000
    assert len(set(acknowledged)) == 410_000
    stored = {r[0] for r in rows(app, "SELECT value FROM items WHERE pool = 'demo-units'")}
    assert set(acknowledged) == stored
    assert scalar(app, "SELECT used FROM pools WHERE name = 'demo-units'") == 410_000
    states = rows(app, "SELECT state, COUNT(*) FROM allocations GROUP BY state")
    assert states == [("complete", 10_004)]


def test_sigkill_mid_bulk_allocation_is_rolled_back_and_never_half_issued(
    app: App, tmp_path: Path
) -> None:
    out = tmp_path / "killed.txt"
    proc = _start(app, "demo-sscc", 50, 200_000, out)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and (not out.exists() or out.stat().st_size == 0):
        assert proc.poll() is None, out.with_suffix(".log").read_text()
        time.sleep(0.01)
    time.sleep(0.3)  # inside the chunks of the following 200,000-serial allocation
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    acknowledged = out.read_text().split()
    assert len(acknowledged) % 200_000 == 0 and acknowledged
    pending = rows(app, "SELECT id, written FROM allocations WHERE state = 'pending'")
    assert len(pending) == 1, "the kill fell inside a chunked allocation"
    # Its owner is dead: recovery rolls it back, chunk by chunk; nothing of it was handed out.
    assert recover_abandoned(app.store, SYSTEM) == [pending[0][0]]
    for allocation_id, count, state in rows(app, "SELECT id, count, state FROM allocations"):
        stored = scalar(app, "SELECT COUNT(*) FROM items WHERE allocation_id = ?",
                        (allocation_id,))  # fmt: skip
        assert stored == (count if state == "complete" else 0)
    complete = {r[0] for r in rows(app, "SELECT value FROM items WHERE namespace = 'sscc'")}
    assert complete == set(acknowledged)
    # The next allocation continues without repeating anything.
    follow = allocate(app.store, "demo-sscc", 1000, actor=SYSTEM).serials
    assert not set(follow) & set(acknowledged)
    total, distinct = rows(
        app, "SELECT COUNT(*), COUNT(DISTINCT value) FROM items WHERE namespace = 'sscc'"
    )[0]
    assert total == distinct == len(acknowledged) + 1000


def test_a_retry_with_the_same_key_resumes_a_killed_allocation(app: App, tmp_path: Path) -> None:
    out = tmp_path / "killed.txt"
    proc = _start(app, "demo-units", 1, 400_000, out, key="bulk-1")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not rows(
        app, "SELECT 1 FROM allocations WHERE written >= 20000"
    ):
        assert proc.poll() is None, out.with_suffix(".log").read_text()
        time.sleep(0.01)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert rows(app, "SELECT state FROM allocations") == [("pending",)]
    again = tmp_path / "again.txt"
    _wait_all([_start(app, "demo-units", 1, 400_000, again, key="bulk-1")], [again])
    serials = again.read_text().split()
    assert len(serials) == len(set(serials)) == 400_000
    assert rows(app, "SELECT state, count FROM allocations") == [("complete", 400_000)]
    assert scalar(app, "SELECT used FROM pools WHERE name = 'demo-units'") == 400_000
