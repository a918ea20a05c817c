"""Bolt on aiohttp (HTTP mode) and Socket Mode: the two ways Slack's requests reach the app."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from urllib.parse import parse_qsl

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.request.async_internals import build_async_context
from slack_bolt.request.async_request import AsyncBoltRequest

log = logging.getLogger(__name__)


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


def events_handler(app: AsyncApp) -> Callable[[web.Request], Awaitable[web.Response]]:
    """``POST /slack/events``: Bolt checks the signature and the 5-minute replay window."""

    async def handle(request: web.Request) -> web.Response:
        bolt_request = _repair_form_body(await to_bolt_request(request))
        bolt_response = await app.async_dispatch(bolt_request)
        return await to_aiohttp_response(bolt_response)

    return handle


async def run_socket_mode(
    app: AsyncApp, app_token: str, *, stop: asyncio.Event | None = None
) -> None:
    """Serve Slack's requests over Socket Mode until ``stop`` is set or the task is cancelled,
    then close the socket and the client's session (Bolt's ``start_async`` sleeps forever and
    leaves both open)."""
    handler = AsyncSocketModeHandler(app, app_token)
    try:
        await handler.connect_async()  # type: ignore[no-untyped-call]  # Bolt leaves it untyped
        log.info("connected to Slack in Socket Mode")
        await (stop or asyncio.Event()).wait()
    finally:
        await handler.close_async()  # type: ignore[no-untyped-call]
