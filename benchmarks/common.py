"""Helpers shared by the benchmarks: a throwaway service and latency percentiles."""

from __future__ import annotations

import shutil
import statistics
import tempfile
from pathlib import Path

from labelsvc.config import settings_from_dict
from labelsvc.services.app import App
from labelsvc.services.bootstrap import initialize

ROOT = Path(__file__).resolve().parents[1]


def fresh_app(config: dict[str, dict[str, object]] | None = None) -> App:
    """An initialized service (demo data) in a new temporary folder."""
    folder = Path(tempfile.mkdtemp(prefix="labelsvc-bench-"))
    for name in ("serial_pools", "printers", "zpl"):
        if (ROOT / name).exists():
            shutil.copytree(ROOT / name, folder / name)
    app = App.open(settings_from_dict(config or {}, "bench", folder))
    initialize(app, demo=True, admin_password="bench-password")
    return app


def percentile(samples: list[float], p: float) -> float:
    """The p-th percentile (0-100) of samples."""
    ordered = sorted(samples)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]


def ms(seconds: float) -> str:
    """Seconds as milliseconds text."""
    return f"{seconds * 1000:.2f} ms"


def median(samples: list[float]) -> float:
    """The median of samples."""
    return statistics.median(samples)


def query_plans(app: App, plans: dict[str, str], tables: tuple[str, ...]) -> list[tuple[str, str]]:
    """``EXPLAIN QUERY PLAN`` of each query, saying FULL SCAN when it scans one of ``tables``."""
    rows = []
    with app.store.read() as tx:
        for name, sql in plans.items():
            plan = [r[3] for r in tx.execute(f"EXPLAIN QUERY PLAN {sql}")]
            scans = [p for p in plan if p.startswith(tuple(f"SCAN {t}" for t in tables))]
            verdict = "FULL SCAN" if scans else "indexes only"
            rows.append((f"plan: {name}", f"{verdict}: {'; '.join(plan)}"))
    return rows


def p50_p99(samples: list[float]) -> str:
    """The median and the 99th percentile of latency samples, as text."""
    return f"p50 {ms(percentile(samples, 50))}  p99 {ms(percentile(samples, 99))}"
