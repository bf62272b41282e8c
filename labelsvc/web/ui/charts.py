"""Small charts as inline SVG drawn on the server: no script, no CDN, works offline."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

COLORS = ("#0b4f8a", "#c05600", "#0b6b2e", "#7a1fa2", "#a4161a", "#4d4d4d")
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 48, 12, 26, 40


def _nice_max(value: float) -> float:
    """A round upper bound for an axis (1, 2, 5 times a power of ten)."""
    if value <= 0:
        return 1.0
    step = 1.0
    while step * 10 <= value:
        step *= 10
    for factor in (1, 2, 5, 10):
        if value <= step * factor:
            return step * factor
    return step * 10


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if value >= 10 or value == int(value) else f"{value:.1f}"


def _frame(title: str, width: int, height: int, top: float, unit: str, body: list[str]) -> Markup:
    """The SVG element with its title, the y axis and three grid lines around ``body``."""
    inner_h = height - PAD_TOP - PAD_BOTTOM
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
        f'<text x="{PAD_LEFT}" y="16" font-weight="600">{escape(title)}</text>',
    ]
    for i in range(4):
        value = top * i / 3
        y = PAD_TOP + inner_h - inner_h * i / 3
        parts.append(
            f'<line x1="{PAD_LEFT}" x2="{width - PAD_RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
            'stroke="#ddd"/>'
        )
        parts.append(
            f'<text x="{PAD_LEFT - 4}" y="{y + 4:.1f}" text-anchor="end">{_fmt(value)}</text>'
        )
    parts.append(f'<text x="6" y="{PAD_TOP - 8}" font-size="11">{escape(unit)}</text>')
    parts.extend(body)
    parts.append("</svg>")
    return Markup("".join(parts))


def bar_chart(
    points: Sequence[tuple[str, float]], *, title: str, unit: str, width: int = 640,
    height: int = 220, label_every: int = 1, max_value: float | None = None,
) -> Markup:  # fmt: skip
    """Vertical bars, one per (label, value); each bar has a tooltip with its value."""
    top = max_value or _nice_max(max((v for _, v in points), default=0))
    inner_w, inner_h = width - PAD_LEFT - PAD_RIGHT, height - PAD_TOP - PAD_BOTTOM
    slot = inner_w / max(1, len(points))
    body = []
    for i, (label, value) in enumerate(points):
        h = inner_h * min(value, top) / top
        x = PAD_LEFT + i * slot + slot * 0.15
        y = PAD_TOP + inner_h - h
        body.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{slot * 0.7:.1f}" height="{h:.1f}" '
            f'fill="{COLORS[0]}"><title>{escape(label)}: {_fmt(value)} {escape(unit)}'
            "</title></rect>"
        )
        if i % label_every == 0:
            body.append(
                f'<text x="{x + slot * 0.35:.1f}" y="{height - PAD_BOTTOM + 16}" '
                f'text-anchor="middle" font-size="11">{escape(label)}</text>'
            )
    return _frame(title, width, height, top, unit, body)


def line_chart(
    series: Sequence[tuple[str, Sequence[float]]], labels: Sequence[str], *, title: str,
    unit: str, width: int = 640, height: int = 220, label_every: int = 1,
    max_value: float | None = None,
) -> Markup:  # fmt: skip
    """One polyline per named series over shared x labels, with a legend."""
    values = [v for _, vs in series for v in vs]
    top = max_value or _nice_max(max(values, default=0))
    inner_w, inner_h = width - PAD_LEFT - PAD_RIGHT, height - PAD_TOP - PAD_BOTTOM
    step = inner_w / max(1, len(labels) - 1)
    body = []
    for n, (name, vs) in enumerate(series):
        color = COLORS[n % len(COLORS)]
        pts = " ".join(
            f"{PAD_LEFT + i * step:.1f},{PAD_TOP + inner_h - inner_h * min(v, top) / top:.1f}"
            for i, v in enumerate(vs)
        )
        body.append(
            f'<polyline points="{pts}" fill="none" stroke="{color}" stroke-width="2.5">'
            f"<title>{escape(name)}</title></polyline>"
        )
        body.append(
            f'<text x="{PAD_LEFT + 8 + n * 150}" y="{height - 6}" fill="{color}" '
            f'font-size="12">■ {escape(name)}</text>'
        )
    for i, label in enumerate(labels):
        if i % label_every == 0:
            body.append(
                f'<text x="{PAD_LEFT + i * step:.1f}" y="{height - PAD_BOTTOM + 14}" '
                f'text-anchor="middle" font-size="11">{escape(label)}</text>'
            )
    return _frame(title, width, height, top, unit, body)
