"""The packing station: open a case, scan units, close (label prints); cases onto pallets.

The container being packed is remembered in the session; every answer is an outcome line
(accepted or refused with the reason) plus the refreshed container panel. Scanner-only
work is possible with command codes: OPEN CASE, OPEN PALLET, CLOSE, UNDO.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, Response, make_response, render_template, session
from flask.typing import ResponseReturnValue

from labelsvc.domain.errors import InvalidInput, LabelsvcError
from labelsvc.services.barcodes import code128_png, job_thumbnail
from labelsvc.services.flow_views import ContainerView
from labelsvc.services.labeling import reprint
from labelsvc.services.packing import (
    add_to_container,
    close_container,
    closed_detail,
    get_container,
    list_open_containers,
    open_container,
    opened_detail,
    packed_detail,
    remove_from_container,
    unpack_container,
)
from labelsvc.services.scan_once import ScanRepeated, first_outcome
from labelsvc.web.context import service
from labelsvc.web.ui.common import (
    actor,
    form_text,
    require_login,
    station_name,
    status_of,
)
from labelsvc.web.ui.receiving import station_printer

bp = Blueprint("ui_packing", __name__, url_prefix="/packing")
bp.before_request(require_login)
CURRENT, ADDED, CLOSED = "pack_container", "pack_added", "pack_closed_job"
UNDO_DEPTH = 50


def _current() -> ContainerView | None:
    """The container this session is packing, if it still exists."""
    sscc = session.get(CURRENT)
    if not isinstance(sscc, str):
        return None
    try:
        return get_container(service(), sscc, actor=actor())
    except LabelsvcError:
        session.pop(CURRENT, None)
        return None


def _select(view: ContainerView | None) -> None:
    session[CURRENT] = view.sscc if view else None
    session[ADDED] = []


def _answer(
    ok: bool, detail: str, code: str = "", status: int = 200, *, replayed: bool = False
) -> ResponseReturnValue:
    """One outcome line plus the refreshed container panel (swapped out of band)."""
    html = render_template(
        "packing/answer.html",
        outcome={"ok": ok, "detail": detail, "code": code, "replayed": replayed},
        thumb=session.get(CLOSED) if ok and code == "closed" else None,
        current=_current(), open_here=list_open_containers(
            service(), actor=actor(), station=station_name()),
    )  # fmt: skip
    return make_response(html, status)


def _act(action: Callable[[], tuple[str, str]], *, scan: bool = False) -> ResponseReturnValue:
    """Run an action; its refusal is an outcome (200 for a scan, the error's status else)."""
    try:
        code, detail = action()
    except ScanRepeated as first:  # the answer to this scan was lost: show it again
        if first.outcome == "opened" and first.subject:
            _select(get_container(service(), first.subject, actor=actor()))
        elif first.outcome == "closed":
            _select(None)
        return _answer(first.ok, first.detail, first.outcome, replayed=True)
    except LabelsvcError as error:
        return _answer(False, error.detail, error.code, 200 if scan else status_of(error))
    return _answer(True, detail, code)


@bp.get("/label/<int:job_id>.png")
def label_png(job_id: int) -> ResponseReturnValue:
    """A thumbnail of the label a job printed (shown after a case or pallet closes)."""
    png = job_thumbnail(service(), actor(), job_id)
    return Response(png, mimetype="image/png", headers={"Cache-Control": "max-age=3600"})


@bp.get("/command/<slug>.png")
def command_png(slug: str) -> ResponseReturnValue:
    """A command code (OPEN CASE, CLOSE, ...) as a Code 128 the scanner can read."""
    command = slug.replace("-", " ").upper()
    if command not in COMMANDS:
        return make_response("no such command", 404)
    return Response(code128_png(command), mimetype="image/png",
                    headers={"Cache-Control": "max-age=86400"})  # fmt: skip


@bp.get("/commands")
def commands() -> ResponseReturnValue:
    """A printable sheet of the scanner command codes, to tape beside the station."""
    return render_template("packing/commands.html", commands=list(COMMANDS))


@bp.get("/")
def index() -> ResponseReturnValue:
    """The packing station page."""
    return render_template(
        "packing/index.html", current=_current(),
        open_here=list_open_containers(service(), actor=actor(), station=station_name()),
    )  # fmt: skip


def _open(level: str) -> tuple[str, str]:
    if level not in ("case", "pallet"):
        raise InvalidInput("form-invalid", f"level must be case or pallet, not {level!r}.")
    view = open_container(
        service(), level, actor=actor(), station=station_name(),  # type: ignore[arg-type]
        scan_id=_scan_id(),
    )  # fmt: skip
    _select(view)
    return "opened", opened_detail(view)


def _scan_id() -> str | None:
    """The id the station page gave this scan (None for a button or a typed form)."""
    return form_text("scan_id") or None


def _current_or_shown() -> ContainerView | None:
    """The container this session packs; else the open one the page showed at the scan.

    The page sends the container it showed with every scan, so scans kept through an ended
    session still go into that container after the login (a new session knows none).
    """
    current = _current()
    shown = form_text("container")
    if current is not None or not shown:
        return current
    try:
        view = get_container(service(), shown, actor=actor())
    except LabelsvcError:
        return None
    if view.state != "open":
        return None
    _select(view)
    return view


def _add(code: str) -> tuple[str, str]:
    current = _current_or_shown()
    if current is None or current.state != "open":
        view = get_container(service(), code, actor=actor())
        if view.state != "open":
            raise InvalidInput(
                "no-open-container", "Open a case or pallet first (or scan an open one)."
            )
        _select(view)
        return "selected", f"Working on {view.level} SSCC {view.sscc} ({view.count} in it)."
    entry = form_text("entry") or None
    view = add_to_container(
        service(), current.sscc, code, actor=actor(), station=station_name(), entry=entry,
        scan_id=_scan_id(),
    )  # fmt: skip
    added = [c for c in session.get(ADDED, []) if isinstance(c, str)][-UNDO_DEPTH + 1 :]
    session[ADDED] = [*added, code]
    return "packed", packed_detail(view)


def _close(reason: str | None) -> tuple[str, str]:
    current = _current_or_shown()
    if current is None:
        raise InvalidInput("no-open-container", "Nothing is being packed here.")
    view = close_container(
        service(), current.sscc, actor=actor(), reason=reason, station=station_name(),
        printer=station_printer(), scan_id=_scan_id(),
    )  # fmt: skip
    _select(None)
    session[CLOSED] = view.job_ids[-1] if view.job_ids else None
    return "closed", closed_detail(view)


def _undo() -> tuple[str, str]:
    added = [c for c in session.get(ADDED, []) if isinstance(c, str)]
    if not added:
        raise InvalidInput("nothing-to-undo", "No scan of this container to undo.")
    code = added.pop()
    view = remove_from_container(
        service(), code, actor=actor(), station=station_name(), reason="undo last scan"
    )
    session[ADDED] = added
    return "undone", f"Took the last scan out again: {view.count} left in SSCC {view.sscc}."


COMMANDS: dict[str, Callable[[], tuple[str, str]]] = {
    "OPEN CASE": lambda: _open("case"),
    "OPEN PALLET": lambda: _open("pallet"),
    "CLOSE": lambda: _close(None),
    "UNDO": _undo,
}


@bp.post("/scan")
def scan() -> ResponseReturnValue:
    """A scan: a command code, or the unit/case to put into the current container."""
    code = form_text("code")
    command = COMMANDS.get(code.upper())
    repeated = first_outcome(service(), _scan_id())
    if repeated is not None:
        return _act(lambda: _raise(repeated), scan=True)
    return _act(command or (lambda: _add(code)), scan=True)


def _raise(error: Exception) -> tuple[str, str]:
    raise error


@bp.post("/open/<level>")
def open_(level: str) -> ResponseReturnValue:
    """Open a new case or pallet and pack into it."""
    return _act(lambda: _open(level))


@bp.post("/select")
def select() -> ResponseReturnValue:
    """Continue packing an open container of this station."""

    def choose() -> tuple[str, str]:
        view = get_container(service(), form_text("container"), actor=actor())
        _select(view)
        return "selected", f"Working on {view.level} SSCC {view.sscc} ({view.count} in it)."

    return _act(choose)


@bp.post("/close")
def close() -> ResponseReturnValue:
    """Close the current container (early needs a reason); its SSCC label prints."""
    return _act(lambda: _close(form_text("reason") or None))


@bp.post("/undo")
def undo() -> ResponseReturnValue:
    """Take the last scanned item out of the current container again."""
    return _act(_undo)


@bp.post("/unpack")
def unpack() -> ResponseReturnValue:
    """Empty a container (a closed one needs a supervisor)."""

    def run() -> tuple[str, str]:
        out = unpack_container(
            service(), form_text("container"), actor=actor(), reason=form_text("reason"),
            station=station_name(),
        )  # fmt: skip
        return "unpacked", f"Unpacked {len(out)} items."

    return _act(run)


@bp.post("/reprint")
def reprint_label() -> ResponseReturnValue:
    """Print a label again (supervisors; the service refuses anyone else)."""

    def run() -> tuple[str, str]:
        done = reprint(
            service(), form_text("code"), reason=form_text("reason"), actor=actor(),
            printer=station_printer(), station=station_name(),
        )  # fmt: skip
        return "reprinted", f"Reprint queued (job #{done.job_ids[0]})."

    return _act(run)
