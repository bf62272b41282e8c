"""One error body for the whole API: RFC 9457 ``application/problem+json``."""

from __future__ import annotations

from typing import Any

from flask import Response, json

from labelsvc.domain.errors import LabelsvcError

PROBLEM_BASE = "https://labelsvc.dev/problems/"
STATUS = {
    "invalid": 400,
    "unauthorized": 401,
    "forbidden": 403,
    "not-found": 404,
    "conflict": 409,
    "unavailable": 503,
    "too-many": 429,
}
TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Request too large",
    415: "Unsupported media type",
    422: "Unprocessable request",
    429: "Too many requests",
    500: "Internal error",
    503: "Service unavailable",
}


def problem(status: int, code: str, detail: str, **fields: Any) -> Response:
    """Build a problem response; ``type`` is stable per ``code``."""
    body = {
        "type": PROBLEM_BASE + code,
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        "code": code,
        **fields,
    }
    response = Response(json.dumps(body), status=status, mimetype="application/problem+json")
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="labelsvc"'
    return response


def problem_for(error: LabelsvcError) -> Response:
    """The problem response for a core error (with ``Retry-After`` when it says when)."""
    response = problem(STATUS[error.kind], error.code, error.detail, **error.fields)
    retry_after = getattr(error, "retry_after", None)
    if retry_after is not None:
        response.headers["Retry-After"] = str(retry_after)
    return response
