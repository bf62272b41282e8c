"""Bearer tokens: every API request but health and the OpenAPI document names its client."""

from __future__ import annotations

from flask import Request

from labelsvc.domain.actors import Actor
from labelsvc.domain.errors import Unauthorized
from labelsvc.services.app import App
from labelsvc.services.users import authenticate_token

HOW = (
    "Send 'Authorization: Bearer <token>'; an admin creates one with "
    "'labelsvc tokens create NAME --scope read'."
)


def bearer_token(request: Request) -> str:
    """The token of the ``Authorization`` header; Unauthorized without one."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if not header:
        raise Unauthorized("token-missing", f"This request needs an API token. {HOW}")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized(
            "token-missing", f"The Authorization header is not a bearer token. {HOW}"
        )
    return token.strip()


def authenticate(app: App, request: Request) -> Actor:
    """The client acting through the request's token (its events read ``client:NAME``)."""
    return authenticate_token(app.store, bearer_token(request))
