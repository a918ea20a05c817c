"""``POST /slack/events`` (HTTP mode), ``GET /healthz`` and ``GET /metrics`` (both modes) on one
aiohttp app.

Each request to ``/slack/events`` gets a request id (``bot.logs``) for everything it causes.
Once ``Drain.begin`` is called (SIGTERM), ``/healthz`` answers 503 so load balancers and
readiness probes stop sending traffic here, and ``/slack/events`` answers 503 to anything
new (Slack retries events; a user's command lands on another replica next time); what was
already accepted goes on to finish.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiohttp import web

from bot.logs import new_request_id, request_id
from bot.metrics import CONTENT_TYPE, CadenceSnapshot, Metrics, WatcherSnapshot
from bot.services.upkeep import WatcherFigures
from bot.services.watch import WatchFigures

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
ReadFigures = Callable[[], Awaitable[WatcherFigures]]
_METRICS = web.AppKey("metrics", Metrics)


@dataclass(frozen=True, slots=True)
class Watcher:
    """Where ``/metrics`` reads the watcher's state: the database, and this process's role."""

    figures: ReadFigures
    is_leader: Callable[[], bool]
    turns: Callable[[], WatchFigures] | None = None  # the leader's cadence and budget use


_WATCHER = web.AppKey("watcher", Watcher)


class Drain:
    """Whether this process still takes new work; flipped once, at shutdown."""

    def __init__(self) -> None:
        self.draining = False

    def begin(self) -> None:
        self.draining = True


_DRAIN = web.AppKey("drain", Drain)


@web.middleware
async def _slack_requests(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.path != "/slack/events":
        return await handler(request)
    if request.app[_DRAIN].draining:
        return web.json_response({"ok": False, "error": "shutting_down"}, status=503)
    # A fresh id per request, reset afterwards: aiohttp may serve the next request of a
    # keep-alive connection in this same context.
    token = request_id.set(new_request_id())
    try:
        return await handler(request)
    finally:
        request_id.reset(token)


@web.middleware
async def _count(request: web.Request, handler: Handler) -> web.StreamResponse:
    response = await handler(request)
    route = request.match_info.route.resource
    requests = request.app[_METRICS].http_requests
    requests.labels(route.canonical if route else "unmatched", str(response.status)).inc()
    return response


async def _healthz(request: web.Request) -> web.Response:
    if request.app[_DRAIN].draining:
        return web.json_response({"ok": False, "draining": True}, status=503)
    return web.json_response({"ok": True})


async def _metrics(request: web.Request) -> web.Response:
    metrics = request.app[_METRICS]
    watcher = request.app.get(_WATCHER)
    if watcher is not None:
        leader = watcher.is_leader()
        metrics.watcher.watcher = _watcher_snapshot(await watcher.figures(), leader=leader)
        turns = watcher.turns() if watcher.turns is not None and leader else None
        metrics.watcher.cadence = _cadence_snapshot(turns) if turns is not None else None
    return web.Response(body=metrics.render().encode(), headers={"Content-Type": CONTENT_TYPE})


def _watcher_snapshot(figures: WatcherFigures, *, leader: bool) -> WatcherSnapshot:
    return WatcherSnapshot(
        leader=leader,
        active_watches=figures.active_watches,
        paused_watches=figures.paused_watches,
        pending_notices=figures.pending_notices,
        sent_notices=figures.sent_notices,
        dead_notices=figures.dead_notices,
        oldest_pending_seconds=figures.oldest_pending_seconds,
    )


def _cadence_snapshot(figures: WatchFigures) -> CadenceSnapshot:
    turns = figures.turns
    return CadenceSnapshot(
        owners_waiting=figures.owners_waiting,
        owners_running=figures.owners_running,
        effective_cadence=turns.effective_cadence,
        reads_per_second=turns.reads_per_second,
        allowance_per_second=turns.allowance_per_second,
        behind=turns.behind,
    )


def build_web_app(
    slack_events: Handler | None,
    *,
    watcher: Watcher | None = None,
    drain: Drain | None = None,
    metrics: Metrics | None = None,
) -> web.Application:
    """``slack_events`` None: Socket Mode, where Slack's requests come over the socket and
    only the health and metrics routes are served. ``metrics``: the process's registry (a
    fresh one if None)."""
    app = web.Application(middlewares=[_count, _slack_requests])
    app[_DRAIN] = drain or Drain()
    app[_METRICS] = metrics or Metrics()
    if watcher is not None:
        app[_WATCHER] = watcher
    if slack_events is not None:
        app.router.add_post("/slack/events", slack_events)
    app.router.add_get("/healthz", _healthz)
    app.router.add_get("/metrics", _metrics)
    return app
