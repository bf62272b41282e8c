"""The store: WAL checkpoints off the request path, transactions that roll back whole."""

from __future__ import annotations

import shutil
import sqlite3
import time
from pathlib import Path

import pytest

from labelsvc.domain.actors import Actor
from labelsvc.services.allocation import allocate
from labelsvc.services.app import App


def _count_without_wal(db: Path, tmp_path: Path) -> int:
    """Rows of ``items`` in the main database file alone, as if the WAL were lost."""
    copy = tmp_path / "main-only.db"
    shutil.copyfile(db, copy)
    conn = sqlite3.connect(copy)
    try:
        return int(conn.execute("SELECT COUNT(*) FROM items").fetchone()[0])
    except sqlite3.OperationalError:  # not even the schema has reached the file yet
        return 0
    finally:
        conn.close()


@pytest.mark.sqlite_only
def test_background_checkpointer_moves_writes_into_the_database_file(
    app: App, operator: Actor, tmp_path: Path
) -> None:
    app.store.start_checkpointer(interval=0.05)
    try:
        for _ in range(50):
            allocate(app.store, "demo-units", 1, actor=operator)
        deadline = time.monotonic() + 5
        while _count_without_wal(app.store.path, tmp_path) < 50 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _count_without_wal(app.store.path, tmp_path) == 50
    finally:
        app.store.stop_checkpointer()


def test_a_failed_write_leaves_nothing_behind(app: App, operator: Actor) -> None:
    with pytest.raises(RuntimeError), app.store.write() as tx:
        tx.events.append("test-event", actor="test")
        raise RuntimeError("boom")
    with app.store.read() as tx:
        assert not tx.events.query(types=["test-event"])
