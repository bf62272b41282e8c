"""``/admin/leases``: at an authority, lease state per site and pool, the latest leases, and
the reports it refused, with a resolve button for admins."""

from __future__ import annotations

from flask import render_template, request
from flask.typing import ResponseReturnValue

from labelsvc.services import lease_state
from labelsvc.store.clock import now
from labelsvc.web.context import service
from labelsvc.web.ui.admin.blueprint import bp
from labelsvc.web.ui.admin.catalog import _back
from labelsvc.web.ui.common import actor, form_text, shows_errors


@bp.get("/leases")
@shows_errors
def leases() -> ResponseReturnValue:
    """Lease state per site and pool, the newest leases and the open discrepancies."""
    store, who = service().store, actor()
    return render_template(
        "admin/leases.html", summary=lease_state.lease_summary(store, actor=who),
        leases=lease_state.latest_leases(store, actor=who),
        discrepancies=lease_state.list_discrepancies(store, actor=who),
        may_resolve=who.may("manage"), at=now(), done=request.args.get("done"),
    )  # fmt: skip


@bp.post("/leases/discrepancies/<int:discrepancy_id>/resolve")
@shows_errors
def lease_discrepancy_resolve(discrepancy_id: int) -> ResponseReturnValue:
    """Mark a discrepancy looked into."""
    done = lease_state.resolve_discrepancy(service().store, discrepancy_id, actor=actor(),
                                           note=form_text("note"))  # fmt: skip
    return _back("ui_admin.leases", f"Discrepancy {done.id} ({done.value}) resolved.")
