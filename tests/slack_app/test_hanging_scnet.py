"""A hanging SCNet: the command is acked at once, the user hears we wait, then a final answer."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.scnet_fixtures import SimulatedScnet
from tests.slack_app.conftest import SlackWorld, open_world

AI = "/ai/openapi/v2/instance-service"


@pytest.fixture
async def slow_world(scnet: SimulatedScnet, tmp_path: Path) -> AsyncIterator[SlackWorld]:
    # The production shape, scaled down: a note after 5 s, timeouts that end by 20 s.
    async with open_world(
        scnet,
        tmp_path,
        still_waiting_after=0.2,
        scnet_timeout=0.5,
        scnet_read_attempts=3,
        scnet_read_deadline=1.2,
    ) as world:
        yield world


async def test_a_read_that_hangs_says_we_wait_then_that_nothing_changed(
    slow_world: SlackWorld,
) -> None:
    world = slow_world
    await world.log_in(world.alice)
    world.scnet.sim.faults.hang("GET", f"{AI}/task*", seconds=30, times=None)
    answer = await world.send(world.slack.slash_command(world.alice.id, "list"))
    assert answer.status == 200  # acked at once
    await world.slack.wait_for("response_url", count=2)
    waiting, final = (post.body for post in world.slack.response_posts())
    assert "Still waiting for SCNet" in str(waiting)
    assert "did not answer" in str(final)
    assert "nothing was changed" in str(final)


async def test_a_create_that_hangs_is_sent_once_and_its_outcome_is_unknown(
    slow_world: SlackWorld,
) -> None:
    world = slow_world
    await world.log_in(world.alice)
    world.scnet.sim.faults.hang("POST", f"{AI}/task", seconds=30, times=None)
    text = "create jupyter:4.4-py3.7-cpu name=hung"
    assert (await world.send(world.slack.slash_command(world.alice.id, text))).status == 200
    await world.slack.wait_for("response_url", count=2)
    waiting, final = (post.body for post in world.slack.response_posts())
    assert "Still waiting for SCNet" in str(waiting)
    assert "/scnet list" in str(final)
    assert world.scnet.sim.requests.count("POST", f"{AI}/task") == 1  # never retried


async def test_a_stop_that_hangs_says_its_outcome_is_unknown(slow_world: SlackWorld) -> None:
    world = slow_world
    await world.log_in(world.alice)
    await world.command(world.alice, "create jupyter:4.4-py3.7-cpu name=s1")
    card = (await world.command(world.alice, "status s1"))[-1]
    world.scnet.sim.faults.hang("POST", f"{AI}/task/actions/stop", seconds=30, times=None)
    before = len(world.slack.response_posts())
    await world.send(world.slack.block_action(world.alice.id, "instance.stop", message=card))
    await world.slack.wait_for("response_url", count=before + 2)
    final = world.slack.response_posts()[-1].body
    assert "unknown" in str(final)
    assert world.scnet.sim.requests.count("POST", f"{AI}/task/actions/stop") == 1
