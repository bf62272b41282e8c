"""Who acts, and what each role or token scope may do.

Every use case takes an :class:`Actor` and calls :func:`require` itself, so that no surface
(CLI, API, page) can forget a permission check.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from labelsvc.domain.errors import Forbidden

Role = Literal["operator", "supervisor", "admin"]
ROLES: tuple[Role, ...] = ("operator", "supervisor", "admin")
SCOPES: tuple[str, ...] = ("read", "label", "pack", "receive", "lease", "admin")

# permission -> (least human role, API scopes that grant it; "admin" grants everything)
PERMISSIONS: dict[str, tuple[Role, frozenset[str]]] = {
    "read": ("operator", frozenset({"read", "label", "pack", "receive", "lease"})),
    "label": ("operator", frozenset({"label"})),
    "receive": ("operator", frozenset({"receive"})),
    "pack": ("operator", frozenset({"pack"})),
    "ship": ("operator", frozenset({"pack"})),
    "quarantine": ("operator", frozenset()),
    "move": ("operator", frozenset({"receive", "pack"})),
    "count": ("operator", frozenset({"receive", "pack"})),
    "touchpoint": ("operator", frozenset({"receive", "pack"})),
    "jobs": ("operator", frozenset({"label"})),
    "reprint": ("supervisor", frozenset({"label"})),
    "void": ("supervisor", frozenset({"label"})),
    "release": ("supervisor", frozenset()),
    "recall": ("supervisor", frozenset()),  # operators may hold (quarantine), not recall
    "override": ("supervisor", frozenset({"receive", "pack"})),
    "confirm-job": ("supervisor", frozenset({"label"})),
    "manage": ("admin", frozenset()),
    "capture": ("supervisor", frozenset({"receive"})),  # EPCIS capture: a supplier's ASN
    "lease": ("admin", frozenset({"lease"})),  # a site asks its authority, reports, returns
}


@dataclass(frozen=True)
class Actor:
    """A person logged in with a role, or an API client acting through a token."""

    name: str
    kind: Literal["user", "client", "system"] = "user"
    role: Role | None = None
    scopes: frozenset[str] = field(default_factory=frozenset)
    station: str | None = None

    @property
    def label(self) -> str:
        """How the actor appears in events: ``user:anna`` or ``client:wms``."""
        return f"{self.kind}:{self.name}"

    def may(self, permission: str) -> bool:
        """True when this actor's role or scopes grant ``permission``."""
        least_role, scopes = PERMISSIONS[permission]
        if self.kind == "system":
            return True
        if self.kind == "client":
            return "admin" in self.scopes or bool(scopes & self.scopes)
        if self.role is None:
            return False
        return ROLES.index(self.role) >= ROLES.index(least_role)


SYSTEM = Actor(name="labelsvc", kind="system")


def require(actor: Actor, permission: str) -> None:
    """Raise :class:`Forbidden` unless ``actor`` may do ``permission``."""
    if permission not in PERMISSIONS:
        raise KeyError(f"unknown permission {permission!r}")
    if not actor.may(permission):
        least_role, scopes = PERMISSIONS[permission]
        need = f"the {least_role} role" if actor.kind == "user" else _scope_text(scopes)
        raise Forbidden(
            "forbidden",
            f"{actor.label} may not {permission}: this needs {need}.",
            permission=permission,
        )


def _scope_text(scopes: frozenset[str]) -> str:
    names = sorted(scopes | {"admin"})
    return "a token with scope " + " or ".join(names)
