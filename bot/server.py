"""``scnet-bot run``: Socket Mode when SLACK_APP_TOKEN is set, else HTTP mode on PORT."""

from __future__ import annotations

import asyncio
import gc
import logging
from contextlib import AsyncExitStack

from aiohttp import web

from bot.config import Settings
from bot.slack.app import SlackAdapter, SlackSettings, build_app
from bot.slack.http import events_handler, run_socket_mode
from bot.slack.people import People
from bot.slack.sender import SlackDelivery
from bot.web import build_web_app
from bot.wiring import open_runtime, start_background

log = logging.getLogger(__name__)


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
        await start_background(runtime, delivery.sender, stack)
        adapter = SlackAdapter(
            conversation=runtime.conversation,
            people=People(preferences=runtime.preferences, admins=frozenset(settings.bot_admins)),
            events=runtime.events,
            command=settings.slash_command,
        )
        app = build_app(
            adapter,
            SlackSettings(
                bot_token=settings.slack_bot_token.get_secret_value(),
                signing_secret=settings.slack_signing_secret.get_secret_value(),
                api_url=settings.slack_api_url,
                command=settings.slash_command,
            ),
        )
        # Everything built so far lives as long as the process: move it out of the collector's
        # reach, so that full collections during a burst of commands do not rescan it (they
        # stalled acks by 100-200 ms in bench/ack.py).
        gc.collect()
        gc.freeze()
        if settings.slack_app_token is not None:
            log.info("connecting to Slack in Socket Mode")
            await run_socket_mode(app, settings.slack_app_token.get_secret_value())
            return
        runner = web.AppRunner(build_web_app(events_handler(app)))
        await runner.setup()
        stack.push_async_callback(runner.cleanup)
        await web.TCPSite(runner, host="0.0.0.0", port=settings.port).start()  # noqa: S104
        log.info(
            "HTTP mode: POST /slack/events, GET /healthz, GET /metrics on port %d", settings.port
        )
        await asyncio.Event().wait()
