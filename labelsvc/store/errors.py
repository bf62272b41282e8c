"""What the store raises instead of a driver's exception, so no caller knows the engine.

Both engines' errors are mapped here once: a constraint that refused a row is an
:class:`IntegrityViolation` (services turn it into a coded conflict), a lock or a connection
that could not be had within the bounded wait is :class:`StoreBusy` (the API answers 503
``store-busy`` with ``Retry-After``; pages say to retry).
"""

from __future__ import annotations

from typing import ClassVar

from labelsvc.domain.errors import Conflict, InvalidInput, Kind, Unavailable


class IntegrityViolation(Conflict):
    """A UNIQUE, foreign-key, CHECK constraint or a trigger refused the change."""

    def __init__(self, detail: str, *, constraint: str | None = None) -> None:
        super().__init__(
            "integrity-conflict",
            f"The change collides with data already stored; nothing was changed. ({detail})",
        )
        self.constraint = constraint
        self.driver_detail = detail


class StoreBusy(Unavailable):
    """A writer waited its bounded time for a lock or a connection and gave up."""

    kind: ClassVar[Kind] = "unavailable"
    retry_after = 1

    def __init__(self, detail: str) -> None:
        super().__init__(
            "store-busy",
            "The database is busy with other work; nothing was changed. Try again in a "
            f"moment. ({detail})",
        )


class StoreUnavailable(Unavailable):
    """The database cannot be reached at all (server down, connection lost)."""

    retry_after = 5

    def __init__(self, detail: str) -> None:
        super().__init__(
            "store-unavailable",
            f"The database cannot be reached; nothing was changed. Retry later. ({detail})",
        )


class StoreDataInvalid(InvalidInput):
    """A value the database cannot store at all (a NUL character in text, a huge number)."""

    def __init__(self, detail: str) -> None:
        super().__init__(
            "invalid-characters",
            f"A value holds characters or a number the store cannot keep: {detail}",
        )


class NewerDatabase(Unavailable):
    """The database was migrated by a newer labelsvc; this one must not touch it."""

    def __init__(self, unknown: list[str]) -> None:
        super().__init__(
            "database-newer",
            "The database was upgraded by a newer labelsvc (migrations "
            f"{', '.join(unknown)} are unknown here); upgrade this installation first.",
            migrations=unknown,
        )
