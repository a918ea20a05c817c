"""How a Web API request reaches Slack, and how the fake reads it.

slack_sdk's ``AsyncWebClient`` (``web/async_base_client.py``, ``web/internal_utils.py``)
sends every call as POST unless the method says GET (``users.info``), and puts arguments in
one of three places:

* ``json=``: methods carrying blocks or views (``chat.postMessage``, ``chat.postEphemeral``,
  ``chat.update``, ``views.*``) send ``application/json;charset=utf-8``;
* ``params=``: the rest (``auth.test``, ``chat.delete``, ``conversations.*``, ``users.info``)
  go in the *query string*, with an empty form-encoded body, booleans as ``"1"``/``"0"``;
* ``data=``: a caller may form-encode anything (``api_call(..., data=...)``); then
  ``blocks``/``view``/``attachments`` are JSON *strings*.

The token always travels as ``Authorization: Bearer …`` (the client pops ``token`` out of
``params``/``json`` into the header). Slack also takes ``token`` as a form field of a POST
body, but not from a JSON body and, for apps created since 2021-02-24, not from the query
string; the fake follows that.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from aiohttp import web

# Arguments Slack documents as "JSON-encoded string" when form-encoded.
JSON_ARGS = ("blocks", "attachments", "view", "metadata")


@dataclass(frozen=True, slots=True)
class ParsedRequest:
    args: dict[str, Any]
    token: str | None
    transport: Literal["json", "form", "query"]
    malformed: str | None = None  # "body" (not JSON) or the JSON argument that is not JSON


async def parse_request(request: web.Request) -> ParsedRequest:
    args: dict[str, Any] = dict(request.query)
    args.pop("token", None)  # query-string tokens are refused (see module docstring)
    token: str | None = None
    transport: Literal["json", "form", "query"] = "query"
    malformed: str | None = None
    if request.method == "POST" and request.can_read_body:
        if request.content_type == "application/json":
            transport = "json"
            raw = await request.read()
            try:
                body = json.loads(raw) if raw else {}
            except (json.JSONDecodeError, UnicodeDecodeError):
                body = None
            if isinstance(body, dict):
                body.pop("token", None)  # Slack ignores a token in a JSON body
                args.update(body)
            else:
                malformed = "body"
        else:
            form = await request.post()
            fields = {key: value for key, value in form.items() if isinstance(value, str)}
            if fields:
                transport = "form"
            token = fields.pop("token", None)
            args.update(fields)
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        token = header.removeprefix("Bearer ").strip()
    for name in JSON_ARGS:
        value = args.get(name)
        if isinstance(value, str):
            try:
                args[name] = json.loads(value)
            except json.JSONDecodeError:
                malformed = malformed or name
    return ParsedRequest(args=args, token=token or None, transport=transport, malformed=malformed)


def flag(args: Mapping[str, Any], name: str) -> bool:
    """A boolean argument as Slack reads it: ``true``/``1`` (any case) or JSON ``true``."""
    value = args.get(name)
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value == 1
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true")
    return False


def text_arg(args: Mapping[str, Any], name: str) -> str | None:
    value = args.get(name)
    if value is None:
        return None
    return value if isinstance(value, str) else str(value)
