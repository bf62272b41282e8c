"""Label rendering: ZPL labels per second and PNG preview milliseconds, each beside a floor.

- ZPL: the shipped unit template for 10,000 serials, beside a bare Jinja2 template of the
  same label's finished ZPL with only the serial left to fill in (no GS1 checks, no escaping,
  no DataMatrix escapes): what any template engine costs to make these bytes.
- PNG preview: labelsvc's preview (ZPL rendered, interpreted, text and symbols drawn, PNG
  encoded), beside zint encoding the same label's symbols and Pillow saving a blank PNG of
  the same size: the least a preview of this label can cost.

Both pairs run interleaved, ``ROUNDS`` times; the medians are reported with their ratio.
``run()`` returns (figure, value) rows for the common benchmark runner.
"""

from __future__ import annotations

import io
import statistics
import time
from collections.abc import Callable
from dataclasses import replace

import jinja2
from PIL import Image

from labelsvc.labels import LabelData, TemplateLibrary, default_library, symbols

ZPL_LABELS = 10_000
PREVIEWS = 20
ROUNDS = 5


def _zpl_rate(library: TemplateLibrary, labels: list[LabelData]) -> float:
    start = time.perf_counter()
    out = b"".join(library.render_zpl("unit", data) for data in labels)
    elapsed = time.perf_counter() - start
    assert out.count(b"^XA") == len(labels)
    return len(labels) / elapsed


def _bare_template(library: TemplateLibrary, base: LabelData) -> jinja2.Template:
    """The finished ZPL of one label as a plain Jinja2 template with the serial as its field."""
    zpl = library.render_zpl("unit", base).decode("utf-8")
    return jinja2.Environment(autoescape=False).from_string(  # ZPL, not HTML
        zpl.replace(base.serial or "", "{{ serial }}")
    )


def _bare_rate(template: jinja2.Template, labels: list[LabelData]) -> float:
    start = time.perf_counter()
    out = "".join(template.render(serial=data.serial) for data in labels).encode()
    elapsed = time.perf_counter() - start
    assert out.count(b"^XA") == len(labels)
    return len(labels) / elapsed


def _preview_ms(library: TemplateLibrary, template: str, data: LabelData, dpi: int) -> float:
    start = time.perf_counter()
    library.render_png(template, data, dpi)
    return (time.perf_counter() - start) * 1000


def _floor_ms(library: TemplateLibrary, template: str, data: LabelData, dpi: int) -> float:
    """zint encodes the label's symbols; Pillow saves an empty canvas of the label's size."""
    drawn = library.preview(template, data, dpi)  # outside the timing: what to encode
    size = drawn.image.size
    wanted = [(f.kind, f.text) for f in drawn.fields if f.kind not in ("text", "box")]
    start = time.perf_counter()
    for kind, text in wanted:
        if kind == "qr":  # the encoders the preview calls, past their caches
            symbols.qr.__wrapped__(text)
        elif kind.endswith("datamatrix"):
            symbols.datamatrix.__wrapped__(text, kind == "gs1-datamatrix")
        else:
            symbols.code128.__wrapped__(text, kind == "gs1-128")
    Image.new("1", size, 1).save(io.BytesIO(), "PNG", compress_level=1)
    return (time.perf_counter() - start) * 1000


def _distinct(library: TemplateLibrary, template: str, n: int) -> list[LabelData]:
    """``n`` labels that differ in their barcodes (a new serial, or a new count), so that
    no symbol comes from a cache."""
    data = LabelData.sample(library.kind_of(template))
    if data.kind == "unit":
        return [replace(data, serial=f"P{k:08d}") for k in range(n)]
    return [replace(data, count=k + 1) for k in range(n)]


def _interleaved(
    a: Callable[[], float], b: Callable[[], float], rounds: int
) -> tuple[list[float], list[float]]:
    first: list[float] = []
    second: list[float] = []
    for _ in range(rounds):
        first.append(a())
        second.append(b())
    return first, second


def run() -> list[tuple[str, str]]:
    """Measure and return the figures as (name, value) rows."""
    library = default_library()
    base = LabelData.sample("unit")
    labels = [replace(base, serial=f"S{n:08d}") for n in range(ZPL_LABELS)]
    bare = _bare_template(library, base)
    _zpl_rate(library, labels[:100])  # compile both outside the timing
    ours, floor = _interleaved(
        lambda: _zpl_rate(library, labels), lambda: _bare_rate(bare, labels), ROUNDS
    )
    rate, ref = statistics.median(ours), statistics.median(floor)
    rows = [
        (f"labels: ZPL unit labels/s (10,000, 203 dpi, median of {ROUNDS})", f"{rate:,.0f}"),
        ("labels:   reference: bare Jinja2 of the same ZPL, labels/s", f"{ref:,.0f}"),
        ("labels:   labelsvc / reference", f"{rate / ref:.2f}x"),
    ]
    for template, dpi in (("unit", 203), ("unit", 300), ("pallet", 203)):
        mine, least = [], []
        for sample in _distinct(library, template, PREVIEWS * ROUNDS):
            # each label: the preview, then the floor of the same label
            mine.append(_preview_ms(library, template, sample, dpi))
            least.append(_floor_ms(library, template, sample, dpi))
        p50, p99 = statistics.median(mine), sorted(mine)[round(0.99 * (len(mine) - 1))]
        ref50 = statistics.median(least)
        rows.append((f"labels: PNG preview {template} {dpi} dpi p50 / p99 ms",
                     f"{p50:.1f} / {p99:.1f}"))  # fmt: skip
        rows.append(("labels:   reference: zint symbols + blank PNG, p50 ms", f"{ref50:.1f}"))
        rows.append(("labels:   preview / reference (p50)", f"{p50 / ref50:.1f}x"))
    return rows


if __name__ == "__main__":
    for name, value in run():
        print(f"{name:<62} {value}")
