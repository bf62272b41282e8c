"""The dashboard, users and API tokens, the print job queue and the audit log."""

from __future__ import annotations

from flask import render_template, request
from flask.typing import ResponseReturnValue

from labelsvc.domain.actors import ROLES, SCOPES
from labelsvc.domain.errors import InvalidInput
from labelsvc.services.audit import AuditFilter, audit_log, audit_names
from labelsvc.services.dashboard import dashboard as measures
from labelsvc.services.dashboard import receipt_accuracy
from labelsvc.services.print_queue import (
    cancel_job,
    confirm_job,
    get_job,
    list_jobs,
    print_missing,
    recent_jobs,
    retry_job,
)
from labelsvc.services.users import (
    add_user,
    change_user,
    create_token,
    revoke_token,
    users_and_tokens,
)
from labelsvc.store.jobs import MISSING
from labelsvc.store.jobs import STATES as JOB_STATES
from labelsvc.web.context import service
from labelsvc.web.ui.admin.blueprint import bp
from labelsvc.web.ui.admin.catalog import _back
from labelsvc.web.ui.charts import bar_chart, line_chart
from labelsvc.web.ui.common import actor, form_text, shows_errors


@bp.get("/")
@shows_errors
def dashboard() -> ResponseReturnValue:
    """The measures of the last day, drawn as charts."""
    hours = min(max(request.args.get("hours", type=int) or 24, 1), 24 * 14)
    data = measures(service(), actor(), hours=hours)
    every = max(1, len(data.labels_per_hour) // 8)
    charts = {
        "per_hour": bar_chart(
            [(h[11:13] + "h", n) for h, n in data.labels_per_hour],
            title=f"Labels printed per hour (last {hours} h, UTC)", unit="labels",
            label_every=every,
        ),
        "per_station": bar_chart(
            list(data.labels_per_station), title="Labels printed per station", unit="labels"
        ),
        "pools": line_chart(
            [(p.pool, [100.0 * used / p.capacity if p.capacity else 0 for _, used in p.points])
             for p in data.pools],
            [h[11:13] + "h" for h, _ in (data.pools[0].points if data.pools else ())],
            title="Pool usage over time (% of capacity)", unit="%", label_every=every,
        ),
        "receipts": bar_chart(
            [(t.reference, receipt_accuracy(t)) for t in reversed(data.receipts)],
            title="Receipt accuracy per ASN", unit="%", max_value=100,
        ),
        "recalls": bar_chart(
            [(at[5:16].replace("T", " "), n) for at, _, _, n in reversed(data.recalls)],
            title="Units held per recall", unit="units",
        ),
    }  # fmt: skip
    return render_template(
        "admin/dashboard.html", data=data, charts=charts, accuracy=receipt_accuracy
    )


# -- users and tokens ---------------------------------------------------------------------
def _users_page(secret: tuple[str, str] | None = None) -> ResponseReturnValue:
    users, tokens = users_and_tokens(service(), actor())
    return render_template(
        "admin/users.html", users=users, tokens=tokens, roles=ROLES, scopes=SCOPES,
        secret=secret, done=request.args.get("done"),
    )  # fmt: skip


@bp.get("/users")
@shows_errors
def users() -> ResponseReturnValue:
    """Users with their roles, and API tokens with their scopes."""
    return _users_page()


@bp.post("/users/add")
@shows_errors
def user_add() -> ResponseReturnValue:
    """Add a user with a role and a first password."""
    name = form_text("name")
    add_user(service().store, name, form_text("role"), request.form.get("password", ""), actor())
    return _back("ui_admin.users", f"User {name} added.")


@bp.post("/users/<name>/change")
@shows_errors
def user_change(name: str) -> ResponseReturnValue:
    """Change a user's role or password, disable or enable them."""
    disabled = {"disable": True, "enable": False}.get(form_text("action"))
    change_user(
        service().store, name, actor(), role=form_text("role") or None,
        password=request.form.get("password") or None, disabled=disabled,
    )  # fmt: skip
    return _back("ui_admin.users", f"User {name} changed.")


@bp.post("/tokens/create")
@shows_errors
def token_create() -> ResponseReturnValue:
    """Create an API token; its secret is shown this once."""
    token = create_token(
        service().store, form_text("name"), request.form.getlist("scopes"), actor()
    )
    return _users_page(secret=(token.name, token.secret))


@bp.post("/tokens/<name>/revoke")
@shows_errors
def token_revoke(name: str) -> ResponseReturnValue:
    """Revoke a token; the client it names is refused from now on."""
    revoke_token(service().store, name, actor())
    return _back("ui_admin.users", f"Token {name} revoked.")


# -- print jobs ---------------------------------------------------------------------------
@bp.get("/jobs")
@shows_errors
def jobs() -> ResponseReturnValue:
    """The print queue: jobs that need someone first, then the newest (refreshed by HTMX)."""
    state = request.args.get("state") or ""
    if state and state not in JOB_STATES:
        raise InvalidInput("form-invalid", f"unknown job state {state!r}.", field="state")
    app, me = service(), actor()
    found = list_jobs(app, me, state=state, limit=200) if state else recent_jobs(app, me)
    attention = [j for s in ("needs-confirmation", "failed", *MISSING)
                 for j in list_jobs(app, me, state=s) if j.resent_as is None]  # fmt: skip
    template = "admin/jobs_table.html" if request.args.get("part") else "admin/jobs.html"
    return render_template(
        template, jobs=found, attention=attention, state=state, states=JOB_STATES
    )


@bp.post("/jobs/<int:job_id>/<action>")
@shows_errors
def job_action(job_id: int, action: str) -> ResponseReturnValue:
    """Retry, cancel, or confirm (printed or not) one job; the row shows its new state."""
    app, me = service(), actor()
    if action == "retry":
        job = retry_job(app, me, job_id)
    elif action == "cancel":
        job = cancel_job(app, me, job_id)
    elif action in ("printed", "not-printed"):
        job = confirm_job(app, me, job_id, printed=action == "printed")
    elif action == "print-missing":
        print_missing(app, me, job_id)
        job = get_job(app, me, job_id)
    else:
        raise InvalidInput("form-invalid", f"unknown job action {action!r}.")
    return render_template("admin/job_row.html", job=job or get_job(app, me, job_id))


# -- audit log ----------------------------------------------------------------------------
@bp.get("/audit")
@shows_errors
def audit() -> ResponseReturnValue:
    """Every recorded event, newest first, filtered by type, actor, subject and time."""
    where = AuditFilter(
        type=request.args.get("type", ""), actor=request.args.get("actor", ""),
        subject=request.args.get("subject", ""), since=request.args.get("since", ""),
        until=request.args.get("until", ""), before_id=request.args.get("before", type=int),
    )  # fmt: skip
    rows, types = audit_log(service(), actor(), where)
    names = audit_names(service(), actor(), rows)
    return render_template("admin/audit.html", rows=rows, types=types, where=where, names=names)
