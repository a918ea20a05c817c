"""Delivery through the real slack_sdk client to the fake Slack: 429 Retry-After, 5xx backoff,
a channel the bot cannot post in, no answer at all, and a sender that died holding a lease."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta

import aiohttp
import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.notices import Delivery
from bot.scnet.client import ScnetClient
from bot.services.notify import NotifyService
from bot.slack.sender import SlackSender
from bot.store import outbox
from tests.watch.conftest import DELIVERY, WatchEnv


async def ready_notices(env: WatchEnv, name: str) -> str:
    """Create ``name`` and run until its notices are queued (not yet delivered)."""
    instance_id = await env.create(name)
    env.scnet.clock.advance(16)
    await env.watcher.sweep()  # Running: the notices are queued now
    assert await env.notice(f"{instance_id}:ready:1") is not None
    return instance_id


async def test_a_429_waits_for_retry_after_then_delivers_once(env: WatchEnv) -> None:
    instance_id = await ready_notices(env, "busy")
    env.slack.rate_limit_next("chat.postMessage", retry_after=30, times=2)

    await env.notifier.deliver_due()
    assert env.slack.count("chat.postMessage", ok=True) == 0
    notice = await env.notice(f"{instance_id}:ready:1")
    assert notice is not None
    assert notice.status == "pending"
    assert notice.next_attempt_at == env.now() + timedelta(seconds=30)

    await env.run_for(29)
    assert env.slack.count("chat.postMessage", ok=True) == 0  # Retry-After is honoured
    await env.run_for(1)
    await env.run_for(60, step=5)
    assert env.slack.count("chat.postMessage", ok=True) == 2  # the DM and the channel post
    assert len(env.dms()) == 1
    assert len(env.channel_posts()) == 1


async def test_server_errors_back_off_and_then_deliver_once(env: WatchEnv) -> None:
    instance_id = await ready_notices(env, "flaky")
    env.slack.server_error_next("chat.postMessage", status=503, times=3)

    await env.notifier.deliver_due()  # both notices hit 503; the DM's third attempt too
    await env.run_for(4)
    assert env.dms() == []
    await env.run_for(60, step=1)
    assert len(env.dms()) == 1
    assert len(env.channel_posts()) == 1
    notice = await env.notice(f"{instance_id}:ready:1")
    assert notice is not None
    assert notice.status == "sent"
    assert notice.attempts > 1


async def test_a_channel_the_bot_left_costs_only_the_channel_notice(env: WatchEnv) -> None:
    env.slack.workspace.channels[env.channel].is_member = False
    instance_id = await ready_notices(env, "orphan")
    await env.run_for(10)
    assert len(env.dms()) == 1
    channel_notice = await env.notice(f"{instance_id}:ready-channel:1")
    assert channel_notice is not None
    assert channel_notice.status == "dead"
    assert channel_notice.last_error is not None
    assert "not_in_channel" in channel_notice.last_error
    await env.run_for(60, step=5)
    assert env.slack.count("chat.postMessage", ok=False) == 1  # no retry of a dead one


async def test_no_answer_from_slack_is_retried(env: WatchEnv, client: ScnetClient) -> None:
    instance_id = await ready_notices(env, "offline")
    async with aiohttp.ClientSession() as session:
        nowhere = AsyncWebClient(  # nothing listens on the discard port
            token="xoxb-test",
            base_url="http://127.0.0.1:9/api/",
            session=session,
            timeout=2,
            retry_handlers=[],
        )
        offline = NotifyService(
            db=env.db,
            accounts=env.accounts,
            client=client,
            sender=SlackSender(nowhere),
            now=env.now,
            policy=DELIVERY,
        )
        await offline.deliver_due()
    notice = await env.notice(f"{instance_id}:ready:1")
    assert notice is not None
    assert notice.status == "pending"
    await env.run_for(10)
    assert len(env.dms()) == 1


async def test_a_sender_that_died_holding_a_notice_loses_nothing(env: WatchEnv) -> None:
    instance_id = await ready_notices(env, "orphaned-lease")
    async with env.db.transaction() as session:  # a sender claims, then dies before sending
        claimed = await outbox.claim_due(session, now=env.now(), lease_for=DELIVERY.lease)
    assert len(claimed) == 2

    await env.run_for(59)
    assert env.dms() == []  # still leased to the dead sender
    await env.run_for(2)
    assert len(env.dms()) == 1
    assert len(env.channel_posts()) == 1
    notice = await env.notice(f"{instance_id}:ready:1")
    assert notice is not None
    assert notice.status == "sent"


class StuckSender:
    """A sender whose Slack never answers: ``entered`` is set once a send is under way."""

    def __init__(self) -> None:
        self.entered = asyncio.Event()

    async def send(self, delivery: Delivery) -> None:
        self.entered.set()
        await asyncio.Event().wait()


async def test_a_sender_shut_down_mid_run_hands_its_claims_back(
    env: WatchEnv, client: ScnetClient
) -> None:
    instance_id = await ready_notices(env, "rolling-deploy")
    stuck = StuckSender()
    leaving = NotifyService(
        db=env.db, accounts=env.accounts, client=client, sender=stuck, now=env.now, policy=DELIVERY
    )
    run = asyncio.create_task(leaving.deliver_due())
    await asyncio.wait_for(stuck.entered.wait(), timeout=10)
    run.cancel()  # what a SIGTERM does to the running job
    with pytest.raises(asyncio.CancelledError):
        await run

    for key in (f"{instance_id}:ready:1", f"{instance_id}:ready-channel:1"):
        notice = await env.notice(key)
        assert notice is not None
        assert (notice.status, notice.attempts) == ("pending", 0)
        assert notice.next_attempt_at == env.now()  # due at once, not when the lease ends
    await env.run_for(1)  # the replica that stays
    assert len(env.dms()) == 1
    assert len(env.channel_posts()) == 1


async def test_posts_to_one_channel_are_paced_instead_of_refused(
    env: WatchEnv, client: ScnetClient, slack_client: AsyncWebClient
) -> None:
    """Five instances created from one channel turn ready together: five DMs to the owner and
    five channel posts. Slack allows one post per channel per 0.25 s here; the notifier posts
    one per target per turn and hands the rest back for the next turns, so nothing is refused
    and none of them counts a failed attempt. One manual clock drives the outbox, the pace and
    Slack's limit."""
    env.slack.limits.enforce_rate_limits = True
    env.slack.limits.post_interval = 0.25
    env.slack.limits.clock = env.scnet.clock
    created = [await env.create(f"batch-{index}") for index in range(5)]
    env.scnet.clock.advance(16)
    await env.watcher.sweep()
    paced = NotifyService(
        db=env.db,
        accounts=env.accounts,
        client=client,
        sender=SlackSender(slack_client),
        now=env.now,
        policy=replace(DELIVERY, post_interval=0.25, post_burst=1),
        monotonic=env.scnet.clock,
    )

    sent = [await paced.deliver_due()]  # one DM and one channel post; the rest wait their turn
    for _ in range(4):
        env.scnet.clock.advance(0.25)
        sent.append(await paced.deliver_due())

    assert sent == [2, 2, 2, 2, 2]
    assert env.slack.count("chat.postMessage", ok=False) == 0
    assert len(env.dms()) == 5
    assert len(env.channel_posts()) == 5
    last = await env.notice(f"{created[-1]}:ready:1")
    assert last is not None
    assert (last.status, last.attempts) == ("sent", 1)
