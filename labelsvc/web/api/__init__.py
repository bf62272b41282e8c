"""The WMS HTTP API under ``/api/v1``: one blueprint, one module per resource.

Every route is declared in :mod:`labelsvc.web.api.registry`; this module turns the
declarations into Flask rules and makes every failure under ``/api/`` a problem response:
core errors, unknown paths (404), wrong methods (405), big bodies (413), wrong media types
(415) and unexpected exceptions (500).
"""

from __future__ import annotations

import importlib
import logging

from flask import Blueprint, Response, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.exceptions import NotFound as RouteNotFound
from werkzeug.routing import Map, Rule

from labelsvc.domain.errors import LabelsvcError
from labelsvc.web.api.registry import ROUTES, view_for
from labelsvc.web.api.validation import BodyTooLarge, UnsupportedMediaType
from labelsvc.web.problems import problem, problem_for

log = logging.getLogger(__name__)
RESOURCES = (
    "openapi", "products", "pools", "labels", "jobs", "printers", "receipts", "containers",
    "serials", "shipments", "lots", "exports", "webhooks", "orders", "returns",
    "flow_metrics", "locations", "touchpoints", "epcis_rest", "identity", "lease_reports",
    "sites", "leases", "supply",
)  # fmt: skip
HTTP_CODES = {
    400: "bad-request",
    404: "not-found",
    405: "method-not-allowed",
    413: "body-too-large",
    415: "unsupported-media-type",
}

bp = Blueprint("api", __name__)
for _name in RESOURCES:
    importlib.import_module(f"labelsvc.web.api.{_name}")
for _route in ROUTES:
    if _route.handler is not None:
        bp.add_url_rule(
            _route.flask_rule,
            endpoint=_route.operation_id.replace(".", "_"),
            view_func=view_for(_route),
            methods=[_route.method],
        )
_KNOWN = Map([Rule(r.flask_rule, methods=[r.method]) for r in ROUTES])


@bp.route("/api/", defaults={"rest": ""}, methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
@bp.route("/api/<path:rest>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def unknown(rest: str) -> Response:
    """Paths and methods no route serves: 404 or 405 as a problem, never an HTML page."""
    try:
        _KNOWN.bind("api").match(request.path, method=request.method)
    except MethodNotAllowed as exc:
        allowed = sorted(set(exc.valid_methods or []) - {"HEAD", "OPTIONS"})
        response = problem(
            405, "method-not-allowed",
            f"{request.method} is not allowed on {request.path}; use {', '.join(allowed)}.",
        )  # fmt: skip
        response.headers["Allow"] = ", ".join(allowed)
        return response
    except RouteNotFound:
        pass
    return problem(
        404, "not-found",
        f"There is no API resource at {request.path}; see /api/v1/openapi.json.",
    )  # fmt: skip


def _core_error(exc: LabelsvcError) -> Response:
    if isinstance(exc, BodyTooLarge):
        return problem(413, exc.code, exc.detail, **exc.fields)
    if isinstance(exc, UnsupportedMediaType):
        return problem(415, exc.code, exc.detail, **exc.fields)
    response = problem_for(exc)
    if exc.code == "disk-full":
        response.headers["Retry-After"] = "30"
    return response


def _http_error(exc: HTTPException) -> Response:
    status = exc.code or 500
    detail = exc.description or exc.name
    if status == 413:
        detail = "The request body is too large; send fewer records per request."
    response = problem(status, HTTP_CODES.get(status, f"http-{status}"), detail)
    if isinstance(exc, MethodNotAllowed) and exc.valid_methods:
        response.headers["Allow"] = ", ".join(exc.valid_methods)
    return response


def _unexpected(exc: Exception) -> Response:
    if isinstance(exc, LabelsvcError):
        return _core_error(exc)
    if isinstance(exc, HTTPException):
        return _http_error(exc)
    log.exception("unexpected error in %s %s", request.method, request.path)
    return problem(
        500, "internal-error",
        "The service failed unexpectedly; the error is in its log. Retrying with the same "
        "Idempotency-Key is safe.",
    )  # fmt: skip


bp.register_error_handler(Exception, _unexpected)
