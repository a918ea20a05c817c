"""The framework's floor for ``bench/ack.py``: a Bolt app whose slash command handler only acks.

It is served exactly as ``scnet-bot run`` serves HTTP mode (``bot.slack.http.events_handler``
on ``bot.web.build_web_app``) with the same Bolt settings (bot token and Web API base, signing
secret, ``process_before_response=False``), so the only difference from the bot is what the
listener does after ``ack()``: nothing. Reads SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET,
SLACK_API_URL and PORT from the environment (secrets stay off the command line) and listens on
127.0.0.1 until it is terminated. Run: .venv/bin/python -m bench.bare_bolt_app
"""

from __future__ import annotations

import asyncio
import os

from aiohttp import web
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.logs import configure_logging
from bot.slack.http import events_handler
from bot.web import build_web_app

COMMAND = "/scnet"


async def only_ack(ack: AsyncAck) -> None:
    await ack()


def build_bare_app(*, bot_token: str, signing_secret: str, api_url: str) -> AsyncApp:
    client = AsyncWebClient(token=bot_token, base_url=api_url)
    app = AsyncApp(client=client, signing_secret=signing_secret, process_before_response=False)
    app.command(COMMAND)(only_ack)
    return app


async def serve(*, port: int) -> None:
    app = build_bare_app(
        bot_token=os.environ["SLACK_BOT_TOKEN"],
        signing_secret=os.environ["SLACK_SIGNING_SECRET"],
        api_url=os.environ["SLACK_API_URL"],
    )
    runner = web.AppRunner(build_web_app(events_handler(app)))
    await runner.setup()
    try:
        await web.TCPSite(runner, host="127.0.0.1", port=port).start()
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()


def main() -> None:
    configure_logging("WARNING")  # as the bot runs under the benchmark (LOG_LEVEL=WARNING)
    asyncio.run(serve(port=int(os.environ["PORT"])))


if __name__ == "__main__":
    main()
