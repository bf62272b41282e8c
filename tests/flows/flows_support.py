"""Constants and helpers shared by the flow tests (products, HRI, the EPCIS schema check)."""

from __future__ import annotations

import json
import re
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import jsonschema

from labelsvc.domain.actors import Actor
from labelsvc.services import counts, print_queue
from labelsvc.services.app import App
from labelsvc.services.counts import CountView
from labelsvc.services.flow_views import ItemView

GTIN = "09506000134352"  # the demo product: 12 units per case, 2 cases per pallet
OTHER_GTIN = "09506000134369"  # a second product (no serial pool), for wrong-GTIN cases
THIRD_GTIN = "09506000134376"
EPCIS_SCHEMA = Path(__file__).resolve().parents[1] / "data" / "epcis" / "EPCIS-JSON-Schema.json"


def hri(item: ItemView) -> str:
    """How a scanner would hand over the unit's DataMatrix, as HRI text."""
    return f"(01){item.gtin}(21){item.value}"


_URI = re.compile(
    r"^[A-Za-z][A-Za-z0-9+.\-]*:(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})+$"
)
_DATE_TIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$"
)


def _format_checker() -> jsonschema.FormatChecker:
    """The schema's ``uri`` and ``date-time`` formats, checked strictly (RFC 3986 / 3339).

    jsonschema checks these only with optional packages this project does not install, so
    the two formats the EPCIS schema leans on are checked here instead of being skipped.
    """
    checker = jsonschema.FormatChecker()

    @checker.checks("uri")
    def is_uri(value: object) -> bool:
        return not isinstance(value, str) or bool(_URI.match(value))

    @checker.checks("date-time")
    def is_date_time(value: object) -> bool:
        if not isinstance(value, str) or not _DATE_TIME.match(value):
            return not isinstance(value, str)
        datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
        return True

    return checker


def epcis_errors(document: dict[str, Any]) -> list[str]:
    """Every way ``document`` breaks the official EPCIS 2.0 JSON schema (empty: valid)."""
    schema = json.loads(EPCIS_SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.Draft7Validator(schema, format_checker=_format_checker())
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in validator.iter_errors(document)]  # fmt: skip


def all_sent(app: App, actor: Actor, timeout: float = 60.0) -> bool:
    """Wait until the workers recorded every job as printed (a wait, never a timing assert)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        jobs = print_queue.list_jobs(app, actor, printer="zebra")
        if jobs and all(j.state == "printed" for j in jobs):
            return True
        time.sleep(0.02)
    return False


def blind_count(
    app: App, scanned_bin: str, found: list[ItemView], *, missing: ItemView, extra: ItemView,
    actor: Actor, supervisor: Actor,
) -> CountView:  # fmt: skip
    """A blind count of a bin (the counter sees no expected list) that finds ``found``: it
    shows ``missing`` and ``extra`` as its differences, and the supervisor accepts both."""
    count = counts.start_count(app, scanned_bin, blind=True, actor=actor)
    assert count.lines is None
    for u in found:
        counts.count_scan(app, count.id, hri(u), actor=actor)
    closed = counts.close_count(app, count.id, actor=actor)
    assert {ln.item: ln.difference for ln in closed.differences} == {
        hri(missing): "missing", hri(extra): "extra"}  # fmt: skip
    for u in (missing, extra):
        counts.resolve_difference(app, count.id, hri(u), "accept-found", actor=supervisor)
    return closed
