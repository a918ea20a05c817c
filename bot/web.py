"""``POST /slack/events`` (HTTP mode), ``GET /healthz`` and ``GET /metrics`` (both modes) on one
aiohttp app.

Each request to ``/slack/events`` gets a request id (``bot.logs``) for everything it causes.
Once ``Drain.begin`` is called (SIGTERM), ``/healthz`` answers 503 so load balancers and
readiness probes stop sending traffic here, and ``/slack/events`` answers 503 to anything
new (Slack retries events; a user's command lands on another replica next time); what was
already accepted goes on to finish.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiohttp import web

from bot.logs import new_request_id, request_id
from bot.services.upkeep import WatcherFigures
from bot.services.watch import WatchFigures

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
ReadFigures = Callable[[], Awaitable[WatcherFigures]]
_STARTED = web.AppKey("started", float)
_REQUESTS = web.AppKey("requests", Counter[tuple[str, int]])


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
    counts: Counter[tuple[str, int]] = request.app[_REQUESTS]
    route = request.match_info.route.resource
    counts[(route.canonical if route else "unmatched", response.status)] += 1
    return response


async def _healthz(request: web.Request) -> web.Response:
    if request.app[_DRAIN].draining:
        return web.json_response({"ok": False, "draining": True}, status=503)
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
    watcher = request.app.get(_WATCHER)
    if watcher is not None:
        lines += _watcher_lines(await watcher.figures(), leader=watcher.is_leader())
        if watcher.turns is not None and watcher.is_leader():
            lines += _cadence_lines(watcher.turns())
    return web.Response(text="\n".join(lines) + "\n", content_type="text/plain")


def _watcher_lines(figures: WatcherFigures, *, leader: bool) -> list[str]:
    return [
        "# HELP scnet_bot_leader 1 if this process runs the scheduled jobs.",
        "# TYPE scnet_bot_leader gauge",
        f"scnet_bot_leader {int(leader)}",
        "# HELP scnet_bot_watches Watched instances, by state (paused: owner must log in).",
        "# TYPE scnet_bot_watches gauge",
        f'scnet_bot_watches{{state="active"}} {figures.active_watches}',
        f'scnet_bot_watches{{state="paused"}} {figures.paused_watches}',
        "# HELP scnet_bot_outbox_notices Notices in the outbox, by status (settled ones are"
        " pruned after days).",
        "# TYPE scnet_bot_outbox_notices gauge",
        f'scnet_bot_outbox_notices{{status="pending"}} {figures.pending_notices}',
        f'scnet_bot_outbox_notices{{status="sent"}} {figures.sent_notices}',
        f'scnet_bot_outbox_notices{{status="dead"}} {figures.dead_notices}',
        "# HELP scnet_bot_outbox_oldest_pending_seconds Age of the oldest undelivered notice.",
        "# TYPE scnet_bot_outbox_oldest_pending_seconds gauge",
        f"scnet_bot_outbox_oldest_pending_seconds {figures.oldest_pending_seconds:.3f}",
    ]


def _cadence_lines(figures: WatchFigures) -> list[str]:
    turns = figures.turns
    return [
        "# HELP scnet_bot_watch_owners Owners with watched instances: waiting (one not yet"
        " running, read every WATCH_CADENCE) or running (all run, read slowly).",
        "# TYPE scnet_bot_watch_owners gauge",
        f'scnet_bot_watch_owners{{state="waiting"}} {figures.owners_waiting}',
        f'scnet_bot_watch_owners{{state="running"}} {figures.owners_running}',
        "# HELP scnet_bot_watch_effective_cadence_seconds Seconds between two reads of a"
        " waiting owner; above WATCH_CADENCE when the budget is short.",
        "# TYPE scnet_bot_watch_effective_cadence_seconds gauge",
        f"scnet_bot_watch_effective_cadence_seconds {turns.effective_cadence:.3f}",
        "# HELP scnet_bot_watch_reads_per_second The watcher's SCNet reads a second (30 s).",
        "# TYPE scnet_bot_watch_reads_per_second gauge",
        f"scnet_bot_watch_reads_per_second {turns.reads_per_second:.3f}",
        "# HELP scnet_bot_watch_read_allowance_per_second What the watcher may use of"
        " SCNET_MAX_RPS (WATCH_BUDGET_SHARE).",
        "# TYPE scnet_bot_watch_read_allowance_per_second gauge",
        f"scnet_bot_watch_read_allowance_per_second {turns.allowance_per_second:.3f}",
        "# HELP scnet_bot_watch_owners_behind Owners due but not read in the last sweep.",
        "# TYPE scnet_bot_watch_owners_behind gauge",
        f"scnet_bot_watch_owners_behind {turns.behind}",
    ]


def build_web_app(
    slack_events: Handler | None, *, watcher: Watcher | None = None, drain: Drain | None = None
) -> web.Application:
    """``slack_events`` None: Socket Mode, where Slack's requests come over the socket and
    only the health and metrics routes are served."""
    app = web.Application(middlewares=[_count, _slack_requests])
    app[_DRAIN] = drain or Drain()
    app[_STARTED] = time.monotonic()
    app[_REQUESTS] = Counter()
    if watcher is not None:
        app[_WATCHER] = watcher
    if slack_events is not None:
        app.router.add_post("/slack/events", slack_events)
    app.router.add_get("/healthz", _healthz)
    app.router.add_get("/metrics", _metrics)
    return app
