"""The OpenAPI 3.1 document, generated from the route registry (public, no token)."""

from __future__ import annotations

import copy
from functools import cache
from typing import Any

from labelsvc import __version__
from labelsvc.domain.actors import PERMISSIONS
from labelsvc.web.api.registry import (
    PREFIX,
    ROUTES,
    Call,
    Reply,
    Route,
    document,
    json_ok,
    route,
)
from labelsvc.web.api.schemas import PROBLEM, obj
from labelsvc.web.api.validation import Schema
from labelsvc.web.problems import TITLES

DESCRIPTION = """\
The labelsvc API for warehouse management systems: serials, labels, print jobs, receiving,
packing and trace. Authenticate with `Authorization: Bearer <token>` (create tokens with
`labelsvc tokens create NAME --scope ...`). Every POST honours `Idempotency-Key`: a retry
with the same key gets the first response and changes nothing again. Errors are
`application/problem+json` (RFC 9457) with a stable `type` per `code`. Lists page with
`?after=<next>&limit=N`.

Which token scopes grant each permission an operation names (`admin` grants all):

| permission | scopes |
|---|---|
"""


def _scope_table() -> str:
    """The permission table from the one place that defines it (``domain.actors``)."""
    rows = [
        f"| {name} | {', '.join(sorted(scopes | {'admin'}))} |"
        for name, (_, scopes) in PERMISSIONS.items()
    ]
    return DESCRIPTION + "\n".join(rows) + "\n"


document(
    Route(
        method="GET",
        path="/health",
        summary="Is the service up and its database reachable",
        tag="service",
        handler=None,
        operation_id="service.health",
        public=True,
        responses=json_ok(
            obj(
                {
                    "status": {"type": "string"},
                    "version": {"type": "string"},
                    "pools": {"type": "integer"},
                }
            )
        ),
    )
)


@route("GET", "/openapi.json", summary="This document", tag="service", public=True,
       responses=json_ok({"type": "object"}))  # fmt: skip
def openapi_document(call: Call) -> Reply:
    """Served without a token so clients and tools can discover the API."""
    return Reply(build())


def _parameters(r: Route) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = [
        {"name": name, "in": "path", "required": True, "schema": r.params[name]}
        for name in r.path_names
    ]
    found += [{"name": name, "in": "query", "required": name in r.query_required,
               "schema": schema} for name, schema in r.query.items()]  # fmt: skip
    if r.method == "POST" and not r.public:
        found.append({
            "name": "Idempotency-Key", "in": "header", "required": False,
            "description": "Retry-safe key: the same key returns the first response.",
            "schema": {"type": "string", "minLength": 1, "maxLength": 255,
                       "pattern": "^[!-~]+$"},
        })  # fmt: skip
    return found


def _operation(r: Route) -> dict[str, Any]:
    responses: dict[str, Any] = {}
    for status, content in r.responses.items():
        responses[str(status)] = {
            "description": TITLES.get(status, "OK") if status >= 400 else "Success",
            "content": {media: {"schema": schema} for media, schema in content.items()},
        }
        if r.response_headers and status < 400:
            responses[str(status)]["headers"] = {
                name: {"description": text, "schema": {"type": "string"}}
                for name, text in r.response_headers.items()
            }
    problem_ref = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for status in r.error_statuses():
        responses[str(status)] = {
            "description": TITLES.get(status, "Error"),
            "content": problem_ref,
        }
    responses["default"] = {"description": "Any other failure", "content": problem_ref}
    op: dict[str, Any] = {
        "operationId": r.operation_id,
        "summary": r.summary,
        "tags": [r.tag],
        "parameters": _parameters(r),
        "responses": responses,
    }
    description = r.description
    if r.permission:
        description = (description + "\n\n" if description else "") + (
            f"Needs permission `{r.permission}` (see the scope table above)."
        )
    if description:
        op["description"] = description
    if r.public:
        op["security"] = []
    if r.body is not None:
        required = bool(r.body.get("required"))
        op["requestBody"] = {"required": required,
                             "content": {"application/json": {"schema": r.body}}}  # fmt: skip
    return op


@cache
def build() -> dict[str, Any]:
    """The whole document (built once; the registry does not change at run time)."""
    paths: dict[str, dict[str, Any]] = {}
    for r in ROUTES:
        paths.setdefault(PREFIX + r.path, {})[r.method.lower()] = _operation(r)
    problem: Schema = copy.deepcopy(PROBLEM)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "labelsvc WMS API",
            "version": __version__,
            "description": _scope_table(),
        },
        "paths": paths,
        "components": {
            "schemas": {"Problem": problem},
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{"bearer": []}],
    }
