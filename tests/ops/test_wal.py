"""The WAL gives its space back: the checkpointer of a serving process truncates it."""

from __future__ import annotations

import os
import time
from pathlib import Path

from labelsvc.services.app import App


def test_the_checkpointer_truncates_a_grown_wal(app: App) -> None:
    wal = Path(f"{app.store.path}-wal")
    app.store.start_checkpointer(interval=0.005)  # TRUNCATE comes every 120 rounds
    try:
        with app.store.write() as tx:  # ~8 MB through the WAL
            for _ in range(400):
                tx.execute(
                    "INSERT INTO events (type, actor, at, details) VALUES (?, ?, ?, ?)",
                    ("bulk-test", "test", "2026-01-01T00:00:00.000+00:00",
                     '{"pad": "' + os.urandom(10_000).hex() + '"}'),
                )  # fmt: skip
        grown = wal.stat().st_size
        assert grown > 4_000_000
        deadline = time.monotonic() + 20
        while wal.stat().st_size > 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert wal.stat().st_size == 0, f"the WAL stayed at {wal.stat().st_size:,} bytes"
    finally:
        app.store.stop_checkpointer()
