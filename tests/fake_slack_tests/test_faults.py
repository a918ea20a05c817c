"""Fault and limit knobs, seen through slack_sdk: 429 with Retry-After (and its retry
handler honouring it), 5xx, error bodies, per-channel pacing, latency."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator
from slack_sdk.web.async_client import AsyncWebClient

from tests.fake_slack import FakeSlack, Fault, ManualClock


async def test_rate_limited_answer_is_429_with_retry_after(
    client: AsyncWebClient, slack: FakeSlack
) -> None:
    slack.rate_limit_next("chat.postMessage", retry_after=30)
    channel = slack.add_channel("ops").id
    with pytest.raises(SlackApiError) as caught:
        await client.chat_postMessage(channel=channel, text="x")
    response = caught.value.response
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "30"
    assert response["error"] == "ratelimited"
    # the fault is spent: the next call goes through
    assert (await client.chat_postMessage(channel=channel, text="x"))["ok"]


async def test_slack_sdk_retry_handler_honours_retry_after(
    slack: FakeSlack, session: aiohttp.ClientSession
) -> None:
    # Retry-After 0: the handler sleeps 0 + random() < 1 s, the only real wait in this suite.
    client = AsyncWebClient(
        token=slack.bot_token,
        base_url=slack.api_url,
        session=session,
        retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=1)],
    )
    slack.rate_limit_next("auth.test", retry_after=0)
    assert (await client.auth_test())["ok"]
    assert [call.http_status for call in slack.calls("auth.test")] == [429, 200]


async def test_server_errors_and_their_retry_handler(
    slack: FakeSlack, session: aiohttp.ClientSession, client: AsyncWebClient
) -> None:
    slack.server_error_next("users.info", status=503)
    alice = slack.add_user("alice")
    with pytest.raises(SlackApiError) as caught:
        await client.users_info(user=alice.id)
    assert caught.value.response.status_code == 503
    assert caught.value.response["error"] == "service_unavailable"
    retrying = AsyncWebClient(
        token=slack.bot_token,
        base_url=slack.api_url,
        session=session,
        retry_handlers=[
            AsyncServerErrorRetryHandler(
                max_retry_count=2, interval_calculator=FixedValueRetryIntervalCalculator(0.0)
            )
        ],
    )
    slack.server_error_next("users.info", status=500, times=2)
    assert (await retrying.users_info(user=alice.id))["user"]["id"] == alice.id
    assert [c.http_status for c in slack.calls("users.info")] == [503, 500, 500, 200]


async def test_injected_api_errors_match_by_pattern(
    client: AsyncWebClient, slack: FakeSlack
) -> None:
    slack.fail_next("chat.*", "channel_is_archived", times=2)
    channel = slack.add_channel("ops").id
    for _ in range(2):
        with pytest.raises(SlackApiError) as caught:
            await client.chat_postMessage(channel=channel, text="x")
        assert caught.value.response.status_code == 200
        assert caught.value.response["error"] == "channel_is_archived"
    assert (await client.chat_postMessage(channel=channel, text="x"))["ok"]
    slack.inject("auth.test", Fault.api_error("token_revoked"), times=None)
    for _ in range(3):
        with pytest.raises(SlackApiError):
            await client.auth_test()


async def test_post_message_is_paced_per_channel(
    clock: ManualClock, session: aiohttp.ClientSession
) -> None:
    async with FakeSlack(clock=clock, enforce_rate_limits=True) as slack:
        client = AsyncWebClient(token=slack.bot_token, base_url=slack.api_url, session=session)
        ops, dev = slack.add_channel("ops").id, slack.add_channel("dev").id
        await client.chat_postMessage(channel=ops, text="1")
        await client.chat_postMessage(channel=dev, text="other channel")
        with pytest.raises(SlackApiError) as caught:
            await client.chat_postMessage(channel=ops, text="2")
        assert caught.value.response.status_code == 429
        assert caught.value.response.headers["Retry-After"] == "1"
        clock.advance(1.0)
        await client.chat_postMessage(channel=ops, text="2")
        assert [m.text for m in slack.messages_to(ops)] == ["1", "2"]


async def test_latency_holds_the_answer(slack: FakeSlack, session: aiohttp.ClientSession) -> None:
    slack.set_latency(5.0, "auth.test")
    timeout = aiohttp.ClientTimeout(total=0.05)
    with pytest.raises(asyncio.TimeoutError):
        await session.post(f"{slack.api_url}auth.test", timeout=timeout)
    slack.set_latency(0.0, "auth.test")
    async with session.post(
        f"{slack.api_url}auth.test", headers={"Authorization": f"Bearer {slack.bot_token}"}
    ) as response:
        assert (await response.json())["ok"] is True
