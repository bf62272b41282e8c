"""Schemas shared by several resources, and the cursor pagination every list uses."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from labelsvc.web.api.validation import Schema

T = TypeVar("T")

STRING: Schema = {"type": "string"}
OPT_STRING: Schema = {"type": ["string", "null"]}
INTEGER: Schema = {"type": "integer"}
OPT_INTEGER: Schema = {"type": ["integer", "null"]}
BOOLEAN: Schema = {"type": "boolean"}
TIME: Schema = {"type": "string", "description": "ISO 8601 UTC with milliseconds"}
OPT_TIME: Schema = {"type": ["string", "null"], "description": "ISO 8601 UTC, or null"}
STATION: Schema = {"type": "string", "minLength": 1, "maxLength": 64,
                   "description": "Workstation recorded in the events"}  # fmt: skip
REASON: Schema = {"type": "string", "minLength": 1, "maxLength": 500}
DEFAULT_LIMIT, MAX_LIMIT = 100, 1000
LIST_QUERY: dict[str, Schema] = {
    "after": {"type": "string", "minLength": 1, "maxLength": 200,
              "description": "Cursor: the `next` value of the previous page"},
    "limit": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT,
              "description": f"Page size (default {DEFAULT_LIMIT})"},
}  # fmt: skip

PROBLEM: Schema = {
    "type": "object",
    "description": "RFC 9457 problem details; `type` is stable per `code`.",
    "required": ["type", "title", "status", "detail", "code"],
    "properties": {
        "type": {"type": "string", "format": "uri"},
        "title": STRING,
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": STRING,
        "code": STRING,
        "field": {"type": "string", "description": "The request field at fault"},
    },
    "additionalProperties": True,
}


def obj(properties: dict[str, Schema], optional: Sequence[str] = ()) -> Schema:
    """A response object whose properties are all present (except ``optional``)."""
    return {
        "type": "object",
        "required": [k for k in properties if k not in optional],
        "properties": properties,
    }


def body(properties: dict[str, Schema], required: Sequence[str] = ()) -> Schema:
    """A request body: unknown fields are refused."""
    return {
        "type": "object",
        "required": list(required),
        "properties": properties,
        "additionalProperties": False,
    }


def page_schema(item: Schema) -> Schema:
    """A page of a list: the items and the cursor of the next page (null on the last)."""
    return obj({"items": {"type": "array", "items": item}, "next": OPT_STRING})


def page(
    fetch: Callable[[int], list[T]],
    limit: int | None,
    cursor: Callable[[T], str],
    render: Callable[[T], Any],
) -> dict[str, Any]:
    """Fetch one more than asked: when it comes, there is a next page after the last shown."""
    size = limit or DEFAULT_LIMIT
    rows = fetch(size + 1)
    shown = rows[:size]
    return {
        "items": [render(r) for r in shown],
        "next": cursor(shown[-1]) if len(rows) > size else None,
    }


def page_in_memory(
    rows: list[T],
    query: dict[str, Any],
    key: Callable[[T], str],
    render: Callable[[T], Any],
) -> dict[str, Any]:
    """The same over a short list that the use case returns whole (pools, printers)."""
    after = query.get("after")
    rest = sorted((r for r in rows if after is None or key(r) > after), key=key)
    return page(lambda n: rest[:n], query.get("limit"), key, render)
