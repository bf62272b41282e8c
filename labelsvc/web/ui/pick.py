"""The pick station: scan an order's reference, then the units it wants.

Every scan is checked against the order by :func:`labelsvc.services.orders.pick`; a refusal
is an outcome line (200, red, with what to do), never an HTTP error. The order being picked
is remembered in the session and sent with every scan, so a scan kept past a session's end
still goes to the order the page showed. Scanning another order's reference switches to it.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, make_response, render_template, session
from flask.typing import ResponseReturnValue

from labelsvc.domain.errors import InvalidInput, LabelsvcError, NotFound
from labelsvc.services.order_shipping import ship_order
from labelsvc.services.orders import OrderView, close_short, get_order, list_orders, pick
from labelsvc.services.scan_once import ScanRepeated, first_outcome
from labelsvc.web.context import service
from labelsvc.web.ui.common import actor, form_text, require_login, station_name, status_of

bp = Blueprint("ui_pick", __name__, url_prefix="/pick")
bp.before_request(require_login)
CURRENT = "pick_order"


def _current() -> OrderView | None:
    """The order this session picks (or the one the page showed with the scan)."""
    reference = session.get(CURRENT) or form_text("order")
    if not isinstance(reference, str) or not reference:
        return None
    try:
        return get_order(service(), reference, actor=actor(), names=False)
    except LabelsvcError:
        session.pop(CURRENT, None)
        return None


def _page_data() -> dict[str, object]:
    open_orders = list_orders(service(), actor=actor(), state="open", limit=20)
    return {"current": _current(), "open_orders": open_orders}


def _answer(
    ok: bool, detail: str, code: str, status: int = 200, *, replayed: bool = False
) -> ResponseReturnValue:
    outcome = {"ok": ok, "detail": detail, "code": code, "replayed": replayed}
    html = render_template("pick/answer.html", outcome=outcome, **_page_data())
    return make_response(html, status)


def _act(action: Callable[[], tuple[str, str]], *, scan: bool = False) -> ResponseReturnValue:
    """Run an action; a refusal is an outcome (200 for a scan, the error's status else)."""
    try:
        code, detail = action()
    except ScanRepeated as first:  # the answer to this scan was lost: show it again, once
        return _answer(first.ok, first.detail, first.outcome, replayed=True)
    except LabelsvcError as error:
        return _answer(False, error.detail, error.code, 200 if scan else status_of(error))
    return _answer(True, detail, code)


def _select(reference: str) -> tuple[str, str]:
    try:
        view = get_order(service(), reference, actor=actor(), names=False)
    except NotFound:
        raise NotFound("order-not-found", f"{reference!r} is not an order here; scan the "
                       "order's reference first, then its units.") from None  # fmt: skip
    session[CURRENT] = view.reference
    left = sum(ln.open for ln in view.lines)
    return "selected", (f"Picking order {view.reference} for {view.customer}: {left} units to "
                        "pick. Scan them.")  # fmt: skip


def _scan(code: str) -> tuple[str, str]:
    if not code:
        raise InvalidInput("scan-empty", "Nothing was scanned.")
    current = _current()
    if current is None or current.state != "open":
        return _select(code)
    try:
        done = pick(service(), current.reference, code, actor=actor(), station=station_name(),
                    scan_id=form_text("scan_id") or None)  # fmt: skip
    except NotFound as missing:  # maybe another order's reference: switch to it
        try:
            return _select(code)
        except NotFound:
            raise missing from None
    return "picked", done.detail


@bp.get("/")
def index() -> ResponseReturnValue:
    """The pick station page."""
    return render_template("pick/index.html", **_page_data())


@bp.post("/scan")
def scan() -> ResponseReturnValue:
    """A scan: an order reference (select it) or a unit to pick for the current order."""
    code = form_text("code")
    repeated = first_outcome(service(), form_text("scan_id") or None)
    if repeated is not None:  # the session moved on with the first answer (order shipped)
        return _answer(repeated.ok, repeated.detail, repeated.outcome, replayed=True)
    return _act(lambda: _scan(code), scan=True)


@bp.post("/select")
def select() -> ResponseReturnValue:
    """Pick another open order."""
    return _act(lambda: _select(form_text("order")))


@bp.post("/close-short")
def close_short_() -> ResponseReturnValue:
    """A supervisor lets the current order ship short (with a reason)."""

    def run() -> tuple[str, str]:
        current = _need_current()
        view = close_short(service(), current.reference, actor=actor(),
                           reason=form_text("reason"), station=station_name())  # fmt: skip
        return "closed-short", f"Order {view.reference} closed short: ship what is picked."

    return _act(run)


@bp.post("/ship")
def ship() -> ResponseReturnValue:
    """Ship the current order (complete, or closed short)."""

    def run() -> tuple[str, str]:
        current = _need_current()
        sent = ship_order(service(), current.reference, actor=actor(), station=station_name(),
                          shipment=form_text("shipment") or None)  # fmt: skip
        session.pop(CURRENT, None)
        return "shipped", (f"Order {current.reference} shipped on {sent.shipment}: "
                           f"{', '.join(sent.roots)} ({sent.count} items).")  # fmt: skip

    return _act(run)


def _need_current() -> OrderView:
    current = _current()
    if current is None:
        raise InvalidInput("no-order", "Scan an order's reference first.")
    return current
