"""The one exception hierarchy of the core.

Every error carries a stable ``code`` (it becomes the problem ``type`` in the API), a
``kind`` that the web layer maps to an HTTP status, a human ``detail`` that an operator can
act on, and optional ``fields`` a client needs (for example ``remaining`` for a pool).
Only ``labelsvc.web`` knows HTTP statuses.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

Kind = Literal[
    "invalid", "not-found", "conflict", "forbidden", "unauthorized", "unavailable", "too-many"
]


class LabelsvcError(Exception):
    """Base of every error the core raises on purpose."""

    kind: ClassVar[Kind] = "invalid"

    def __init__(self, code: str, detail: str, **fields: Any) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail
        self.fields = fields

    def __str__(self) -> str:
        return self.detail


class InvalidInput(LabelsvcError):
    """The request itself is wrong: a bad check digit, an unknown field, a bad value."""

    kind: ClassVar[Kind] = "invalid"


class NotFound(LabelsvcError):
    """The thing named does not exist."""

    kind: ClassVar[Kind] = "not-found"


class Conflict(LabelsvcError):
    """The request is valid but collides with the current state."""

    kind: ClassVar[Kind] = "conflict"


class Forbidden(LabelsvcError):
    """The actor is known but their role or scope does not allow this."""

    kind: ClassVar[Kind] = "forbidden"


class Unauthorized(LabelsvcError):
    """No valid credentials were given."""

    kind: ClassVar[Kind] = "unauthorized"


class Unavailable(LabelsvcError):
    """A printer or another resource cannot be reached right now; retrying may help."""

    kind: ClassVar[Kind] = "unavailable"


class TooMany(LabelsvcError):
    """A client sent more requests than its rate allows; retry after ``retry_after`` s."""

    kind: ClassVar[Kind] = "too-many"

    def __init__(self, code: str, detail: str, retry_after: int, **fields: Any) -> None:
        super().__init__(code, detail, **fields)
        self.retry_after = retry_after
