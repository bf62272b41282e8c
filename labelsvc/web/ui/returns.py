"""The returns desk: open a return (RMA), scan what came back, decide each unit.

Each scan answers where the unit left (order, shipment, days ago, warranty) or why it is
flagged (never shipped, unknown, shipped to another customer); a flagged unit's disposition
is a supervisor's, which the service enforces.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, make_response, render_template, session
from flask.typing import ResponseReturnValue

from labelsvc.domain.errors import InvalidInput, LabelsvcError
from labelsvc.domain.orders import Disposition
from labelsvc.services.returns import ReturnView, dispose, get_return, open_return, receive_unit
from labelsvc.web.context import service
from labelsvc.web.ui.common import actor, form_text, require_login, station_name, status_of

bp = Blueprint("ui_returns", __name__, url_prefix="/returns")
bp.before_request(require_login)
CURRENT = "return_rma"


def _current() -> ReturnView | None:
    reference = session.get(CURRENT) or form_text("rma")
    if not isinstance(reference, str) or not reference:
        return None
    try:
        return get_return(service(), reference, actor=actor())
    except LabelsvcError:
        session.pop(CURRENT, None)
        return None


def _answer(ok: bool, detail: str, code: str, status: int = 200) -> ResponseReturnValue:
    html = render_template(
        "returns/answer.html", outcome={"ok": ok, "detail": detail, "code": code},
        current=_current(), dispositions=list(Disposition),
    )  # fmt: skip
    return make_response(html, status)


def _act(action: Callable[[], tuple[bool, str, str]], *, scan: bool = False) -> ResponseReturnValue:
    try:
        ok, code, detail = action()
    except LabelsvcError as error:
        return _answer(False, error.detail, error.code, 200 if scan else status_of(error))
    return _answer(ok, detail, code)


@bp.get("/")
def index() -> ResponseReturnValue:
    """The returns page."""
    return render_template("returns/index.html", current=_current(),
                           dispositions=list(Disposition))  # fmt: skip


@bp.post("/open")
def open_() -> ResponseReturnValue:
    """Open a return against an order or a customer."""

    def run() -> tuple[bool, str, str]:
        view = open_return(service(), form_text("reference"), actor=actor(),
                           order=form_text("order") or None,
                           customer=form_text("customer") or None)  # fmt: skip
        session[CURRENT] = view.reference
        return True, "opened", f"Return {view.reference} for {view.customer} open: scan the units."

    return _act(run)


@bp.post("/scan")
def scan() -> ResponseReturnValue:
    """A returned unit, checked against what left."""

    def run() -> tuple[bool, str, str]:
        current = _current()
        if current is None:
            raise InvalidInput("no-return", "Open a return first.")
        unit = receive_unit(service(), current.reference, form_text("code"), actor=actor(),
                            station=station_name())  # fmt: skip
        return unit.flag is None, unit.flag or "checked", unit.detail

    return _act(run, scan=True)


@bp.post("/dispose")
def dispose_() -> ResponseReturnValue:
    """Decide one unit of the current return."""

    def run() -> tuple[bool, str, str]:
        current = _current()
        if current is None:
            raise InvalidInput("no-return", "Open a return first.")
        code, disposition = form_text("code"), form_text("disposition")
        view = dispose(service(), current.reference, code, disposition, actor=actor(),
                       station=station_name())  # fmt: skip
        done = " Return resolved." if view.state == "resolved" else ""
        return True, "decided", f"{code}: {disposition}.{done}"

    return _act(run)
