"""Bolt on aiohttp (HTTP mode) and Socket Mode: the two ways Slack's requests reach the app."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp


def events_handler(app: AsyncApp) -> Callable[[web.Request], Awaitable[web.Response]]:
    """``POST /slack/events``: Bolt checks the signature and the 5-minute replay window."""

    async def handle(request: web.Request) -> web.Response:
        bolt_request = await to_bolt_request(request)
        bolt_response = await app.async_dispatch(bolt_request)
        return await to_aiohttp_response(bolt_response)

    return handle


async def run_socket_mode(app: AsyncApp, app_token: str) -> None:
    handler = AsyncSocketModeHandler(app, app_token)
    await handler.start_async()  # type: ignore[no-untyped-call]  # Bolt leaves it untyped
