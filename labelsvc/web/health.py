"""``/api/v1/health``: is the service up, can it read its store, do its background parts
(print workers, WAL checkpoints, housekeeping) run, is there disk left, and which instance
of which store is answering."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue

from labelsvc import __version__
from labelsvc.services.health import check_health
from labelsvc.services.instances import INSTANCE_ID
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
    store = {"kind": app.store.kind, "location": app.store.describe(),
             "migration": found.migration}  # fmt: skip
    body = jsonify(
        status=found.status, version=__version__, pools=found.pools, checks=found.checks,
        instance=INSTANCE_ID, store=store, instances=found.instances,
    )  # fmt: skip
    return body, 503 if found.status == "failing" else 200
