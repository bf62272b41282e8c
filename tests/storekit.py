"""Reading a test's store directly, whichever engine it is (SQLite file or PostgreSQL)."""

from __future__ import annotations

from typing import Any

from labelsvc.services.app import App


def rows(app: App, sql: str, params: Any = ()) -> list[tuple[Any, ...]]:
    """Every row of a query, as tuples, through the store's own connection and dialect."""
    with app.store.read() as tx:
        return [tuple(r) for r in tx.execute(sql, params)]


def scalar(app: App, sql: str, params: Any = ()) -> Any:
    """The first column of the first row."""
    return rows(app, sql, params)[0][0]
