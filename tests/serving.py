"""``scnet-bot run`` in-process for a test: its settings against the fakes, a held port, and
the server running until a block ends (``bot.server.run_server``)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp
import pytest

from bot.config import Settings, load_settings
from bot.server import run_server
from bot.store.keys import generate_key
from tests.fake_slack import FakeSlack
from tests.ports import held_port
from tests.scnet_fixtures import SimulatedScnet


@pytest.fixture
def port() -> Iterator[int]:
    """A port held from the OS for the server to serve on."""
    with held_port() as held:
        yield held


def settings_for(
    slack: FakeSlack, scnet: SimulatedScnet, tmp_path: Path, *, port: int, **more: object
) -> Settings:
    """The bot's settings against ``slack`` and ``scnet``, a SQLite file under ``tmp_path``."""
    return load_settings(
        slack_bot_token=slack.bot_token,
        slack_signing_secret=slack.signing_secret,
        slack_api_url=slack.api_url,
        scnet_api_url=scnet.base_url,
        scnet_auth_url=scnet.base_url,
        database_url=f"sqlite:///{tmp_path / 'bot.db'}",
        encryption_keys=generate_key(),
        scnet_read_attempts=1,  # a 503 is one request, not a retried read
        port=port,
        _env_file=None,
        **more,
    )


@asynccontextmanager
async def serving(settings: Settings) -> AsyncIterator[str]:
    """Run the server until the block ends; yields its base URL once /healthz answers."""
    task = asyncio.create_task(run_server(settings))
    base = f"http://127.0.0.1:{settings.port}"
    try:
        async with aiohttp.ClientSession() as http:
            for _ in range(200):
                if task.done():
                    task.result()  # raise what stopped it
                try:
                    async with http.get(f"{base}/healthz") as answer:
                        if answer.status == 200:
                            break
                except aiohttp.ClientError:
                    await asyncio.sleep(0.05)
            else:
                raise AssertionError("GET /healthz did not answer within 10 s")
        yield base
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


__all__ = ["port", "serving", "settings_for"]
