"""``scnet-bot run``: Socket Mode when SLACK_APP_TOKEN is set, else HTTP mode on PORT.

Shutdown (SIGTERM, as every rolling deploy sends, or SIGINT), in this order:

1. ``/healthz`` turns 503 and ``/slack/events`` refuses new requests (``bot.web.Drain``);
   Socket Mode closes its socket, so Slack sends the next envelope to another replica.
2. The scheduler stops and gives up the leader lease at once, so that another replica takes
   over without waiting for the lease to expire; a running job is cancelled (jobs are
   cancel-safe: a claimed outbox notice comes back when its lease ends).
3. Work already accepted finishes, for up to SHUTDOWN_GRACE seconds: every task started on
   behalf of a Slack request (tracked by its request id, see ``InFlight``), so a create
   whose POST reached SCNet still records the instance, watches it and tells the user its id.
4. The web server, the Slack and SCNet sessions and the database close; the process exits 0.
"""

from __future__ import annotations

import asyncio
import contextvars
import gc
import logging
import signal
import time
from collections.abc import Callable, Coroutine, Generator
from contextlib import AsyncExitStack
from typing import Any

from aiohttp import web

from bot.config import Settings
from bot.logs import request_id
from bot.slack.http import events_handler, run_socket_mode
from bot.store.migrate import wait_for_database
from bot.web import Drain, Watcher, build_web_app
from bot.wiring import open_slack_bot

log = logging.getLogger(__name__)
GC_THRESHOLDS = (20_000, 20, 50)  # allocations before a young collection; then 20, 50 (older)
HTTP_CLOSE_TIMEOUT = 1.0  # seconds the web server waits for idle keep-alive connections


class InFlight:
    """Tracks the tasks started on behalf of a Slack request, to let them finish at shutdown.

    Bolt acks and then runs each listener as a task of its own, which nothing awaits. A task
    factory on the loop notes every task created while a request id is bound (the listener,
    and what it starts in turn: the "still waiting" timer, SCNet calls), since tasks inherit
    their creator's context. Scheduled jobs run without a request id and are not tracked.
    """

    def __init__(self) -> None:
        self._tasks: set[asyncio.Future[Any]] = set()
        self._previous: Any = None

    def install(self, loop: asyncio.AbstractEventLoop) -> None:
        previous = self._previous = loop.get_task_factory()

        def factory(
            loop: asyncio.AbstractEventLoop,
            coro: Coroutine[Any, Any, Any] | Generator[Any, None, Any],
            **kwargs: Any,
        ) -> asyncio.Future[Any]:
            if previous is not None:
                task = previous(loop, coro, **kwargs)
            else:
                task = asyncio.Task(coro, loop=loop, **kwargs)
            context: contextvars.Context | None = kwargs.get("context")
            bound = context.get(request_id) if context is not None else request_id.get()
            if bound is not None:
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
            return task

        loop.set_task_factory(factory)

    def uninstall(self, loop: asyncio.AbstractEventLoop) -> None:
        loop.set_task_factory(self._previous)

    def __len__(self) -> int:
        return len(self._tasks)

    async def wait(self, timeout: float) -> int:  # noqa: ASYNC109 - a deadline, not a timeout
        """Wait until no tracked task is left (new ones included), for up to ``timeout`` s;
        returns how many were still running then (they are cancelled at loop close)."""
        deadline = time.monotonic() + timeout
        while self._tasks:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            await asyncio.wait(list(self._tasks), timeout=left)
        return len(self._tasks)


def _on_signals(stop: asyncio.Event) -> list[signal.Signals]:
    loop = asyncio.get_running_loop()
    handled = []
    for number in (signal.SIGTERM, signal.SIGINT):
        try:
            loop.add_signal_handler(number, stop.set)
        except (NotImplementedError, RuntimeError, ValueError):  # not the main thread
            continue
        handled.append(number)
    return handled


async def run_server(settings: Settings, *, stop: asyncio.Event | None = None) -> None:
    """Serve until SIGTERM/SIGINT (or ``stop`` is set), then shut down gracefully."""
    settings.require("slack_bot_token", "slack_signing_secret", "encryption_keys")
    assert settings.slack_bot_token is not None
    assert settings.slack_signing_secret is not None
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    inflight = InFlight()
    inflight.install(loop)
    handled = _on_signals(stop)
    try:
        await wait_for_database(settings.database_url, wait=settings.database_wait)
        await _serve(settings, stop, inflight)
    finally:
        for number in handled:
            loop.remove_signal_handler(number)
        inflight.uninstall(loop)


async def _serve(settings: Settings, stop: asyncio.Event, inflight: InFlight) -> None:
    async with AsyncExitStack() as stack:
        bot = await open_slack_bot(settings, stack)
        app, background = bot.app, bot.background
        # Everything built so far lives as long as the process: move it out of the collector's
        # reach, so that full collections during a burst of commands do not rescan it (they
        # stalled acks by 100-200 ms in bench/ack.py). A burst also leaves thousands of live
        # listener tasks waiting for SCNet; with the default thresholds the collector rescans
        # them every few hundred acks, which put the ack p99 at 115 ms for 3,000 commands in
        # bench/ack.py, against 43-53 ms with these (the p50 did not move).
        stack.callback(_tune_gc())
        metrics = bot.runtime.metrics

        def is_leader() -> bool:
            return background.jobs.is_leader

        watcher = Watcher(
            figures=background.upkeep.figures, is_leader=is_leader, turns=background.watcher.figures
        )
        app_token = settings.slack_app_token
        drain = Drain()
        # Socket Mode needs no public URL, but health checks and metrics still want a port.
        events = (
            None if app_token is not None else events_handler(app, observe_ack=metrics.observe_ack)
        )
        runner = web.AppRunner(
            build_web_app(events, watcher=watcher, drain=drain, metrics=metrics),
            shutdown_timeout=HTTP_CLOSE_TIMEOUT,
        )
        await runner.setup()
        stack.push_async_callback(runner.cleanup)
        await web.TCPSite(runner, host="0.0.0.0", port=settings.port).start()  # noqa: S104
        socket: asyncio.Task[None] | None = None
        socket_stop = asyncio.Event()
        if app_token is not None:
            log.info("Socket Mode; GET /healthz and GET /metrics on port %d", settings.port)
            socket = asyncio.create_task(
                run_socket_mode(
                    app,
                    app_token.get_secret_value(),
                    stop=socket_stop,
                    observe_ack=metrics.observe_ack,
                )
            )
        else:
            log.info(
                "HTTP mode: POST /slack/events, GET /healthz, GET /metrics on port %d",
                settings.port,
            )
        await _until_stopped(stop, socket)

        began = time.monotonic()
        log.info("shutting down: no new requests; %d in flight", len(inflight))
        drain.begin()
        if socket is not None:
            socket_stop.set()
            await asyncio.gather(socket, return_exceptions=True)
        await background.jobs.stop()  # step down now: another replica takes the jobs over
        left = await inflight.wait(settings.shutdown_grace)
        if left:
            log.warning(
                "%d requests still running after SHUTDOWN_GRACE (%.0f s): cancelled",
                left,
                settings.shutdown_grace,
            )
    log.info("stopped in %.1f s", time.monotonic() - began)


def _tune_gc() -> Callable[[], None]:
    """Freeze what exists and raise the young threshold (see ``_serve``); returns the undo, so
    that a process running the server in-process (the tests) gets its collector back as it was."""
    thresholds = gc.get_threshold()
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)

    def undo() -> None:
        gc.unfreeze()
        gc.set_threshold(*thresholds)

    return undo


async def _until_stopped(stop: asyncio.Event, socket: asyncio.Task[None] | None) -> None:
    """Until ``stop`` is set; a Socket Mode connection that ends by itself ends the wait too
    (its exception is raised: the process should exit non-zero and be restarted)."""
    stopped = asyncio.create_task(stop.wait())
    waiting: set[asyncio.Future[Any]] = {stopped}
    if socket is not None:
        waiting.add(socket)
    try:
        await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopped.cancel()
    if socket is not None and socket.done() and not stop.is_set():
        socket.result()
