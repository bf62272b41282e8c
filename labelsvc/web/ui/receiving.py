"""The receiving station: pick the ASN/PO, scan what arrives, label untagged units, close."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from labelsvc.domain.errors import InvalidInput, LabelsvcError
from labelsvc.domain.receipts import DISCREPANT
from labelsvc.services.asn_capture import receive_station_scan
from labelsvc.services.print_queue import get_job
from labelsvc.services.receipt_files import parse_receipt_text
from labelsvc.services.receiving import (
    ScanResult,
    close_receipt,
    get_receipt,
    list_receipts,
    load_receipt,
    receipt_report,
    receive_untagged,
)
from labelsvc.services.stations import get_station
from labelsvc.store.jobs import DONE, MISSING
from labelsvc.web.context import service
from labelsvc.web.ui.common import (
    actor,
    form_int,
    form_text,
    is_htmx,
    require_login,
    shows_errors,
    station_name,
)

bp = Blueprint("ui_receiving", __name__, url_prefix="/receiving")
bp.before_request(require_login)
MAX_PROGRESS_JOBS = 200
MAX_UPLOAD_BYTES = 5 * 1024 * 1024


def station_printer() -> str | None:
    """The printer of this workstation's station profile (None: the default printer)."""
    name = station_name()
    found = get_station(service(), name) if name else None
    return found.printer if found else None


@bp.get("/")
@shows_errors
def index() -> ResponseReturnValue:
    """Open receipts; scan or type a reference to start."""
    wanted = request.args.get("reference", "").strip()
    if wanted:
        return redirect(url_for("ui_receiving.receipt", reference=wanted))
    found = list_receipts(service(), actor=actor(), state="open")
    return render_template("receiving/index.html", receipts=found)


@bp.post("/upload")
@shows_errors
def upload() -> ResponseReturnValue:
    """Load an ASN or PO file (CSV or JSON, as the CLI takes) and open its station page."""
    sent = request.files.get("file")
    if sent is None or not sent.filename:
        raise InvalidInput("receipt-invalid", "Choose an ASN or PO file (.csv or .json).")
    data = sent.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise InvalidInput("receipt-invalid", f"{sent.filename}: larger than 5 MB; split it.")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput("receipt-invalid", f"{sent.filename}: not UTF-8 text.") from None
    spec = parse_receipt_text(text, sent.filename)
    view = load_receipt(service(), spec, actor=actor())
    return redirect(url_for("ui_receiving.receipt", reference=view.reference))


@bp.get("/<reference>")
@shows_errors
def receipt(reference: str) -> ResponseReturnValue:
    """The station page of one receipt: line cards, the scan box, discrepancies."""
    app, me = service(), actor()
    view = get_receipt(app, reference, actor=me)
    report = receipt_report(app, reference, actor=me)
    return render_template(
        "receiving/receipt.html", receipt=view, report=report, printer=station_printer()
    )


@bp.post("/<reference>/scan")
def scan(reference: str) -> ResponseReturnValue:
    """One scan: the outcome (accepted or refused, with the reason) and the updated counts.

    A refused scan is an outcome, so it answers 200 with the reason, never an HTTP error.
    """
    app, me = service(), actor()
    code = request.form.get("code", "")
    result: ScanResult | None = None
    try:
        result = receive_station_scan(app, reference, code, actor=me, station=station_name(),
                                      scan_id=form_text("scan_id") or None)  # fmt: skip
        kind = "reject" if not result.accepted else "warn" if result.code in DISCREPANT else "ok"
        outcome = {"ok": result.accepted, "kind": kind, "code": result.code,
                   "detail": result.detail, "replayed": result.replayed}  # fmt: skip
    except LabelsvcError as error:
        outcome = {"ok": False, "kind": "reject", "code": error.code, "detail": error.detail}
    if not is_htmx():
        return redirect(url_for("ui_receiving.receipt", reference=reference))
    view = get_receipt(app, reference, actor=me)
    return render_template(
        "receiving/scan_outcome.html", outcome=outcome, scanned=code, result=result,
        receipt=view, report=receipt_report(app, reference, actor=me),
    )  # fmt: skip


@bp.post("/<reference>/label")
@shows_errors
def label(reference: str) -> ResponseReturnValue:
    """Serialize N untagged units of a line: serials, labels queued, a progress bar."""
    app, me = service(), actor()
    line_no, count = form_int("line"), form_int("count")
    if not line_no or not count or count < 1:
        raise InvalidInput("form-invalid", "Say which line and how many units (1 or more).")
    done = receive_untagged(
        app, reference, line_no, count, actor=me, station=station_name(),
        printer=station_printer(),
    )  # fmt: skip
    view = get_receipt(app, reference, actor=me)
    return render_template(
        "receiving/labeled.html", done=done, receipt=view, jobs=_progress(list(done.job_ids)),
        report=receipt_report(app, reference, actor=me),
    )  # fmt: skip


def _progress(job_ids: list[int]) -> dict[str, object]:
    """Labels sent out of the batch, and whether anything needs a person."""
    app, me = service(), actor()
    jobs = [get_job(app, me, i) for i in job_ids[:MAX_PROGRESS_JOBS]]
    total = sum(j.label_count for j in jobs)
    sent = sum(j.label_count for j in jobs if j.state in DONE)
    sent += sum(j.printed_labels or 0 for j in jobs if j.state in MISSING)
    stuck = [j for j in jobs if j.state in ("held", "failed", "needs-confirmation", *MISSING)]
    finished = all(j.state in (*DONE, "cancelled") for j in jobs)
    return {
        "ids": ",".join(str(i) for i in job_ids), "total": total, "sent": sent,
        "stuck": stuck, "finished": finished,
    }  # fmt: skip


@bp.get("/progress")
@shows_errors
def progress() -> ResponseReturnValue:
    """The progress bar of a label batch (polled until every job is sent)."""
    ids = [int(i) for i in request.args.get("jobs", "").split(",") if i.strip().isdigit()]
    return render_template("receiving/progress.html", jobs=_progress(ids))


@bp.post("/<reference>/close")
@shows_errors
def close(reference: str) -> ResponseReturnValue:
    """Close the receipt; with discrepancies a supervisor must give a reason."""
    view = close_receipt(service(), reference, actor=actor(), reason=form_text("reason") or None)
    return render_template("receiving/closed.html", receipt=view)
