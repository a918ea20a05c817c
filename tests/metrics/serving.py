"""``scnet-bot run`` in-process for these tests (``tests.serving``): the simulator on the wall
clock, signed slash commands and ``GET /metrics``."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from bot.scnet.simulator import ManualClock, ScnetSimulator
from tests.fake_slack import FakeSlack
from tests.scnet_fixtures import SimulatedScnet
from tests.serving import port, serving, settings_for

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


__all__ = ["TASK", "get_metrics", "port", "post_command", "scnet", "serving", "settings_for"]
