"""Reading request fields the way SCNet's validation answers them.

A required field that is absent, null or an empty string is code 10003 (参数不全); a field of the
wrong type or out of range is 10004 (参数无效). Integers must be JSON integers (booleans are not),
except where the reference documents both forms (``containerPort``) or the value comes from a
query string, where everything is text.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from bot.scnet.simulator.wire import INVALID_PARAM, MISSING_PARAM, ApiError

Fields = Mapping[str, object]


def as_fields(body: object) -> Fields:
    """A JSON body as a mapping; an absent body reads as empty, anything else is 10004."""
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise ApiError(INVALID_PARAM, "body must be a JSON object")
    return body


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def required(fields: Fields, name: str) -> object:
    value = fields.get(name)
    if is_blank(value):
        raise ApiError(MISSING_PARAM, name)
    return value


def text(
    fields: Fields, name: str, *, choices: Collection[str] = (), optional: bool = False
) -> str | None:
    """A string field; ``optional`` lets it be absent (None), ``choices`` limits its values."""
    value = fields.get(name) if optional else required(fields, name)
    if is_blank(value):
        return None
    if not isinstance(value, str):
        raise ApiError(INVALID_PARAM, name)
    if choices and value not in choices:
        raise ApiError(INVALID_PARAM, name)
    return value


def required_text(fields: Fields, name: str, *, choices: Collection[str] = ()) -> str:
    value = text(fields, name, choices=choices)
    assert value is not None  # required() refused a blank value
    return value


def integer(
    fields: Fields,
    name: str,
    *,
    minimum: int = 0,
    default: int | None = None,
    numeric_text: bool = False,
) -> int:
    """An integer field ≥ ``minimum``; ``numeric_text`` also accepts ``"18888"``-style strings."""
    if default is not None and is_blank(fields.get(name)):
        return default
    value = required(fields, name)
    if numeric_text and isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ApiError(INVALID_PARAM, name)
    return value


def boolean(fields: Fields, name: str, *, default: bool | None = None) -> bool:
    """A JSON boolean; absent or null is ``default``, or 10003 when there is none."""
    value = fields.get(name)
    if value is None:
        if default is not None:
            return default
        raise ApiError(MISSING_PARAM, name)
    if not isinstance(value, bool):
        raise ApiError(INVALID_PARAM, name)
    return value


def object_list(fields: Fields, name: str) -> list[Fields]:
    """An optional array of objects (``mountInfoList``, ``containerPortInfoList``)."""
    value = fields.get(name)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise ApiError(INVALID_PARAM, name)
    return value
