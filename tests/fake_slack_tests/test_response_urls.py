"""response_url posts through slack_sdk's webhook client (what bolt's ``respond`` uses):
recording, effects on messages, the five-post limit and expiry, and waiting without sleeps."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from tests.fake_slack import RESPONSE_URL, FakeSlack, ManualClock


async def test_posts_are_recorded_and_answered_ok(slack: FakeSlack) -> None:
    alice = slack.add_user("alice")
    url = slack.new_response_url(channel_id=slack.dm_channel(alice.id), user_id=alice.id)
    assert url.startswith(f"{slack.base_url}/commands/{slack.team.id}/")
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*3* instances"}}]
    response = await AsyncWebhookClient(url).send(text="3 instances", blocks=blocks)
    assert (response.status_code, response.body) == (200, "ok")
    [post] = slack.response_posts(url)
    assert post.text == "3 instances"
    assert post.blocks == blocks
    assert post.response_type is None  # ephemeral by default
    assert not post.replace_original
    [message] = slack.messages_to(alice.id)
    assert message.via == "response_url"
    assert message.ephemeral_to == alice.id


async def test_in_channel_posts_are_public(slack: FakeSlack) -> None:
    ops = slack.add_channel("ops")
    alice = slack.add_user("alice")
    url = slack.new_response_url(channel_id=ops.id, user_id=alice.id)
    hook = AsyncWebhookClient(url)
    await hook.send(text="private")
    await hook.send(text="everyone", response_type="in_channel")
    assert [m.text for m in slack.public_messages(ops.id)] == ["everyone"]
    assert [m.text for m in slack.messages_to(alice.id)] == ["private"]


async def test_sixth_post_is_refused(slack: FakeSlack) -> None:
    url = slack.new_response_url()
    hook = AsyncWebhookClient(url)
    answers = [await hook.send(text=f"update {n}") for n in range(6)]
    assert [a.status_code for a in answers] == [200] * 5 + [404]
    assert answers[-1].body == "used_url"
    assert len(slack.response_posts(url)) == 6
    assert slack.count(RESPONSE_URL, ok=True) == 5


async def test_url_expires_after_thirty_minutes(slack: FakeSlack, clock: ManualClock) -> None:
    url = slack.new_response_url()
    clock.advance(30 * 60 + 1)
    answer = await AsyncWebhookClient(url).send(text="late")
    assert (answer.status_code, answer.body) == (404, "expired_url")


async def test_bad_bodies_do_not_count(slack: FakeSlack, session: aiohttp.ClientSession) -> None:
    url = slack.new_response_url()
    async with session.post(url, data=b"not json") as response:
        assert (response.status, await response.text()) == (400, "invalid_payload")
    answer = await AsyncWebhookClient(url).send_dict({"response_type": "ephemeral"})
    assert (answer.status_code, answer.body) == (400, "no_text")
    answer = await AsyncWebhookClient(url).send(text="x", blocks=[{"type": "nonsense"}])
    assert (answer.status_code, answer.body) == (400, "invalid_blocks")
    unknown = AsyncWebhookClient(f"{slack.base_url}/commands/T0/1/never-issued")
    assert (await unknown.send(text="x")).body == "no_service"
    for n in range(5):
        assert (await AsyncWebhookClient(url).send(text=str(n))).status_code == 200


async def test_replace_and_delete_original(client: AsyncWebClient, slack: FakeSlack) -> None:
    ops = slack.add_channel("ops")
    alice = slack.add_user("alice")
    posted = await client.chat_postMessage(channel=ops.id, text="Restart gpu-1?")
    url = slack.new_response_url(
        channel_id=ops.id, user_id=alice.id, message_ts=posted["ts"], kind="actions"
    )
    await AsyncWebhookClient(url).send(text="Restarting gpu-1", replace_original=True)
    message = slack.message(ops.id, posted["ts"])
    assert message.text == "Restarting gpu-1"
    assert message.edited
    await AsyncWebhookClient(url).send_dict({"delete_original": True})
    assert slack.messages_to(ops.id) == []


async def test_wait_for_wakes_on_arrival(slack: FakeSlack) -> None:
    url = slack.new_response_url()
    waiter = asyncio.create_task(slack.wait_for(RESPONSE_URL, count=2))
    await asyncio.sleep(0)  # let the waiter start before anything arrives
    assert not waiter.done()
    hook = AsyncWebhookClient(url)
    await hook.send(text="one")
    await hook.send(text="two")
    calls = await waiter
    assert [call.args["text"] for call in calls] == ["one", "two"]


async def test_wait_for_times_out_with_what_it_saw(
    slack: FakeSlack, client: AsyncWebClient
) -> None:
    await client.auth_test()
    with pytest.raises(TimeoutError, match=r"1 chat.postMessage call\(s\), got 0.*auth.test:200"):
        await slack.wait_for("chat.postMessage", timeout=0.01)


async def test_clear_forgets_recordings(client: AsyncWebClient, slack: FakeSlack) -> None:
    channel = slack.add_channel("ops").id
    await client.chat_postMessage(channel=channel, text="x")
    slack.clear()
    assert slack.calls() == []
    assert slack.messages_to(channel) == []
    assert (await client.chat_postMessage(channel=channel, text="y"))["ok"]
