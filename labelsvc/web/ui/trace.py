"""Trace: scan or type anything, see its packaging tree and timeline; hold, void, reprint.

The action buttons shown depend on the user's role, but the rule is the service's: a
forged request for an action the role lacks is refused by the use case (403 here).
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, make_response, render_template, request
from flask.typing import ResponseReturnValue

from labelsvc.domain.errors import LabelsvcError
from labelsvc.services.flow_views import ItemView
from labelsvc.services.labeling import reprint, void
from labelsvc.services.metrics_flows import measured_trace
from labelsvc.services.trace import Trace, quarantine, release, trace
from labelsvc.web.context import service
from labelsvc.web.ui.common import actor, form_text, is_htmx, require_login, station_name, status_of
from labelsvc.web.ui.receiving import station_printer

bp = Blueprint("ui_trace", __name__, url_prefix="/trace")
bp.before_request(require_login)


def children_of(found: Trace) -> dict[int, list[ItemView]]:
    """Descendants grouped by parent id, for drawing the tree top-down."""
    grouped: dict[int, list[ItemView]] = {}
    for child in found.descendants:
        grouped.setdefault(child.parent_id or 0, []).append(child)
    return grouped


@bp.get("/")
def index() -> ResponseReturnValue:
    """The trace page; with ``q`` the item's tree and timeline (a partial for HTMX)."""
    query = request.args.get("q", "").strip()
    template = "trace/result.html" if is_htmx() else "trace/index.html"
    if not query:
        return render_template(template, query=query, found=None, error=None, children={})
    with measured_trace(service(), actor(), query, "page") as clock:
        found, error = None, None
        try:
            found = trace(service(), query, actor=actor())
        except LabelsvcError as exc:
            error = exc
        html = render_template(
            template, query=query, found=found, error=error,
            children=children_of(found) if found else {},
        )  # fmt: skip
        if found:
            clock.answered(1 + len(found.descendants))
    return html


def _act(run: Callable[[], str]) -> ResponseReturnValue:
    """Run a held/void/reprint action; answer with what happened or why it was refused."""
    try:
        message = run()
    except LabelsvcError as error:
        html = render_template("partials/error.html", error=error)
        return make_response(html, status_of(error))
    html = render_template("trace/action_done.html", message=message, query=form_text("code"))
    return make_response(html, 200)


@bp.post("/quarantine")
def quarantine_item() -> ResponseReturnValue:
    """Quarantine (or recall) the item and everything below it."""
    recall = form_text("recall") == "yes"

    def run() -> str:
        done = quarantine(
            service(), form_text("code"), actor=actor(), reason=form_text("reason"),
            recall=recall, station=station_name(),
        )  # fmt: skip
        return f"{done.action.title()}: {len(done.items)} of {done.total} items now held."

    return _act(run)


@bp.post("/release")
def release_item() -> ResponseReturnValue:
    """Release a held item and everything below it (supervisors)."""

    def run() -> str:
        done = release(
            service(), form_text("code"), actor=actor(), reason=form_text("reason"),
            station=station_name(),
        )  # fmt: skip
        return f"Released: {len(done.items)} items."

    return _act(run)


@bp.post("/void")
def void_item() -> ResponseReturnValue:
    """Void a serial whose label was destroyed (supervisors)."""

    def run() -> str:
        item = void(
            service(), form_text("code"), reason=form_text("reason"), actor=actor(),
            station=station_name(),
        )  # fmt: skip
        return f"Voided {item.value}; it is never issued again."

    return _act(run)


@bp.post("/reprint")
def reprint_item() -> ResponseReturnValue:
    """Print the same label again, with a reason (supervisors)."""

    def run() -> str:
        done = reprint(
            service(), form_text("code"), reason=form_text("reason"), actor=actor(),
            printer=station_printer(), station=station_name(),
        )  # fmt: skip
        return f"Reprint queued as job #{done.job_ids[0]} on {done.printer}."

    return _act(run)
