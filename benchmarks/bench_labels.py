"""Label rendering figures: ZPL labels per second, PNG preview milliseconds.

``run()`` returns (figure, value) rows for the common benchmark runner; run this file
directly to print them.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import replace

from labelsvc.labels import LabelData, TemplateLibrary, default_library

ZPL_LABELS = 10_000
PREVIEWS = 50


def _zpl_rate(library: TemplateLibrary) -> float:
    base = LabelData.sample("unit")
    labels = [replace(base, serial=f"S{n:08d}") for n in range(ZPL_LABELS)]
    library.render_zpl("unit", base)  # compile outside the timing
    start = time.perf_counter()
    out = b"".join(library.render_zpl("unit", data) for data in labels)
    elapsed = time.perf_counter() - start
    assert out.count(b"^XA") == ZPL_LABELS
    return ZPL_LABELS / elapsed


def _preview_ms(library: TemplateLibrary, template: str, dpi: int) -> tuple[float, float]:
    base = LabelData.sample(library.kind_of(template))
    times = []
    for n in range(PREVIEWS):
        data = replace(base, serial=f"P{n:08d}") if base.kind == "unit" else base
        start = time.perf_counter()
        library.render_png(template, data, dpi)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, round(0.99 * len(times)))]


def run() -> list[tuple[str, str]]:
    """Measure and return the figures as (name, value) rows."""
    library = default_library()
    rows = [("labels: ZPL unit labels/s (10,000 labels, 203 dpi)", f"{_zpl_rate(library):,.0f}")]
    for template, dpi in (("unit", 203), ("unit", 300), ("pallet", 203)):
        p50, p99 = _preview_ms(library, template, dpi)
        rows.append((f"labels: PNG preview {template} {dpi} dpi p50 ms", f"{p50:.1f}"))
        rows.append((f"labels: PNG preview {template} {dpi} dpi p99 ms", f"{p99:.1f}"))
    return rows


if __name__ == "__main__":
    for name, value in run():
        print(f"{name:<55} {value}")
