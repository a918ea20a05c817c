"""Bolt on aiohttp (HTTP mode) and Socket Mode: the two ways Slack's requests reach the app.

Both report each ack to ``observe_ack`` (``ObserveAck``: kind, mode, seconds), if given: the
time from a command, button press (action) or form submission (view) arriving to its ack
leaving. Bolt acks before the listener's work (``process_before_response=False``), so this
is what Slack's 3-second deadline measures. Events are not timed (nobody waits on them).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.request.async_internals import build_async_context
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.socket_mode.aiohttp import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest

log = logging.getLogger(__name__)
ObserveAck = Callable[[str, str, float], None]  # kind, mode ("http", "socket"), seconds
_KIND_OF_TYPE = {
    "block_actions": "action",
    "view_submission": "view",
    "view_closed": "view",
}


def ack_kind(body: Mapping[str, Any]) -> str | None:
    """``command``, ``action`` or ``view`` for what Slack sent; None for anything else."""
    if "command" in body:
        return "command"
    return _KIND_OF_TYPE.get(str(body.get("type", "")))


def _repair_form_body(request: AsyncBoltRequest) -> AsyncBoltRequest:
    """Bolt 1.30 reads any form body containing the word "payload" as an interaction and,
    finding no ``payload`` field, as empty: ``/scnet create ... name=payload-test`` would
    vanish unanswered. Such a body is an ordinary form (a slash command): parse it as one."""
    if request.body or "payload" not in request.raw_body:
        return request
    fields = dict(parse_qsl(request.raw_body, keep_blank_values=True))
    if "payload" in fields:
        return request
    request.body = fields
    request.context = build_async_context(AsyncBoltContext({}), fields)
    return request


def events_handler(
    app: AsyncApp, *, observe_ack: ObserveAck | None = None
) -> Callable[[web.Request], Awaitable[web.Response]]:
    """``POST /slack/events``: Bolt checks the signature and the 5-minute replay window."""

    async def handle(request: web.Request) -> web.Response:
        received = time.monotonic()
        bolt_request = _repair_form_body(await to_bolt_request(request))
        bolt_response = await app.async_dispatch(bolt_request)
        response = await to_aiohttp_response(bolt_response)
        if observe_ack is not None and bolt_response.status == 200:
            kind = ack_kind(bolt_request.body)
            if kind is not None:
                # aiohttp writes the answer once this returns: nothing slow is left.
                observe_ack(kind, "http", time.monotonic() - received)
        return response

    return handle


class _TimedSocketModeHandler(AsyncSocketModeHandler):
    """Bolt's Socket Mode handler, timing each envelope from its arrival to the ack sent."""

    def __init__(self, app: AsyncApp, app_token: str, *, observe_ack: ObserveAck) -> None:
        super().__init__(app, app_token)
        self._observe_ack = observe_ack

    # Typed as Bolt types its own override (which it marks the same way).
    async def handle(self, client: SocketModeClient, req: SocketModeRequest) -> None:  # type: ignore[override]
        received = time.monotonic()
        await super().handle(client, req)
        payload = req.payload if isinstance(req.payload, dict) else {}
        kind = ack_kind(payload)
        if kind is not None:
            self._observe_ack(kind, "socket", time.monotonic() - received)


async def run_socket_mode(
    app: AsyncApp,
    app_token: str,
    *,
    stop: asyncio.Event | None = None,
    observe_ack: ObserveAck | None = None,
) -> None:
    """Serve Slack's requests over Socket Mode until ``stop`` is set or the task is cancelled,
    then close the socket and the client's session (Bolt's ``start_async`` sleeps forever and
    leaves both open)."""
    handler = (
        AsyncSocketModeHandler(app, app_token)
        if observe_ack is None
        else _TimedSocketModeHandler(app, app_token, observe_ack=observe_ack)
    )
    try:
        await handler.connect_async()  # type: ignore[no-untyped-call]  # Bolt leaves it untyped
        log.info("connected to Slack in Socket Mode")
        await (stop or asyncio.Event()).wait()
    finally:
        await handler.close_async()  # type: ignore[no-untyped-call]
