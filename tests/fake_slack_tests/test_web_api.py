"""Every Web API method the bot uses, through the real ``AsyncWebClient``: what it answers,
what it refuses, and what the fake recorded."""

from __future__ import annotations

import json
from typing import Any

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from tests.fake_slack import FakeSlack, ManualClock

TEXT_ONLY = {"type": "section", "text": {"type": "mrkdwn", "text": "hello"}}


def modal(blocks: list[dict[str, Any]] | None = None, **fields: Any) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": "create",
        "title": {"type": "plain_text", "text": "Create instance"},
        "blocks": [TEXT_ONLY] if blocks is None else blocks,
        **fields,
    }


async def api_error(call: Any) -> SlackApiError:
    with pytest.raises(SlackApiError) as caught:
        await call
    return caught.value


async def test_auth_test_answers_as_a_bot_token(client: AsyncWebClient, slack: FakeSlack) -> None:
    response = await client.auth_test()
    assert response["ok"] is True
    assert response["team_id"] == slack.team.id
    assert response["user_id"] == slack.bot_user_id
    assert response["bot_id"] == slack.team.bot_id
    assert response["url"] == slack.team.url
    # bolt reads the bot's scopes from this header of auth.test
    assert "chat:write" in response.headers["x-oauth-scopes"]
    [call] = slack.calls("auth.test")
    assert call.ok
    assert call.authorized
    assert call.transport == "query"  # slack_sdk sends auth.test arguments as params


async def test_a_wrong_or_missing_token_is_refused(
    slack: FakeSlack, session: aiohttp.ClientSession
) -> None:
    wrong = AsyncWebClient(token=slack.bot_token + "x", base_url=slack.api_url, session=session)
    error = await api_error(wrong.auth_test())
    assert error.response["error"] == "invalid_auth"
    assert error.response.status_code == 200
    anonymous = AsyncWebClient(base_url=slack.api_url, session=session)
    assert (await api_error(anonymous.auth_test())).response["error"] == "not_authed"
    assert [c.authorized for c in slack.calls("auth.test")] == [False, False]


async def test_post_message_answers_channel_ts_and_message(
    client: AsyncWebClient, slack: FakeSlack
) -> None:
    general = slack.add_channel("general")
    response = await client.chat_postMessage(channel=general.id, text="hi", blocks=[TEXT_ONLY])
    assert response["channel"] == general.id
    seconds, sequence = response["ts"].split(".")
    assert seconds.isdigit()
    assert len(sequence) == 6
    message = response["message"]
    assert message["ts"] == response["ts"]
    assert message["bot_id"] == slack.team.bot_id
    assert message["user"] == slack.bot_user_id
    assert message["text"] == "hi"
    # Slack stores blocks with generated block ids and explicit text flags
    assert message["blocks"][0]["block_id"]
    assert message["blocks"][0]["text"]["verbatim"] is False
    [call] = slack.calls("chat.postMessage")
    assert call.transport == "json"
    assert call.args["blocks"] == [TEXT_ONLY]  # as sent
    [stored] = slack.messages_to(general.id)
    assert stored.ts == response["ts"]
    assert stored.all_text() == "hi\nhello"


async def test_post_message_to_a_user_id_lands_in_the_dm(
    client: AsyncWebClient, slack: FakeSlack
) -> None:
    alice = slack.add_user("alice")
    response = await client.chat_postMessage(channel=alice.id, text="ready")
    assert response["channel"].startswith("D")
    assert response["channel"] == slack.dm_channel(alice.id)
    assert [m.text for m in slack.messages_to(alice.id)] == ["ready"]
    # update and delete need the DM's id, not the user id (Slack's docs say so)
    error = await api_error(client.chat_update(channel=alice.id, ts=response["ts"], text="x"))
    assert error.response["error"] == "channel_not_found"


async def test_post_message_validates_like_slack(client: AsyncWebClient, slack: FakeSlack) -> None:
    channel = slack.add_channel("ops").id
    assert (await api_error(client.chat_postMessage(channel="", text="x"))).response[
        "error"
    ] == "channel_not_found"
    with pytest.warns(UserWarning, match="top-level `text`"):
        no_text = await api_error(client.chat_postMessage(channel=channel))
    assert no_text.response["error"] == "no_text"
    too_many = await api_error(
        client.chat_postMessage(channel=channel, text="x", blocks=[TEXT_ONLY] * 51)
    )
    assert too_many.response["error"] == "invalid_blocks"
    assert too_many.response["response_metadata"]["messages"] == [
        "[ERROR] no more than 50 items allowed [json-pointer:/blocks]"
    ]
    long_section = {"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}
    too_long = await api_error(
        client.chat_postMessage(channel=channel, text="x", blocks=[long_section])
    )
    assert too_long.response["errors"] == [
        "must be less than 3001 characters [json-pointer:/blocks/0/text/text]"
    ]
    at_the_limits = [{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3000}}] * 50
    assert (await client.chat_postMessage(channel=channel, text="x", blocks=at_the_limits))["ok"]
    assert slack.count("chat.postMessage") == 5
    assert slack.count("chat.postMessage", ok=True) == 1


async def test_bot_must_be_in_the_channel_and_unknown_users_have_no_dm(
    client: AsyncWebClient, slack: FakeSlack
) -> None:
    outside = slack.add_channel("secret", is_private=True, is_member=False)
    error = await api_error(client.chat_postMessage(channel=outside.id, text="x"))
    assert error.response["error"] == "not_in_channel"
    error = await api_error(client.chat_postMessage(channel="U0NOBODY000", text="x"))
    assert error.response["error"] == "channel_not_found"


async def test_unknown_channels_exist_unless_strict(
    clock: ManualClock, session: aiohttp.ClientSession
) -> None:
    async with FakeSlack(clock=clock, strict_channels=True) as strict:
        client = AsyncWebClient(token=strict.bot_token, base_url=strict.api_url, session=session)
        error = await api_error(client.chat_postMessage(channel="C0UNKNOWN00", text="x"))
        assert error.response["error"] == "channel_not_found"
        named = strict.add_channel("alerts")
        assert (await client.chat_postMessage(channel="#alerts", text="x"))["channel"] == named.id


async def test_post_ephemeral_answers_message_ts(client: AsyncWebClient, slack: FakeSlack) -> None:
    alice = slack.add_user("alice")
    bob = slack.add_user("bob")
    team = slack.add_channel("team", members=[alice.id])
    response = await client.chat_postEphemeral(channel=team.id, user=alice.id, text="only you")
    assert set(response.data) == {"ok", "message_ts"}
    [message] = slack.messages_to(alice.id)
    assert message.ephemeral
    assert message.ephemeral_to == alice.id
    assert slack.public_messages(team.id) == []
    error = await api_error(client.chat_postEphemeral(channel=team.id, user=bob.id, text="x"))
    assert error.response["error"] == "user_not_in_channel"
    error = await api_error(client.chat_postEphemeral(channel=team.id, user="U0NONE", text="x"))
    assert error.response["error"] == "user_not_found"


async def test_update_and_delete_round_trip(client: AsyncWebClient, slack: FakeSlack) -> None:
    channel = slack.add_channel("ops").id
    posted = await client.chat_postMessage(channel=channel, text="starting")
    updated = await client.chat_update(channel=channel, ts=posted["ts"], text="running")
    assert updated["channel"] == channel
    assert updated["ts"] == posted["ts"]
    assert updated["text"] == "running"
    assert updated["message"]["text"] == "running"
    message = slack.message(channel, posted["ts"])
    assert message.edited
    assert [old["text"] for old in message.history] == ["starting"]
    deleted = await client.chat_delete(channel=channel, ts=posted["ts"])
    assert (deleted["channel"], deleted["ts"]) == (channel, posted["ts"])
    assert slack.messages_to(channel) == []
    assert len(slack.messages_to(channel, include_deleted=True)) == 1
    error = await api_error(client.chat_update(channel=channel, ts=posted["ts"], text="x"))
    assert error.response["error"] == "message_not_found"
    error = await api_error(client.chat_delete(channel=channel, ts="1.000001"))
    assert error.response["error"] == "message_not_found"


async def test_views_open_needs_a_fresh_trigger(
    client: AsyncWebClient, slack: FakeSlack, clock: ManualClock
) -> None:
    alice = slack.add_user("alice")
    trigger = slack.new_trigger_id(alice.id)
    response = await client.views_open(trigger_id=trigger, view=modal())
    view = response["view"]
    assert view["id"].startswith("V")
    assert view["hash"]
    assert view["root_view_id"] == view["id"]
    assert view["callback_id"] == "create"
    assert view["state"] == {"values": {}}
    assert slack.open_modals(alice.id) == [slack.view(view["id"])]
    again = await api_error(client.views_open(trigger_id=trigger, view=modal()))
    assert again.response["error"] == "exchanged_trigger_id"
    stale = slack.new_trigger_id(alice.id)
    clock.advance(3.01)
    expired = await api_error(client.views_open(trigger_id=stale, view=modal()))
    assert expired.response["error"] == "expired_trigger_id"
    unknown = await api_error(client.views_open(trigger_id="1.2.abcdef", view=modal()))
    assert unknown.response["error"] == "expired_trigger_id"
    garbled = await api_error(client.views_open(trigger_id="not-a-trigger", view=modal()))
    assert garbled.response["error"] == "invalid_trigger_id"
    missing = await api_error(client.views_open(view=modal()))
    assert missing.response["error"] == "invalid_arguments"


async def test_views_are_validated_as_slack_does(client: AsyncWebClient, slack: FakeSlack) -> None:
    def refused(view: dict[str, Any]) -> Any:
        return api_error(client.views_open(trigger_id=slack.new_trigger_id(), view=view))

    too_many = await refused(modal([TEXT_ONLY] * 101))
    assert too_many.response["error"] == "invalid_arguments"
    assert too_many.response["response_metadata"]["messages"] == [
        "[ERROR] no more than 100 items allowed [json-pointer:/view/blocks]"
    ]
    long_title = modal(title={"type": "plain_text", "text": "x" * 25})
    assert (
        "[json-pointer:/view/title/text]"
        in (await refused(long_title)).response["response_metadata"]["messages"][0]
    )
    number = {"type": "number_input", "action_id": "gpus"}  # lacks is_decimal_allowed
    needs = await refused(
        modal(
            [{"type": "input", "label": {"type": "plain_text", "text": "GPUs"}, "element": number}]
        )
    )
    assert set(needs.response["response_metadata"]["messages"]) == {
        "[ERROR] missing required field: is_decimal_allowed [json-pointer:/view/blocks/0/element]",
        "[ERROR] submit is required when an input block is present [json-pointer:/view]",
    }
    home_as_modal = await refused({"type": "home", "blocks": []})
    assert home_as_modal.response["error"] == "invalid_arguments"
    assert (
        await client.views_open(trigger_id=slack.new_trigger_id(), view=modal([TEXT_ONLY] * 100))
    )["ok"]


async def test_views_update_checks_hash_and_id(client: AsyncWebClient, slack: FakeSlack) -> None:
    opened = (await client.views_open(trigger_id=slack.new_trigger_id(), view=modal()))["view"]
    updated = await client.views_update(view_id=opened["id"], hash=opened["hash"], view=modal())
    assert updated["view"]["id"] == opened["id"]
    assert updated["view"]["hash"] != opened["hash"]
    stale = await api_error(
        client.views_update(view_id=opened["id"], hash=opened["hash"], view=modal())
    )
    assert stale.response["error"] == "hash_conflict"
    missing = await api_error(client.views_update(view_id="V0NOTTHERE0", view=modal()))
    assert missing.response["error"] == "not_found"
    by_external = await client.views_open(
        trigger_id=slack.new_trigger_id(), view=modal(external_id="ext-1")
    )
    again = await client.views_update(external_id="ext-1", view=modal(title=_title("Step 2")))
    assert again["view"]["id"] == by_external["view"]["id"]
    assert again["view"]["title"]["text"] == "Step 2"


def _title(text: str) -> dict[str, str]:
    return {"type": "plain_text", "text": text}


async def test_views_push_stacks_up_to_three(client: AsyncWebClient, slack: FakeSlack) -> None:
    alice = slack.add_user("alice")
    root = await client.views_open(trigger_id=slack.new_trigger_id(alice.id), view=modal())
    root_id = root["view"]["id"]
    pushed = await client.views_push(
        trigger_id=slack.new_trigger_id(alice.id, view_id=root_id), view=modal()
    )
    assert pushed["view"]["root_view_id"] == root_id
    assert pushed["view"]["previous_view_id"] == root_id
    await client.views_push(trigger_id=slack.new_trigger_id(alice.id), view=modal())
    full = await api_error(
        client.views_push(trigger_id=slack.new_trigger_id(alice.id), view=modal())
    )
    assert full.response["error"] == "push_limit_reached"
    nobody = await api_error(client.views_push(trigger_id=slack.new_trigger_id(), view=modal()))
    assert nobody.response["error"] == "not_found"


async def test_views_publish_keeps_one_home_per_user(
    client: AsyncWebClient, slack: FakeSlack
) -> None:
    alice = slack.add_user("alice")
    home = {"type": "home", "blocks": [TEXT_ONLY]}
    first = (await client.views_publish(user_id=alice.id, view=home))["view"]
    assert first["type"] == "home"
    second = (await client.views_publish(user_id=alice.id, view=home, hash=first["hash"]))["view"]
    assert second["id"] == first["id"]
    assert slack.home_view(alice.id) == second
    conflict = await api_error(client.views_publish(user_id=alice.id, view=home, hash="1.x"))
    assert conflict.response["error"] == "hash_conflict"
    unknown = await api_error(client.views_publish(user_id="U0NOBODY000", view=home))
    assert unknown.response["error"] == "user_not_found"
    too_many = await api_error(
        client.views_publish(user_id=alice.id, view={"type": "home", "blocks": [TEXT_ONLY] * 101})
    )
    assert too_many.response["error"] == "invalid_arguments"


async def test_users_info_gives_locale_only_when_asked(
    client: AsyncWebClient, slack: FakeSlack
) -> None:
    wang = slack.add_user("wang", locale="zh-CN", tz="Asia/Shanghai", is_admin=True, is_owner=True)
    plain = (await client.users_info(user=wang.id))["user"]
    assert "locale" not in plain
    assert plain["tz"] == "Asia/Shanghai"
    assert plain["tz_offset"] == 8 * 3600
    assert (plain["is_admin"], plain["is_owner"], plain["is_bot"]) == (True, True, False)
    assert (await client.users_info(user=wang.id, include_locale=True))["user"]["locale"] == "zh-CN"
    assert slack.calls("users.info")[0].transport == "query"  # a GET, arguments in the query
    missing = await api_error(client.users_info(user="U0NOBODY000"))
    assert missing.response["error"] == "user_not_found"
    bot = (await client.users_info(user=slack.bot_user_id))["user"]
    assert bot["is_bot"] is True


async def test_conversations_open_and_info(client: AsyncWebClient, slack: FakeSlack) -> None:
    alice = slack.add_user("alice")
    opened = await client.conversations_open(users=alice.id)
    dm = opened["channel"]["id"]
    assert dm.startswith("D")
    assert "no_op" not in opened.data
    again = await client.conversations_open(users=[alice.id], return_im=True)
    assert again["channel"]["id"] == dm
    assert again["channel"]["is_im"] is True
    assert again["channel"]["user"] == alice.id
    assert again["already_open"] is True
    info = (await client.conversations_info(channel=dm))["channel"]
    assert (info["is_im"], info["user"]) == (True, alice.id)
    general = slack.add_channel("general")
    described = (await client.conversations_info(channel=general.id, include_locale=True))[
        "channel"
    ]
    assert (described["name"], described["is_channel"], described["is_general"]) == (
        "general",
        True,
        True,
    )
    assert described["locale"] == "en-US"
    unknown = await api_error(client.conversations_open(users="U0NOBODY000"))
    assert unknown.response["error"] == "user_not_found"
    nothing = await api_error(client.conversations_info(channel="D0NOTADM000"))
    assert nothing.response["error"] == "channel_not_found"


async def test_form_encoded_arguments_and_form_token(
    slack: FakeSlack, session: aiohttp.ClientSession
) -> None:
    channel = slack.add_channel("ops").id
    client = AsyncWebClient(base_url=slack.api_url, session=session)
    response = await client.api_call(
        "chat.postMessage",
        data={
            "token": slack.bot_token,
            "channel": channel,
            "text": "form",
            "blocks": json.dumps([TEXT_ONLY]),
        },
    )
    assert response["ok"]
    [call] = slack.calls("chat.postMessage")
    assert call.transport == "form"
    assert call.args["blocks"] == [TEXT_ONLY]  # decoded from the JSON string
    assert "token" not in call.args
    bad = await api_error(
        client.api_call(
            "chat.postMessage",
            data={"token": slack.bot_token, "channel": channel, "blocks": "[not json"},
        )
    )
    assert bad.response["error"] == "invalid_blocks_format"


async def test_unknown_methods_and_markdown_text(client: AsyncWebClient, slack: FakeSlack) -> None:
    error = await api_error(client.api_call("chat.nonsense"))
    assert error.response["error"] == "unknown_method"
    channel = slack.add_channel("ops").id
    assert (await client.chat_postMessage(channel=channel, markdown_text="**bold**"))["ok"]
    conflict = await api_error(
        client.chat_postMessage(channel=channel, text="x", markdown_text="**bold**")
    )
    assert conflict.response["error"] == "markdown_text_conflict"
