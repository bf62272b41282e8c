"""Small helpers so every command prints tables and JSON the same way."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from typing import Any

import click


def to_plain(value: Any) -> Any:
    """Dataclasses, tuples and sets as JSON-ready values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): to_plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_plain(v) for v in value]
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value


def echo_json(value: Any) -> None:
    """Print ``value`` as indented JSON."""
    click.echo(json.dumps(to_plain(value), indent=2, ensure_ascii=False, default=str))


def echo_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Print rows as aligned columns."""
    cells = [[str(h) for h in headers]] + [["" if c is None else str(c) for c in r] for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    for n, row in enumerate(cells):
        click.echo("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
        if n == 0:
            click.echo("  ".join("-" * w for w in widths))


def scan_text(text: str) -> str:
    """Let a shell user type GS as the literal ``\\x1d`` or ``<GS>``."""
    gs = "\x1d"
    return text.replace("\\x1d", gs).replace("\\x1D", gs).replace("<GS>", gs)
