"""When the outbox tries a notice again, on the bot's injected clock: a 429 exactly after
Retry-After, a 5xx after the short backoff (1, 1, 2, 4 … s, capped, up to ``backoff_jitter``
early), dead after ``max_attempts``; through the real slack_sdk client and the fake Slack."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import timedelta

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.scnet.client import ScnetClient
from bot.services.notify import DeliveryPolicy, NotifyService
from bot.slack.sender import SlackSender
from bot.store.instances import SlackOrigin
from bot.store.outbox import Notice
from tests.watch.conftest import WatchEnv

POLICY = replace(DeliveryPolicy(), post_interval=0.0)  # the production schedule, unpaced


def notifier(env: WatchEnv, client: ScnetClient, slack_client: AsyncWebClient) -> NotifyService:
    return NotifyService(
        db=env.db,
        accounts=env.accounts,
        client=client,
        sender=SlackSender(slack_client),
        now=env.now,
        policy=POLICY,
        rng=random.Random(11),
    )


async def one_ready_dm(env: WatchEnv, name: str) -> str:
    """Create ``name`` from the owner's DM (so only the DM notice) and queue its notice."""
    dm_channel = env.slack.dm_channel(env.owner.user_id)
    instance_id = await env.create(name, origin=SlackOrigin(dm_channel))
    env.scnet.clock.advance(16)
    await env.watcher.sweep()
    return f"{instance_id}:ready:1"


async def pending(env: WatchEnv, key: str) -> Notice:
    notice = await env.notice(key)
    assert notice is not None
    return notice


def step(attempts: int) -> float:
    """The backoff after ``attempts`` attempts, before jitter."""
    return min(POLICY.backoff_cap, POLICY.backoff_base * 2 ** max(0, attempts - 2))


def waits(notice: Notice, env: WatchEnv) -> float:
    return (notice.next_attempt_at - env.now()).total_seconds()


async def test_retry_after_is_honoured_exactly_and_5xx_follow_the_short_schedule(
    env: WatchEnv, client: ScnetClient, slack_client: AsyncWebClient
) -> None:
    sender = notifier(env, client, slack_client)
    key = await one_ready_dm(env, "unlucky")
    env.slack.rate_limit_next("chat.postMessage", retry_after=1)
    env.slack.server_error_next("chat.postMessage", status=500, times=2)
    first_try = env.now()

    await sender.deliver_due()  # 429, Retry-After: 1
    notice = await pending(env, key)
    assert notice.status == "pending"
    assert notice.next_attempt_at == first_try + timedelta(seconds=1)
    assert "ratelimited" in (notice.last_error or "")

    for failed in (2, 3):  # then 500, 500
        env.scnet.clock.advance(waits(notice, env))
        await sender.deliver_due()
        notice = await pending(env, key)
        assert notice.status == "pending"
        assert notice.attempts == failed
        gap = step(failed)
        assert gap * (1 - POLICY.backoff_jitter) <= waits(notice, env) <= gap

    env.scnet.clock.advance(waits(notice, env))
    await sender.deliver_due()
    notice = await pending(env, key)
    assert notice.status == "sent"
    assert len(env.dms()) == 1  # exactly once
    took = env.now() - first_try
    assert took <= timedelta(seconds=4)  # 1 + 1 + 2 s of simulated time at most
    await sender.deliver_due()
    assert env.slack.count("chat.postMessage", ok=True) == 1


async def test_server_errors_back_off_to_the_cap_and_the_notice_dies_after_max_attempts(
    env: WatchEnv, client: ScnetClient, slack_client: AsyncWebClient
) -> None:
    sender = notifier(env, client, slack_client)
    key = await one_ready_dm(env, "down")
    env.slack.server_error_next("chat.postMessage", status=503, times=100)

    gaps: list[float] = []
    notice = await pending(env, key)
    while notice.status == "pending":
        await sender.deliver_due()
        notice = await pending(env, key)
        if notice.status == "pending":
            gaps.append(waits(notice, env))
            env.scnet.clock.advance(gaps[-1])

    assert notice.status == "dead"
    assert notice.attempts == POLICY.max_attempts
    assert env.slack.count("chat.postMessage", ok=False) == POLICY.max_attempts
    assert len(gaps) == POLICY.max_attempts - 1
    for attempts, gap in enumerate(gaps, start=1):
        most = step(attempts)
        assert most * (1 - POLICY.backoff_jitter) <= gap <= most
    assert max(gaps) <= POLICY.backoff_cap
    assert env.dms() == []
    # Slack recovering later changes nothing for a dead notice.
    env.slack.faults.clear()
    env.scnet.clock.advance(600)
    await sender.deliver_due()
    assert env.slack.count("chat.postMessage", ok=True) == 0


@pytest.mark.parametrize("retry_after", [1, 7])
async def test_a_429_is_due_again_exactly_after_its_retry_after(
    env: WatchEnv, client: ScnetClient, slack_client: AsyncWebClient, retry_after: int
) -> None:
    sender = notifier(env, client, slack_client)
    key = await one_ready_dm(env, f"limited-{retry_after}")
    env.slack.rate_limit_next("chat.postMessage", retry_after=retry_after)
    asked = env.now()
    await sender.deliver_due()
    notice = await pending(env, key)
    assert notice.next_attempt_at == asked + timedelta(seconds=retry_after)
    env.scnet.clock.advance(retry_after - 0.5)
    await sender.deliver_due()
    assert env.dms() == []  # not a moment early
    env.scnet.clock.advance(0.5)
    await sender.deliver_due()
    assert len(env.dms()) == 1
