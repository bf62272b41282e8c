"""Request validation before anything runs: size, media type, JSON, fields and types.

Schemas are a small subset of JSON Schema (the same dicts the OpenAPI document shows):
``type`` (one or a list, with "null"), ``properties``, ``required``,
``additionalProperties: false``, ``items``, ``enum``, ``minimum``/``maximum``,
``minLength``/``maxLength``, ``pattern``, ``minItems``/``maxItems``. Every refusal names
the field as a path such as ``lines/0/gtin``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from functools import cache
from typing import Any

from flask import Request

from labelsvc.domain.errors import InvalidInput

Schema = dict[str, Any]
JSON_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "null": (type(None),),
}


class BodyTooLarge(InvalidInput):
    """The body is larger than ``server.max_body_bytes``."""


class UnsupportedMediaType(InvalidInput):
    """A body that is not ``application/json``."""


def _type_ok(value: Any, name: str) -> bool:
    if isinstance(value, bool) and name in ("integer", "number"):
        return False
    return isinstance(value, JSON_TYPES[name])


@cache
def _pattern(text: str) -> re.Pattern[str]:
    return re.compile(text)


def _invalid(path: str, detail: str, code: str = "field-invalid") -> InvalidInput:
    return InvalidInput(code, detail, field=path or "/")


def _check_object(value: dict[str, Any], schema: Schema, path: str) -> None:
    properties: dict[str, Schema] = schema.get("properties", {})
    if schema.get("additionalProperties") is False:
        for key in value:
            if key not in properties:
                where = f"{path}/{key}" if path else key
                known = ", ".join(properties) or "none"
                raise _invalid(
                    where, f"Unknown field '{where}'; known fields: {known}.", "field-unknown"
                )
    for key in schema.get("required", []):
        if key not in value:
            where = f"{path}/{key}" if path else key
            raise _invalid(where, f"Field '{where}' is required.", "field-missing")
    for key, item in value.items():
        if key in properties:
            check(item, properties[key], f"{path}/{key}" if path else key)


def _check_scalar(value: Any, schema: Schema, name: str) -> None:
    if isinstance(value, str):
        if len(value) < schema.get("minLength", 0):
            raise _invalid(name, f"'{name}' must have at least {schema['minLength']} characters.")
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            raise _invalid(name, f"'{name}' must have at most {schema['maxLength']} characters.")
        if "pattern" in schema and not _pattern(schema["pattern"]).search(value):
            raise _invalid(name, f"'{name}' must match {schema['pattern']}.")
    elif isinstance(value, int | float) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            raise _invalid(name, f"'{name}' must be at least {schema['minimum']}.")
        if "maximum" in schema and value > schema["maximum"]:
            raise _invalid(name, f"'{name}' must be at most {schema['maximum']}.")


def check(value: Any, schema: Schema, path: str = "") -> None:
    """Raise InvalidInput naming the first field of ``value`` that breaks ``schema``."""
    name = path or "body"
    types = schema.get("type")
    if types is not None:
        allowed = [types] if isinstance(types, str) else list(types)
        if not any(_type_ok(value, t) for t in allowed):
            raise _invalid(path, f"'{name}' must be {' or '.join(allowed)}.")
    if "enum" in schema and value not in schema["enum"]:
        choices = ", ".join(json.dumps(v) for v in schema["enum"])
        raise _invalid(path, f"'{name}' must be one of {choices}.")
    if isinstance(value, dict):
        _check_object(value, schema, path)
    elif isinstance(value, list):
        if len(value) < schema.get("minItems", 0):
            raise _invalid(path, f"'{name}' needs at least {schema['minItems']} entries.")
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            raise _invalid(path, f"'{name}' may have at most {schema['maxItems']} entries.")
        for i, item in enumerate(value):
            check(item, schema.get("items", {}), f"{path}/{i}" if path else str(i))
    else:
        _check_scalar(value, schema, name)


def _no_constants(text: str) -> Any:
    raise ValueError(f"{text} is not valid JSON")


def _check_unicode(body: Any) -> None:
    """Refuse text that is not Unicode: a lone surrogate (``"\\ud800"``) is valid JSON but can
    be neither stored nor printed, and would fail later as an internal error."""
    try:
        json.dumps(body, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InvalidInput(
            "body-invalid-unicode",
            "The body contains a lone UTF-16 surrogate (such as \\ud800), which is not text; "
            "send the characters themselves or a valid surrogate pair.",
        ) from exc


def read_body(request: Request, schema: Schema, limit: int) -> dict[str, Any]:
    """The request's JSON object, checked against ``schema``; an empty body means ``{}``."""
    length = request.content_length
    if length is not None and length > limit:
        raise BodyTooLarge(
            "body-too-large",
            f"The request body has {length:,} bytes; the limit is {limit:,}. Send fewer records "
            "per request.",
            limit=limit,
        )
    raw = request.get_data(cache=True)  # Flask's MAX_CONTENT_LENGTH caps a chunked body
    if not raw.strip():
        body: Any = {}
    else:
        if request.mimetype not in ("application/json", "application/ld+json"):
            raise UnsupportedMediaType(
                "unsupported-media-type",
                f"Send the body as application/json, not {request.mimetype or 'untyped'}.",
            )
        try:
            body = json.loads(raw, parse_constant=_no_constants)
        except (ValueError, RecursionError) as exc:
            raise InvalidInput("body-not-json", f"The body is not valid JSON: {exc}.") from exc
        _check_unicode(body)
    if not isinstance(body, dict):
        raise InvalidInput("body-not-object", "The body must be a JSON object.", field="/")
    check(body, schema)
    return body


def read_query(
    args: dict[str, list[str]], params: dict[str, Schema], required: Sequence[str] = ()
) -> dict[str, Any]:
    """Query parameters converted to their declared types; unknown, repeated or missing
    required ones refused."""
    for name in required:
        if name not in args:
            raise InvalidInput(
                "query-missing", f"Add the query parameter '{name}'; it is required.", field=name
            )
    values: dict[str, Any] = {}
    for name, given in args.items():
        if name not in params:
            known = ", ".join(params) or "none"
            raise InvalidInput(
                "query-unknown", f"Unknown query parameter '{name}'; known: {known}.", field=name
            )
        if len(given) != 1:
            raise InvalidInput("query-invalid", f"Give query parameter '{name}' once.", field=name)
        values[name] = _convert(name, given[0], params[name])
        check(values[name], params[name], name)
    return values


def _convert(name: str, text: str, schema: Schema) -> Any:
    kind = schema.get("type")
    if kind == "integer":
        if not re.fullmatch(r"-?[0-9]{1,18}", text):
            raise InvalidInput("query-invalid", f"'{name}' must be a whole number.", field=name)
        return int(text)
    if kind == "boolean":
        if text not in ("true", "false"):
            raise InvalidInput("query-invalid", f"'{name}' must be true or false.", field=name)
        return text == "true"
    return text
