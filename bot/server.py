"""``scnet-bot run``: Socket Mode when SLACK_APP_TOKEN is set, else HTTP mode on PORT."""

from __future__ import annotations

import asyncio
import gc
import logging
from contextlib import AsyncExitStack

from aiohttp import web

from bot.config import Settings
from bot.slack.http import events_handler, run_socket_mode
from bot.slack.sender import SlackDelivery
from bot.web import Watcher, build_web_app
from bot.wiring import open_runtime, slack_app, start_background

log = logging.getLogger(__name__)
GC_THRESHOLDS = (20_000, 20, 50)  # allocations before a young collection; then 20, 50 (older)


async def run_server(settings: Settings) -> None:
    settings.require("slack_bot_token", "slack_signing_secret", "encryption_keys")
    assert settings.slack_bot_token is not None
    assert settings.slack_signing_secret is not None
    async with AsyncExitStack() as stack:
        runtime = await open_runtime(settings, stack)
        delivery = SlackDelivery(
            token=settings.slack_bot_token.get_secret_value(),
            api_url=settings.slack_api_url,
            command=settings.slash_command,
        )
        stack.push_async_callback(delivery.close)
        background = await start_background(runtime, delivery.sender, stack)
        app = slack_app(runtime)
        # Everything built so far lives as long as the process: move it out of the collector's
        # reach, so that full collections during a burst of commands do not rescan it (they
        # stalled acks by 100-200 ms in bench/ack.py). A burst also leaves thousands of live
        # listener tasks waiting for SCNet; with the default thresholds the collector rescans
        # them every few hundred acks, which put the ack p99 at 115 ms for 3,000 commands in
        # bench/ack.py, against 43-53 ms with these (the p50 did not move).
        gc.collect()
        gc.freeze()
        gc.set_threshold(*GC_THRESHOLDS)
        watcher = Watcher(
            figures=background.upkeep.figures,
            is_leader=lambda: background.jobs.is_leader,
            turns=background.watcher.figures,
        )
        app_token = settings.slack_app_token
        # Socket Mode needs no public URL, but health checks and metrics still want a port.
        events = None if app_token is not None else events_handler(app)
        runner = web.AppRunner(build_web_app(events, watcher=watcher))
        await runner.setup()
        stack.push_async_callback(runner.cleanup)
        await web.TCPSite(runner, host="0.0.0.0", port=settings.port).start()  # noqa: S104
        if app_token is not None:
            log.info("Socket Mode; GET /healthz and GET /metrics on port %d", settings.port)
            await run_socket_mode(app, app_token.get_secret_value())
            return
        log.info(
            "HTTP mode: POST /slack/events, GET /healthz, GET /metrics on port %d", settings.port
        )
        await asyncio.Event().wait()
