"""The route registry: each API route is declared once, with its schemas, and from that
declaration both the Flask view and its OpenAPI operation are made, so they cannot drift.

A handler takes a :class:`Call` (the acting client, the validated body and query) plus the
path parameters, calls one use case and returns a :class:`Reply` (JSON) or a ready
:class:`flask.Response` (binary). Authentication, validation, idempotency and problem
responses happen here, the same way for every route.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Response, g, request
from flask.typing import ResponseReturnValue

from labelsvc.domain.actors import Actor
from labelsvc.domain.errors import InvalidInput, LabelsvcError
from labelsvc.services.app import App
from labelsvc.web.api import idempotency
from labelsvc.web.api.auth import authenticate
from labelsvc.web.api.validation import Schema, check, read_body, read_query
from labelsvc.web.context import rate_limiter, service
from labelsvc.web.problems import problem_for

PREFIX = "/api/v1"
BODY_METHODS = ("POST", "PUT")
NO_BODY: Schema = {"type": "object", "properties": {}, "additionalProperties": False}
_PARAM = re.compile(r"\{([a-z_]+)\}")
ANONYMOUS = Actor(name="anonymous", kind="client")  # no scopes: may do nothing


@dataclass(frozen=True)
class Call:
    """One authenticated, validated request as a handler sees it."""

    app: App
    actor: Actor
    body: dict[str, Any]
    query: dict[str, Any]
    key: str | None = None

    @property
    def service_key(self) -> str | None:
        """The idempotency key as passed to use cases: scoped to the client."""
        return f"{self.actor.label}:{self.key}" if self.key else None


@dataclass(frozen=True)
class Reply:
    """A JSON answer."""

    body: Any
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[..., "Reply | Response"]


@dataclass(frozen=True)
class Route:
    """One operation: what it takes, what it answers, and the function behind it."""

    method: str
    path: str
    summary: str
    tag: str
    handler: Handler | None
    operation_id: str
    body: Schema | None = None
    query: dict[str, Schema] = field(default_factory=dict)
    query_required: tuple[str, ...] = ()
    params: dict[str, Schema] = field(default_factory=dict)
    responses: dict[int, dict[str, Schema]] = field(default_factory=dict)
    response_headers: dict[str, str] = field(default_factory=dict)  # name -> description
    errors: tuple[int, ...] = ()
    public: bool = False
    permission: str | None = None
    description: str = ""

    @property
    def flask_rule(self) -> str:
        """The Flask URL rule: ``{job_id}`` becomes ``<int:job_id>`` for integer params."""

        def convert(m: re.Match[str]) -> str:
            name = m.group(1)
            kind = self.params.get(name, {}).get("type")
            return f"<int:{name}>" if kind == "integer" else f"<{name}>"

        return PREFIX + _PARAM.sub(convert, self.path)

    @property
    def path_names(self) -> list[str]:
        """Names of the path parameters, in order."""
        return _PARAM.findall(self.path)

    def error_statuses(self) -> list[int]:
        """The problem statuses this operation can answer with."""
        found = {400} if (self.body is not None or self.query or self.params) else set()
        if not self.public:
            found |= {401, 403}
        if self.params:
            found.add(404)
        if self.method in BODY_METHODS:
            found |= {413, 415}
        return sorted(found | set(self.errors))


ROUTES: list[Route] = []
STRING_PARAM: Schema = {"type": "string", "minLength": 1, "maxLength": 200}


def json_ok(schema: Schema, status: int = 200) -> dict[int, dict[str, Schema]]:
    """A JSON success response."""
    return {status: {"application/json": schema}}


def route(
    method: str,
    path: str,
    *,
    summary: str,
    tag: str,
    responses: dict[int, dict[str, Schema]],
    body: Schema | None = None,
    query: dict[str, Schema] | None = None,
    query_required: tuple[str, ...] = (),
    params: dict[str, Schema] | None = None,
    errors: tuple[int, ...] = (),
    public: bool = False,
    permission: str | None = None,
    description: str = "",
    response_headers: dict[str, str] | None = None,
) -> Callable[[Handler], Handler]:
    """Declare an operation and register its handler."""

    def register(handler: Handler) -> Handler:
        names = _PARAM.findall(path)
        declared = {name: (params or {}).get(name, STRING_PARAM) for name in names}
        ROUTES.append(
            Route(
                method=method,
                path=path,
                summary=summary,
                tag=tag,
                handler=handler,
                operation_id=f"{tag}.{handler.__name__}",
                body=(body or NO_BODY) if method in BODY_METHODS else None,
                query=query or {},
                query_required=query_required,
                params=declared,
                responses=responses,
                response_headers=response_headers or {},
                errors=errors,
                public=public,
                permission=permission,
                description=description,
            )
        )
        return handler

    return register


def document(route_: Route) -> None:
    """Declare an operation served by another blueprint (documented, not registered here)."""
    ROUTES.append(route_)


BY_QUERY = "-"


def _params_by_query(params: dict[str, Any], args: dict[str, list[str]]) -> dict[str, Any]:
    """Path parameters given as ``-`` with the value in the query (``?reference=PO/17``).

    A value with ``/`` can never be a path segment, not even as ``%2F`` (the server decodes
    the path before routing), so every ``{name}`` also accepts ``-`` and ``?name=VALUE``.
    The query value is taken out of ``args``.
    """
    found: dict[str, Any] = {}
    for name, value in params.items():
        if value == BY_QUERY and name in args:
            values = args.pop(name)
            if len(values) != 1:
                raise InvalidInput(
                    "query-repeated", f"Give the query parameter '{name}' once.", field=name
                )
            found[name] = values[0]
    return found


def view_for(route_: Route) -> Callable[..., ResponseReturnValue]:
    """The Flask view of a route: authenticate, validate, run idempotently, serialise."""
    assert route_.handler is not None
    handler = route_.handler

    def view(**params: Any) -> ResponseReturnValue:
        app = service()
        actor = ANONYMOUS if route_.public else authenticate(app, request)
        if not route_.public:
            rate_limiter().take(actor.label)
        g.api_actor = actor  # for the request log
        args = request.args.to_dict(flat=False)
        by_query = _params_by_query(params, args)
        params = {**params, **by_query}
        for name, value in params.items():
            check(value, route_.params[name], name)
        query = read_query(args, route_.query, route_.query_required)
        body: dict[str, Any] = {}
        if route_.body is not None:
            body = read_body(request, route_.body, app.settings.server.max_body_bytes)
        key = request.headers.get(idempotency.HEADER) if route_.method == "POST" else None
        call = Call(app=app, actor=actor, body=body, query=query, key=key)
        if key is None or route_.public:
            return _respond(handler, call, params)
        fingerprint = idempotency.request_hash(
            route_.method, request.path, {**query, **{f"path:{k}": v for k, v in by_query.items()}},
            body,
        )  # fmt: skip
        guard = idempotency.Idempotent(app, actor.label, key, fingerprint)
        replay = guard.begin()
        if replay is not None:
            return replay
        try:
            response = _respond(handler, call, params)
        except LabelsvcError as exc:
            response = problem_for(exc)
        except BaseException:
            guard.abandon()
            raise
        guard.finish(response)
        return response

    view.__name__ = route_.operation_id.replace(".", "_")
    view.__doc__ = route_.summary
    return view


def _respond(handler: Handler, call: Call, params: dict[str, Any]) -> Response:
    result = handler(call, **params)
    if isinstance(result, Response):
        return result
    response = Response(
        json.dumps(result.body, ensure_ascii=False, separators=(",", ":")),
        status=result.status,
        mimetype="application/json",
    )
    for name, value in result.headers.items():
        response.headers[name] = value
    return response
