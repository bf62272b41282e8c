"""``/admin/supply``: at a site, the blocks leased from its authority (pool, lease, count,
available, state, expiry), the link, and the latest requests with their refusals."""

from __future__ import annotations

from flask import render_template
from flask.typing import ResponseReturnValue

from labelsvc.services.lease_returns import lease_status
from labelsvc.web.context import service
from labelsvc.web.ui.admin.blueprint import bp
from labelsvc.web.ui.common import actor, shows_errors


@bp.get("/supply")
@shows_errors
def supply() -> ResponseReturnValue:
    """What this site holds from its authority."""
    return render_template("admin/supply.html", status=lease_status(service(), actor=actor()))
