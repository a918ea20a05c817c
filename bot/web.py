"""HTTP mode: ``POST /slack/events``, ``GET /healthz`` and ``GET /metrics`` on one aiohttp app."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Awaitable, Callable

from aiohttp import web

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
_STARTED = web.AppKey("started", float)
_REQUESTS = web.AppKey("requests", Counter[tuple[str, int]])


@web.middleware
async def _count(request: web.Request, handler: Handler) -> web.StreamResponse:
    response = await handler(request)
    counts: Counter[tuple[str, int]] = request.app[_REQUESTS]
    route = request.match_info.route.resource
    counts[(route.canonical if route else "unmatched", response.status)] += 1
    return response


async def _healthz(_: web.Request) -> web.Response:
    return web.json_response({"ok": True})


async def _metrics(request: web.Request) -> web.Response:
    counts: Counter[tuple[str, int]] = request.app[_REQUESTS]
    lines = [
        "# HELP scnet_bot_uptime_seconds Seconds since the process started serving.",
        "# TYPE scnet_bot_uptime_seconds gauge",
        f"scnet_bot_uptime_seconds {time.monotonic() - request.app[_STARTED]:.3f}",
        "# HELP scnet_bot_http_requests_total HTTP requests served, by route and status.",
        "# TYPE scnet_bot_http_requests_total counter",
    ]
    for (route, status), value in sorted(counts.items()):
        lines.append(f'scnet_bot_http_requests_total{{route="{route}",status="{status}"}} {value}')
    return web.Response(text="\n".join(lines) + "\n", content_type="text/plain")


def build_web_app(slack_events: Handler) -> web.Application:
    app = web.Application(middlewares=[_count])
    app[_STARTED] = time.monotonic()
    app[_REQUESTS] = Counter()
    app.router.add_post("/slack/events", slack_events)
    app.router.add_get("/healthz", _healthz)
    app.router.add_get("/metrics", _metrics)
    return app
