"""``/admin/webhooks``: partner subscriptions (admins only), the secret shown once at
creation, pause and resume, deliveries with their last error, and redelivery on demand."""

from __future__ import annotations

from flask import render_template, request
from flask.typing import ResponseReturnValue

from labelsvc.domain.topics import ALL_TOPICS
from labelsvc.domain.webhooks import DeliveryState, SubscriptionKind
from labelsvc.services import webhooks as hooks
from labelsvc.web.context import service
from labelsvc.web.ui.admin.blueprint import bp
from labelsvc.web.ui.admin.catalog import _back
from labelsvc.web.ui.common import actor, form_text, shows_errors


def _page(secret: tuple[str, str] | None = None) -> ResponseReturnValue:
    found = hooks.list_subscriptions(service(), actor=actor())
    return render_template(
        "admin/webhooks.html", subscriptions=found, secret=secret, topics=sorted(ALL_TOPICS),
        kinds=list(SubscriptionKind), states=list(DeliveryState), done=request.args.get("done"),
    )  # fmt: skip


@bp.get("/webhooks")
@shows_errors
def webhooks() -> ResponseReturnValue:
    """Subscriptions with their delivery counts."""
    return _page()


@bp.post("/webhooks/create")
@shows_errors
def webhook_create() -> ResponseReturnValue:
    """Subscribe an endpoint; its secret is shown this once."""
    made = hooks.create_subscription(
        service(), form_text("name"), form_text("url"), actor=actor(),
        topics=request.form.getlist("topics"), kind=form_text("kind") or SubscriptionKind.WEBHOOK,
    )  # fmt: skip
    return _page(secret=(made.subscription.name, made.secret))


@bp.post("/webhooks/<name>/state")
@shows_errors
def webhook_state(name: str) -> ResponseReturnValue:
    """Pause or resume."""
    active = form_text("action") == "resume"
    hooks.set_active(service(), name, active, actor=actor())
    return _back("ui_admin.webhooks", f"{name} {'resumed' if active else 'paused'}.")


@bp.post("/webhooks/<name>/secret")
@shows_errors
def webhook_rotate(name: str) -> ResponseReturnValue:
    """A new signing secret, shown this once."""
    made = hooks.rotate_secret(service(), name, actor=actor())
    return _page(secret=(made.subscription.name, made.secret))


@bp.post("/webhooks/<name>/remove")
@shows_errors
def webhook_remove(name: str) -> ResponseReturnValue:
    """Remove a subscription and its deliveries."""
    hooks.remove_subscription(service(), name, actor=actor())
    return _back("ui_admin.webhooks", f"{name} removed.")


@bp.get("/webhooks/<name>")
@shows_errors
def webhook_deliveries(name: str) -> ResponseReturnValue:
    """The latest deliveries of one subscription (``?state=dead`` narrows them)."""
    state = request.args.get("state") or None
    app = service()
    sub = hooks.get_subscription(app, name, actor=actor())
    rows = hooks.list_deliveries(app, name, actor=actor(), state=state, limit=200)
    return render_template("admin/webhook_deliveries.html", sub=sub, deliveries=rows,
                           state=state, states=list(DeliveryState),
                           done=request.args.get("done"))  # fmt: skip


@bp.post("/webhooks/<name>/redeliver")
@shows_errors
def webhook_redeliver(name: str) -> ResponseReturnValue:
    """Queue one delivery, or every dead one, again."""
    one = request.form.get("delivery", type=int)
    count = hooks.redeliver(service(), name, actor=actor(), delivery=one, dead=one is None)
    return _back("ui_admin.webhook_deliveries", f"{count} queued again.", name=name)
