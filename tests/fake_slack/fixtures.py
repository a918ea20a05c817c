"""A pytest plugin with the fake Slack wired up; register it in ``tests/conftest.py``::

    pytest_plugins = ["tests.scnet_fixtures", "tests.fake_slack.fixtures"]

``fake_slack`` is started on loopback with a ``ManualClock`` (``slack_clock``) and has no
users or channels yet; ``slack_client`` is the real ``AsyncWebClient`` pointed at it, sharing
one aiohttp session that the fixture closes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.playground.fake_slack.clock import ManualClock
from bot.playground.fake_slack.server import FakeSlack


@pytest.fixture
def slack_clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
async def fake_slack(slack_clock: ManualClock) -> AsyncIterator[FakeSlack]:
    async with FakeSlack(clock=slack_clock) as fake:
        yield fake


@pytest.fixture
async def slack_client(fake_slack: FakeSlack) -> AsyncIterator[AsyncWebClient]:
    async with aiohttp.ClientSession() as session:
        yield AsyncWebClient(
            token=fake_slack.bot_token, base_url=fake_slack.api_url, session=session
        )
