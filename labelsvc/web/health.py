"""``/api/v1/health``: is the service up and can it reach its database."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue

from labelsvc import __version__
from labelsvc.web.context import service

bp = Blueprint("health", __name__)


@bp.get("/api/v1/health")
def health() -> ResponseReturnValue:
    """Answer without authentication so load balancers and scripts can check the service."""
    with service().store.read() as tx:
        pools = len(tx.pools.all())
    return jsonify(status="ok", version=__version__, pools=pools)
