"""The create queue through the real Bolt app: signed commands and button presses, the fake
Slack recording every reply, the simulator as SCNet, the simulator's clock as the bot's.

The leader's work (owner reads, the drain, the outbox) runs by hand through ``Leader.tick``,
built from the same runtime as ``start_background`` builds it, so nothing sleeps."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import aiohttp
import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.quota import QuotaLimits
from bot.scnet.simulator.wire import AI
from bot.services.notify import DeliveryPolicy, NotifyService
from bot.services.watch import WatchService
from bot.slack.blocks import ids
from bot.slack.sender import SlackSender
from bot.store import audit
from bot.store.identity import SlackUser
from bot.store.keys import generate_key
from bot.wiring import poll_policy
from tests.fake_slack import Message, User
from tests.scnet_fixtures import SimulatedScnet
from tests.slack_app.conftest import SlackWorld, open_world
from tests.slack_app.test_approvals import press_payload, rebuilt

IMAGE = "jupyter:4.4-py3.7-cpu"


@dataclass
class Leader:
    world: SlackWorld
    watcher: WatchService
    notifier: NotifyService

    async def tick(self) -> None:
        await self.watcher.sweep()
        await self.world.runtime.queue.drain()
        await self.notifier.deliver_due()

    async def run_for(self, seconds: float) -> None:
        for _ in range(int(seconds)):
            self.world.scnet.clock.advance(1)
            await self.tick()


@pytest.fixture
async def leader(world: SlackWorld) -> AsyncIterator[Leader]:
    async with leader_of(world) as running:
        yield running


@asynccontextmanager
async def leader_of(world: SlackWorld) -> AsyncIterator[Leader]:
    """The scheduler's work for ``world``'s runtime, run by hand (``Leader.tick``)."""
    runtime = world.runtime
    async with aiohttp.ClientSession() as http:
        client = AsyncWebClient(
            token=world.slack.bot_token,
            base_url=world.slack.api_url,
            session=http,
            retry_handlers=[],
        )
        yield Leader(
            world,
            WatchService(
                db=runtime.db,
                client=runtime.client,
                accounts=runtime.accounts,
                now=runtime.now,
                owner="leader",
                policy=poll_policy(runtime.settings),
                rng=random.Random(3),
                ledger=runtime.quota.merge_listing,
            ),
            NotifyService(
                db=runtime.db,
                accounts=runtime.accounts,
                client=runtime.client,
                sender=SlackSender(client),
                now=runtime.now,
                policy=DeliveryPolicy(lease=timedelta(seconds=60), post_interval=0.0),
            ),
        )


def creates(world: SlackWorld) -> list[str]:
    return [
        str(r.body.get("instanceServiceName")) if isinstance(r.body, dict) else "?"
        for r in world.scnet.sim.requests.matching("POST", f"{AI}/task")
    ]


def buttons(message: Message) -> list[str]:
    found: list[str] = []
    for block in message.blocks or []:
        elements = list(block.get("elements") or [])
        if block.get("accessory"):
            elements.append(block["accessory"])
        found += [str(e.get("action_id")) for e in elements if isinstance(e, dict)]
    return found


async def full_team(world: SlackWorld) -> None:
    """alice and chen logged in; the team's one place taken by alice's ``held``."""
    await world.log_in(world.alice, "alice")
    await world.log_in(world.chen, "bob")
    await world.runtime.quota.set_limits(
        world.slack.team.id, QuotaLimits(instances=1), member_user_id=None
    )
    await world.command(world.alice, f"create {IMAGE} name=held")


async def press(world: SlackWorld, user: User, action_id: str, message: Message) -> None:
    before = len(world.slack.response_posts())
    answer = await world.send(world.slack.block_action(user.id, action_id, message=message))
    assert answer.status == 200
    await world.slack.wait_for("response_url", count=before + 1)


async def test_a_refused_create_is_queued_from_its_card_and_from_queue(
    world: SlackWorld, leader: Leader
) -> None:
    await full_team(world)
    refused = (await world.command(world.chen, f"create {IMAGE} name=later"))[-1]
    assert ids.QUEUE_IT in buttons(refused)
    await press(world, world.chen, ids.QUEUE_IT, refused)
    queued = world.last_reply(world.chen)
    assert "later" in queued.all_text()
    assert ids.QUEUE_CANCEL in buttons(queued)

    typed = (await world.command(world.alice, f"create {IMAGE} name=second --queue"))[-1]
    assert "2" in typed.all_text()
    assert creates(world) == ["held"]  # nothing past the limit reached SCNet

    shown = (await world.command(world.alice, "queue"))[-1]
    text = shown.all_text()
    assert text.index("later") < text.index("second")
    assert world.chen.id in text
    assert world.alice.id in text
    assert buttons(shown).count(ids.QUEUE_CANCEL) == 1  # only alice's own row

    report = (await world.command(world.alice, "quota"))[-1]
    assert "Queue: 2 create" in report.all_text()


async def test_the_queue_drains_in_order_as_instances_end_with_a_dm_each(
    world: SlackWorld, leader: Leader
) -> None:
    await full_team(world)
    await world.command(world.chen, f"create {IMAGE} name=first --queue")
    await world.command(world.alice, f"create {IMAGE} name=next --queue")
    (held,) = world.scnet.sim.instances.values()

    world.scnet.sim.set_status(held.id, "Failed")
    await leader.run_for(50)  # past WATCH_RUNNING_INTERVAL: the end is seen
    assert creates(world) == ["held", "first"]
    dm = world.slack.messages_to(world.chen.id)[-1]
    assert "first" in dm.all_text()

    first = next(i for i in world.scnet.sim.instances.values() if i.spec.name == "first")
    assert first.owner == "bob"  # chen's own SCNet login
    # chen stops it through the bot: the place is free at once, before any read shows it.
    stopped = await world.command(world.chen, f"stop {first.id}")
    await press(world, world.chen, ids.CONFIRM_STOP, stopped[-1])
    await leader.tick()
    assert creates(world) == ["held", "first", "next"]
    async with world.runtime.db.transaction() as session:
        entries = await audit.latest(session, world.slack.team.id, limit=50)
    decisions = [(e.action, e.outcome) for e in entries]
    for expected in (("queue", "ok"), ("dequeue", "claimed"), ("queue_create", "ok")):
        assert expected in decisions


async def test_the_requester_cancels_from_the_button_and_nobody_else_can(
    world: SlackWorld, leader: Leader
) -> None:
    await full_team(world)
    queued = (await world.command(world.chen, f"create {IMAGE} name=maybe --queue"))[-1]
    shown = (await world.command(world.alice, "queue"))[-1]
    assert ids.QUEUE_CANCEL not in buttons(shown)
    # alice presses chen's button (from chen's reply): refused, nothing changes.
    await press(world, world.alice, ids.QUEUE_CANCEL, queued)
    assert "Only the member" in world.last_reply(world.alice).all_text()
    # From another workspace: no answer at all, nothing changes.
    stranger = world.slack.add_user("stranger")
    foreign = world.slack.block_action(stranger.id, ids.QUEUE_CANCEL, message=queued)
    payload = press_payload(foreign.body)
    payload["team"] = {"id": "T0OTHER0001", "domain": "elsewhere"}
    payload["user"]["team_id"] = "T0OTHER0001"
    before = len(world.slack.response_posts())
    assert (await world.send(rebuilt(foreign, payload))).status == 200
    await world.settle()
    assert len(world.slack.response_posts()) == before
    assert (await world.runtime.queue.length(world.slack.team.id)) == 1

    await press(world, world.chen, ids.QUEUE_CANCEL, queued)
    assert "已取消" in world.last_reply(world.chen).all_text()  # chen reads Chinese
    assert (await world.runtime.queue.length(world.slack.team.id)) == 0
    (held,) = world.scnet.sim.instances.values()
    world.scnet.sim.set_status(held.id, "Failed")
    await leader.run_for(50)
    assert creates(world) == ["held"]


async def test_app_home_shows_my_queued_creates(world: SlackWorld, leader: Leader) -> None:
    await full_team(world)
    await world.command(world.chen, f"create {IMAGE} name=homebound --queue")
    assert (await world.send(world.slack.app_home_opened(world.chen.id))).status == 200
    await world.slack.wait_for("views.publish")
    home = world.slack.home_view(world.chen.id)
    assert home is not None
    assert "homebound" in str(home["blocks"])
    assert ids.QUEUE_CANCEL in str(home["blocks"])


async def test_a_queued_create_past_the_ttl_is_dropped_with_a_dm(
    world: SlackWorld, leader: Leader
) -> None:
    await full_team(world)
    await world.command(world.chen, f"create {IMAGE} name=stale --queue")
    world.scnet.clock.advance(timedelta(hours=72, seconds=1).total_seconds())
    await leader.tick()
    assert await world.runtime.queue.length(world.slack.team.id) == 0
    dm = world.slack.messages_to(world.chen.id)[-1]
    assert "stale" in dm.all_text()
    assert "72" in dm.all_text()
    entries = await _audit(world, SlackUser(world.slack.team.id, world.chen.id))
    assert ("queue_drop", "expired") in entries


async def _audit(world: SlackWorld, user: SlackUser) -> list[tuple[str, str]]:
    async with world.runtime.db.transaction() as session:
        entries = await audit.latest(session, user.team_id, limit=50)
    return [(e.action, e.outcome) for e in entries if e.actor == user]


async def test_the_queue_drains_in_order_across_a_restart(
    scnet: SimulatedScnet, tmp_path: Path, database_url: str
) -> None:
    same = {"database_url": database_url, "encryption_keys": generate_key()}
    async with open_world(scnet, tmp_path, **same) as before:
        await full_team(before)
        await before.command(before.chen, f"create {IMAGE} name=one --queue")
        await before.command(before.alice, f"create {IMAGE} name=two --queue")
    async with open_world(scnet, tmp_path, **same) as after, leader_of(after) as leader:
        (held,) = scnet.sim.instances.values()
        scnet.sim.set_status(held.id, "Failed")
        await leader.run_for(50)
        assert creates(after) == ["held", "one"]
        shown = (await after.command(after.alice, "queue"))[-1].all_text()
        assert "two" in shown
        assert "one" not in shown
        assert "one" in after.slack.messages_to(after.chen.id)[-1].all_text()


@pytest.mark.postgres
@pytest.mark.parametrize("database_backend", ["postgres"], indirect=True)
async def test_a_new_leader_finds_the_create_the_old_one_sent_and_goes_on_in_order(
    scnet: SimulatedScnet, tmp_path: Path, database_url: str
) -> None:
    same = {"database_url": database_url, "encryption_keys": generate_key(), "scnet_timeout": 0.5}
    async with open_world(scnet, tmp_path, **same) as old, leader_of(old) as leading:
        await full_team(old)
        await old.command(old.chen, f"create {IMAGE} name=one --queue")
        await old.command(old.alice, f"create {IMAGE} name=two --queue")
        # SCNet creates "one" but its answer is lost; then the old leader is gone.
        scnet.sim.faults.hang("POST", f"{AI}/task", seconds=30, after_handler=True)
        await old.command(old.alice, "delete held")
        await press(old, old.alice, ids.CONFIRM_DELETE, old.last_reply(old.alice))
        await leading.tick()
        assert creates(old) == ["held", "one"]
    async with open_world(scnet, tmp_path, **same) as new, leader_of(new) as leader:
        await leader.run_for(20)  # past the unknown create's settle time
        assert creates(new) == ["held", "one"]  # found by name, not made again
        one = next(i for i in scnet.sim.instances.values() if i.spec.name == "one")
        await new.command(new.chen, f"stop {one.id}")  # it runs: SCNet deletes no running one
        await press(new, new.chen, ids.CONFIRM_STOP, new.last_reply(new.chen))
        await leader.tick()
        assert creates(new) == ["held", "one", "two"]
