"""``/api/v1/health``: is the service up, can it reach its store, and which instance is this."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue

from labelsvc import __version__
from labelsvc.services.instances import INSTANCE_ID, live_instances
from labelsvc.web.context import service

bp = Blueprint("health", __name__)


@bp.get("/api/v1/health")
def health() -> ResponseReturnValue:
    """Answer without authentication so load balancers and scripts can check the service."""
    app = service()
    with app.store.read() as tx:
        pools = len(tx.pools.all())
        migrations = tx.site.migrations()
    return jsonify(
        status="ok", version=__version__, pools=pools, instance=INSTANCE_ID,
        store={"kind": app.store.kind, "location": app.store.describe(),
               "migration": migrations[-1] if migrations else None},
        instances=[i.id for i in live_instances(app)],
    )  # fmt: skip
