"""``scnet-bot run`` in-process for these tests: the simulator on the wall clock, the
server on a held port, signed slash commands and ``GET /metrics``."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp
import pytest

from bot.config import Settings, load_settings
from bot.scnet.simulator import ManualClock, ScnetSimulator
from bot.server import run_server
from bot.store.keys import generate_key
from tests.fake_slack import FakeSlack
from tests.ports import held_port
from tests.scnet_fixtures import SimulatedScnet

TASK = "/ai/openapi/v2/instance-service/task"


@pytest.fixture
async def scnet() -> AsyncIterator[SimulatedScnet]:
    """The simulator on the wall clock: the bot checks a token's expiry against its own."""
    sim = ScnetSimulator()
    sim.add_user("alice")
    base = await sim.start()
    try:
        yield SimulatedScnet(sim=sim, clock=ManualClock(), base_url=base)
    finally:
        await sim.stop()


@pytest.fixture
def port() -> Iterator[int]:
    with held_port() as held:
        yield held


def settings_for(
    slack: FakeSlack, scnet: SimulatedScnet, tmp_path: Path, *, port: int, **more: object
) -> Settings:
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
    task = asyncio.create_task(run_server(settings))
    base = f"http://127.0.0.1:{settings.port}"
    try:
        async with aiohttp.ClientSession() as http:
            for _ in range(200):
                if task.done():
                    task.result()
                try:
                    async with http.get(f"{base}/healthz") as answer:
                        if answer.status == 200:
                            break
                except aiohttp.ClientConnectionError:
                    await asyncio.sleep(0.05)
            else:
                raise AssertionError("GET /healthz did not answer within 10 s")
        yield base
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def post_command(base: str, slack: FakeSlack, user_id: str, text: str) -> None:
    request = slack.slash_command(user_id, text)
    async with (
        aiohttp.ClientSession() as http,
        http.post(
            f"{base}/slack/events",
            data=request.body,
            headers=request.headers(slack.signing_secret),
        ) as answer,
    ):
        assert answer.status == 200


async def get_metrics(base: str) -> str:
    async with aiohttp.ClientSession() as http, http.get(f"{base}/metrics") as answer:
        assert answer.status == 200
        assert answer.headers["Content-Type"].startswith("text/plain")
        return await answer.text()
