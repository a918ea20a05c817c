"""The playground's page and the small JSON API it calls, on loopback only.

``GET /`` is the page (``static/``: one HTML file, a stylesheet and a script that renders
Block Kit); ``GET /ui/state?user=U…&since=N`` answers what that user sees once the fake
Slack's change counter passes N (a long poll, so a notice appears the moment the bot posts
it); ``POST /ui/command|action|submit|close|home`` are the user's interactions, handed to
``Relay``. The API takes only JSON bodies (a cross-site form cannot send one without a CORS
preflight, which is never granted) and only loopback ``Host`` headers (DNS rebinding).
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from importlib import resources
from typing import Any

import aiohttp
from aiohttp import web

from bot.playground.relay import Relay
from bot.playground.world import World, WorldOptions, open_world

log = logging.getLogger(__name__)
LONG_POLL = 20.0  # seconds a state request waits for a change before answering anyway
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})
_STATIC = {
    "index.html": "text/html",
    "playground.css": "text/css",
    "playground.js": "application/javascript",
}
_RELAY = web.AppKey("relay", Relay)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def is_loopback(host: str) -> bool:
    return host in LOOPBACK_HOSTS or host.startswith("127.")


@web.middleware
async def _loopback_only(request: web.Request, handler: Handler) -> web.StreamResponse:
    if not is_loopback(request.url.host or ""):
        return web.Response(status=403, text="the playground answers on loopback only")
    if request.method == "POST" and request.content_type != "application/json":
        return web.Response(status=415, text="JSON only")
    return await handler(request)


def _static(name: str) -> Handler:
    async def serve(_: web.Request) -> web.Response:
        text = resources.files("bot.playground").joinpath("static", name).read_text("utf-8")
        return web.Response(text=text, content_type=_STATIC[name], charset="utf-8")

    return serve


async def _body(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except json.JSONDecodeError as error:
        raise web.HTTPBadRequest(text="not JSON") from error
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(text="a JSON object, please")
    return body


def _user(relay: Relay, body: dict[str, Any] | Any) -> str:
    user_id = str(body.get("user") or relay.world.users[0].slack.id)
    try:
        relay.world.user(user_id)
    except KeyError as error:
        raise web.HTTPBadRequest(text="unknown demo user") from error
    return user_id


async def _state(request: web.Request) -> web.Response:
    relay = request.app[_RELAY]
    user_id = _user(relay, request.query)
    since = int(request.query.get("since", "-1") or -1)
    if since >= relay.world.slack.changes:
        await relay.world.slack.wait_for_change(since, LONG_POLL)
    return web.json_response(relay.state(user_id))


async def _command(request: web.Request) -> web.Response:
    relay = request.app[_RELAY]
    body = await _body(request)
    await relay.command(_user(relay, body), str(body.get("channel", "")), str(body.get("text")))
    return web.json_response({"ok": True})


async def _action(request: web.Request) -> web.Response:
    relay = request.app[_RELAY]
    body = await _body(request)
    try:
        await relay.action(
            _user(relay, body),
            action_id=str(body["action_id"]),
            block_id=body.get("block_id"),
            value=body.get("value"),
            channel_id=body.get("channel"),
            ts=body.get("ts"),
            view_id=body.get("view_id"),
            values=body.get("values") or None,
        )
    except (KeyError, ValueError) as error:
        log.info("playground: action refused: %s", error)
        return web.json_response({"ok": False, "error": str(error)}, status=400)
    return web.json_response({"ok": True})


async def _submit(request: web.Request) -> web.Response:
    relay = request.app[_RELAY]
    body = await _body(request)
    try:
        await relay.submit(_user(relay, body), str(body["view_id"]), dict(body.get("values", {})))
    except (KeyError, ValueError) as error:
        log.info("playground: submission refused: %s", error)
        return web.json_response({"ok": False, "error": str(error)}, status=400)
    return web.json_response({"ok": True})


async def _close(request: web.Request) -> web.Response:
    relay = request.app[_RELAY]
    body = await _body(request)
    await relay.close(_user(relay, body), str(body.get("view_id", "")))
    return web.json_response({"ok": True})


async def _home(request: web.Request) -> web.Response:
    relay = request.app[_RELAY]
    body = await _body(request)
    await relay.open_home(_user(relay, body))
    return web.json_response({"ok": True})


def build_page_app(relay: Relay) -> web.Application:
    app = web.Application(middlewares=[_loopback_only])
    app[_RELAY] = relay
    app.router.add_get("/", _static("index.html"))
    for name in _STATIC:
        app.router.add_get(f"/static/{name}", _static(name))
    app.router.add_get("/ui/state", _state)
    app.router.add_post("/ui/command", _command)
    app.router.add_post("/ui/action", _action)
    app.router.add_post("/ui/submit", _submit)
    app.router.add_post("/ui/close", _close)
    app.router.add_post("/ui/home", _home)
    return app


@dataclass(frozen=True, slots=True)
class Playground:
    url: str  # the page, e.g. http://127.0.0.1:3100/
    world: World
    relay: Relay


@asynccontextmanager
async def serve_playground(
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    any_port_if_taken: bool = False,
    options: WorldOptions | None = None,
) -> AsyncIterator[Playground]:
    """The world and its page, served on ``host``:``port`` (0: any free port; a taken one
    too, with ``any_port_if_taken``) until exit."""
    if not is_loopback(host):
        raise ValueError("the playground has no login of its own: serve it on loopback only")
    async with open_world(options) as world, aiohttp.ClientSession() as session:
        relay = Relay(world, session)
        runner = web.AppRunner(
            build_page_app(relay), access_log=None, shutdown_timeout=0.5, handler_cancellation=True
        )
        await runner.setup()
        try:
            try:
                await web.TCPSite(runner, host=host, port=port).start()
            except OSError:
                if not any_port_if_taken or port == 0:
                    raise
                await web.TCPSite(runner, host=host, port=0).start()
            bound_host, bound_port = runner.addresses[0][:2]
            shown = f"[{bound_host}]" if ":" in bound_host else bound_host
            yield Playground(f"http://{shown}:{bound_port}/", world, relay)
        finally:
            await runner.cleanup()
