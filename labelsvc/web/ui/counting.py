"""The cycle count station: scan a bin (or a container) to open its count, scan what is
there, scan ``CLOSE COUNT``; a supervisor resolves each difference on the same page.

A blind count shows the counter neither the expected list nor whether a scan matched; the
count being worked on is kept in the session.
"""

from __future__ import annotations

from flask import Blueprint, make_response, render_template, session
from flask.typing import ResponseReturnValue

from labelsvc.domain.errors import InvalidInput, LabelsvcError
from labelsvc.services.counts import (
    CountView,
    close_count,
    count_scan,
    get_count,
    resolve_difference,
    start_count,
)
from labelsvc.services.scan_once import ScanRepeated
from labelsvc.web.context import service
from labelsvc.web.ui.common import actor, form_int, form_text, require_login, station_name

bp = Blueprint("ui_counting", __name__, url_prefix="/counts")
bp.before_request(require_login)
CURRENT = "count_current"
CLOSE = "CLOSE COUNT"


def _current() -> CountView | None:
    count_id = session.get(CURRENT)
    if not isinstance(count_id, int):
        return None
    try:
        return get_count(service(), count_id, actor=actor())
    except LabelsvcError:
        session.pop(CURRENT, None)
        return None


def _shown() -> CountView | None:
    """The count in the session, or the one just closed (named by the form)."""
    current = _current()
    closed = form_int("count") if not current else None
    return current or (get_count(service(), closed, actor=actor()) if closed else None)


def _answer(ok: bool, detail: str, code: str, view: CountView | None) -> ResponseReturnValue:
    html = render_template("locations/count_answer.html", view=view,
                           outcome={"ok": ok, "detail": detail, "code": code})  # fmt: skip
    return make_response(html, 200)


def _scan(code: str) -> tuple[str, str, CountView | None]:
    current = _current()
    if current is None:
        blind = form_text("mode", "blind") != "open"
        view = start_count(service(), code, blind=blind, actor=actor(), station=station_name())
        session[CURRENT] = view.id
        return "started", f"Count #{view.id} of {view.target}: scan everything there.", view
    if code.upper() == CLOSE:
        view = close_count(service(), current.id, actor=actor())
        session.pop(CURRENT, None)
        return "closed", f"Count #{view.id} closed: {len(view.differences)} difference(s).", view
    done = count_scan(service(), current.id, code, actor=actor(), station=station_name())
    return "counted", done.detail, _current()


@bp.get("/")
def index() -> ResponseReturnValue:
    """The count station page."""
    return render_template("locations/count.html", view=_current(), close=CLOSE)


@bp.post("/scan")
def scan() -> ResponseReturnValue:
    """A scan: the bin or container to count, a serial, or ``CLOSE COUNT``."""
    try:
        outcome, detail, view = _scan(form_text("code"))
    except ScanRepeated as first:
        return _answer(first.ok, first.detail, first.outcome, _current())
    except LabelsvcError as error:
        return _answer(False, error.detail, error.code, _current())
    return _answer(True, detail, outcome, view)


@bp.post("/resolve")
def resolve() -> ResponseReturnValue:
    """A supervisor settles one difference of a closed count."""
    try:
        count_id = form_int("count")
        if count_id is None:
            raise InvalidInput("form-invalid", "Which count?")
        view = resolve_difference(service(), count_id, form_text("item"),
                                  form_text("resolution"), actor=actor(),
                                  reason=form_text("reason") or None)  # fmt: skip
    except LabelsvcError as error:
        return _answer(False, error.detail, error.code, _shown())
    return _answer(True, f"{form_text('item')}: {form_text('resolution')}.", "resolved", view)
