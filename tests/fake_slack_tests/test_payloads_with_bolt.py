"""The payload builders, read by a real bolt ``AsyncApp`` wired to the fake: each request is
signed, verified, parsed and routed by bolt, and the listener's replies come back to the fake.
This pins the builders to the shapes bolt (and so Slack) uses."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import aiohttp
import pytest
from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.web.async_client import AsyncWebClient

from tests.fake_slack import (
    RESPONSE_URL,
    FakeSlack,
    SlackRequest,
    action_for,
    state_values,
)

SIZE_OPTIONS = [
    {"text": {"type": "plain_text", "text": "1 GPU"}, "value": "1"},
    {"text": {"type": "plain_text", "text": "2 GPUs"}, "value": "2"},
]
CREATE_VIEW: dict[str, Any] = {
    "type": "modal",
    "callback_id": "create",
    "private_metadata": "team=ml",
    "title": {"type": "plain_text", "text": "Create"},
    "submit": {"type": "plain_text", "text": "Create"},
    "blocks": [
        {
            "type": "input",
            "block_id": "name",
            "label": {"type": "plain_text", "text": "Name"},
            "element": {"type": "plain_text_input", "action_id": "name"},
        },
        {
            "type": "input",
            "block_id": "size",
            "label": {"type": "plain_text", "text": "Size"},
            "element": {
                "type": "static_select",
                "action_id": "size",
                "options": SIZE_OPTIONS,
                "initial_option": SIZE_OPTIONS[0],
            },
        },
        {
            "type": "input",
            "block_id": "kind",
            "label": {"type": "plain_text", "text": "Kind"},
            "element": {
                "type": "radio_buttons",
                "action_id": "kind",
                "options": [
                    {"text": {"type": "plain_text", "text": "Jupyter"}, "value": "jupyter"},
                    {"text": {"type": "plain_text", "text": "SSH"}, "value": "ssh"},
                ],
            },
        },
        {
            "type": "input",
            "block_id": "opts",
            "optional": True,
            "label": {"type": "plain_text", "text": "Options"},
            "element": {
                "type": "checkboxes",
                "action_id": "opts",
                "options": [
                    {"text": {"type": "plain_text", "text": "Watch"}, "value": "watch"},
                    {"text": {"type": "plain_text", "text": "Notify"}, "value": "notify"},
                ],
            },
        },
        {
            "type": "input",
            "block_id": "hours",
            "label": {"type": "plain_text", "text": "Hours"},
            "element": {"type": "number_input", "action_id": "hours", "is_decimal_allowed": False},
        },
    ],
}


@pytest.fixture
def app(slack: FakeSlack, session: aiohttp.ClientSession) -> AsyncApp:
    client = AsyncWebClient(token=slack.bot_token, base_url=slack.api_url, session=session)
    return AsyncApp(client=client, signing_secret=slack.signing_secret)


async def dispatch(app: AsyncApp, slack: FakeSlack, request: SlackRequest) -> Any:
    headers: dict[str, str | Sequence[str]] = {**request.headers(slack.signing_secret)}
    bolt_request = AsyncBoltRequest(body=request.text, headers=headers)
    return await app.async_dispatch(bolt_request)


async def test_slash_command_reaches_its_listener(app: AsyncApp, slack: FakeSlack) -> None:
    alice = slack.add_user("alice")
    heard: dict[str, Any] = {}

    async def on_scnet(ack: AsyncAck, command: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()
        heard.update(command)
        await respond(text="working on it")

    app.command("/scnet")(on_scnet)
    request = slack.slash_command(alice.id, "create gpu-1")
    assert list(request.payload()) == [
        "token",
        "team_id",
        "team_domain",
        "channel_id",
        "channel_name",
        "user_id",
        "user_name",
        "command",
        "text",
        "api_app_id",
        "is_enterprise_install",
        "response_url",
        "trigger_id",
    ]
    response = await dispatch(app, slack, request)
    assert response.status == 200
    [post] = await slack.wait_for(RESPONSE_URL)
    assert post.args["text"] == "working on it"
    assert heard["text"] == "create gpu-1"
    assert heard["user_id"] == alice.id
    assert heard["channel_id"] == slack.dm_channel(alice.id)
    assert slack.count("auth.test") == 1  # bolt authorised itself against the fake
    assert [m.text for m in slack.messages_to(alice.id)] == ["working on it"]


async def test_command_trigger_opens_a_modal(app: AsyncApp, slack: FakeSlack) -> None:
    alice = slack.add_user("alice")

    async def on_scnet(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        await client.views_open(trigger_id=body["trigger_id"], view=CREATE_VIEW)

    app.command("/scnet")(on_scnet)
    await dispatch(app, slack, slack.slash_command(alice.id, "create"))
    [opened] = await slack.wait_for("views.open")
    assert opened.ok, opened.response
    assert slack.open_modals(alice.id)[0]["callback_id"] == "create"


async def test_block_action_on_a_message(
    app: AsyncApp, slack: FakeSlack, client: AsyncWebClient
) -> None:
    ops = slack.add_channel("ops")
    alice = slack.add_user("alice")
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": "gpu-1 is *Running*"}},
        {
            "type": "actions",
            "elements": [
                {
                    "type": "button",
                    "action_id": "restart",
                    "value": "inst-42",
                    "text": {"type": "plain_text", "text": "Restart"},
                    "style": "danger",
                }
            ],
        },
    ]
    posted = await client.chat_postMessage(channel=ops.id, text="gpu-1", blocks=blocks)
    heard: dict[str, Any] = {}

    async def on_restart(ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()
        heard.update(body)
        await respond(text="Restarting gpu-1", replace_original=True)

    app.action("restart")(on_restart)
    message = slack.message(ops.id, posted["ts"])
    stored_block_id = posted["message"]["blocks"][1]["block_id"]  # Slack generated it
    await dispatch(app, slack, slack.block_action(alice.id, "restart", message=message))
    await slack.wait_for(RESPONSE_URL)
    [action] = heard["actions"]
    assert (action["type"], action["value"], action["style"]) == ("button", "inst-42", "danger")
    assert action["block_id"] == stored_block_id
    assert heard["container"] == {
        "type": "message",
        "message_ts": posted["ts"],
        "channel_id": ops.id,
        "is_ephemeral": False,
    }
    assert heard["message"]["ts"] == posted["ts"]
    assert heard["user"]["id"] == alice.id
    replaced = slack.message(ops.id, posted["ts"])
    assert (replaced.text, replaced.blocks) == ("Restarting gpu-1", None)  # a whole new message


async def test_block_action_on_an_ephemeral_message_has_no_message(
    app: AsyncApp, slack: FakeSlack, client: AsyncWebClient
) -> None:
    alice = slack.add_user("alice")
    ops = slack.add_channel("ops")
    button = {"type": "button", "action_id": "ok", "text": {"type": "plain_text", "text": "OK"}}
    await client.chat_postEphemeral(
        channel=ops.id, user=alice.id, text="x", blocks=[{"type": "actions", "elements": [button]}]
    )
    [message] = slack.messages_to(alice.id)
    request = slack.block_action(alice.id, "ok", message=message)
    payload = request.payload()
    assert "message" not in payload
    assert payload["container"]["is_ephemeral"] is True
    heard: list[str] = []

    async def on_ok(ack: AsyncAck, body: dict[str, Any]) -> None:
        await ack()
        heard.append(body["actions"][0]["action_id"])

    app.action("ok")(on_ok)
    assert (await dispatch(app, slack, request)).status == 200
    assert heard == ["ok"]


async def test_view_submission_state_values(
    app: AsyncApp, slack: FakeSlack, client: AsyncWebClient
) -> None:
    alice = slack.add_user("alice")
    view = (await client.views_open(trigger_id=slack.new_trigger_id(alice.id), view=CREATE_VIEW))[
        "view"
    ]
    heard: dict[str, Any] = {}

    async def on_create(ack: AsyncAck, view: dict[str, Any]) -> None:
        heard.update(view)
        await ack(response_action="errors", errors={"name": "taken"})

    app.view("create")(on_create)
    request = slack.view_submission(
        alice.id, view["id"], {"name": "gpu-1", "kind": "ssh", "opts": ["notify"], "hours": "4"}
    )
    response = await dispatch(app, slack, request)
    assert response.status == 200
    assert response.body == '{"response_action": "errors", "errors": {"name": "taken"}}'
    assert heard["id"] == view["id"]
    assert heard["private_metadata"] == "team=ml"
    assert heard["state"]["values"] == {
        "name": {"name": {"type": "plain_text_input", "value": "gpu-1"}},
        "size": {  # the initial option, as Slack stored it (with "emoji": true)
            "size": {
                "type": "static_select",
                "selected_option": {
                    "text": {"type": "plain_text", "text": "1 GPU", "emoji": True},
                    "value": "1",
                },
            }
        },
        "kind": {
            "kind": {
                "type": "radio_buttons",
                "selected_option": {
                    "text": {"type": "plain_text", "text": "SSH", "emoji": True},
                    "value": "ssh",
                },
            }
        },
        "opts": {
            "opts": {
                "type": "checkboxes",
                "selected_options": [
                    {
                        "text": {"type": "plain_text", "text": "Notify", "emoji": True},
                        "value": "notify",
                    }
                ],
            }
        },
        "hours": {"hours": {"type": "number_input", "value": "4"}},
    }


async def test_block_action_inside_a_modal_then_push(
    app: AsyncApp, slack: FakeSlack, client: AsyncWebClient
) -> None:
    alice = slack.add_user("alice")
    view = dict(CREATE_VIEW)
    view["blocks"] = [
        *CREATE_VIEW["blocks"][:1],
        {
            "type": "actions",
            "elements": [
                {
                    "type": "static_select",
                    "action_id": "pick",
                    "options": SIZE_OPTIONS,
                }
            ],
        },
    ]
    opened = (await client.views_open(trigger_id=slack.new_trigger_id(alice.id), view=view))["view"]
    heard: dict[str, Any] = {}

    async def on_pick(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        heard.update(body)
        await client.views_push(trigger_id=body["trigger_id"], view=CREATE_VIEW)

    app.action("pick")(on_pick)
    request = slack.block_action(
        alice.id, "pick", view_id=opened["id"], value="2", values={"name": "draft"}
    )
    await dispatch(app, slack, request)
    [pushed] = await slack.wait_for("views.push")
    assert pushed.ok, pushed.response
    assert heard["container"] == {"type": "view", "view_id": opened["id"]}
    assert heard["actions"][0]["selected_option"]["value"] == "2"
    assert heard["view"]["state"]["values"]["name"]["name"]["value"] == "draft"
    assert "response_url" not in heard


async def test_app_home_opened_event(app: AsyncApp, slack: FakeSlack) -> None:
    alice = slack.add_user("alice")

    async def on_home(event: dict[str, Any], client: AsyncWebClient) -> None:
        await client.views_publish(
            user_id=event["user"], view={"type": "home", "blocks": [{"type": "divider"}]}
        )

    app.event("app_home_opened")(on_home)
    request = slack.app_home_opened(alice.id)
    envelope = request.payload()
    assert envelope["type"] == "event_callback"
    assert envelope["event_id"].startswith("Ev")
    assert envelope["event_time"] == int(slack.clock())
    assert "view" not in envelope["event"]  # nothing published yet
    assert (await dispatch(app, slack, request)).status == 200
    await slack.wait_for("views.publish")
    home = slack.home_view(alice.id)
    assert home is not None
    assert slack.app_home_opened(alice.id).payload()["event"]["view"]["id"] == home["id"]


def test_state_values_refuse_what_the_view_does_not_offer() -> None:
    blocks = CREATE_VIEW["blocks"]
    with pytest.raises(ValueError, match="offers no option '9'"):
        state_values(blocks, {"size": "9"})
    with pytest.raises(KeyError, match="nope"):
        state_values(blocks, {"nope": "x"})
    with pytest.raises(ValueError, match="takes a list"):
        state_values(blocks, {"opts": "watch"})
    empty = state_values(blocks, {})
    assert empty["name"]["name"]["value"] is None
    assert empty["opts"]["opts"]["selected_options"] == []
    with pytest.raises(KeyError, match="missing"):
        action_for(blocks, "missing")
