"""``/api/v1/health``: is the service up, can it read its store, do its background parts
(print workers, WAL checkpoints, housekeeping) run, is there disk left, and which instance
of which store is answering."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue

from labelsvc import __version__
from labelsvc.services.health import check_health
from labelsvc.services.instances import INSTANCE_ID, live_instances
from labelsvc.web.context import service

bp = Blueprint("health", __name__)


@bp.get("/api/v1/health")
def health() -> ResponseReturnValue:
    """Answer without authentication so load balancers and scripts can check the service.

    200 while the store can be read (``status`` is ``degraded`` when a background part or
    the disk has a problem, named in ``checks``); 503 when it cannot.
    """
    app = service()
    found = check_health(app)
    store: dict[str, object] = {"kind": app.store.kind, "location": app.store.describe()}
    instances: list[str] = []
    if found.status != "failing":
        with app.store.read() as tx:
            migrations = tx.site.migrations()
        store["migration"] = migrations[-1] if migrations else None
        instances = [i.id for i in live_instances(app)]
    body = jsonify(
        status=found.status, version=__version__, pools=found.pools, checks=found.checks,
        instance=INSTANCE_ID, store=store, instances=instances,
    )  # fmt: skip
    return body, 503 if found.status == "failing" else 200
