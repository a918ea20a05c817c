"""Socket Mode through slack_sdk's own aiohttp ``SocketModeClient``: the URL, the hello, the
envelopes it parses, the acks it sends, and a refresh."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.socket_mode.aiohttp import SocketModeClient
from slack_sdk.socket_mode.async_client import AsyncBaseSocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse
from slack_sdk.web.async_client import AsyncWebClient

from tests.fake_slack import FakeSlack, url_verification


class App:
    """A Socket Mode app that records what arrives and acks (or not) as told."""

    def __init__(self, *, ack: bool = True, payload: dict[str, Any] | None = None) -> None:
        self.ack = ack
        self.payload = payload
        self.messages: list[dict[str, Any]] = []
        self.requests: list[SocketModeRequest] = []

    async def on_message(
        self, client: AsyncBaseSocketModeClient, message: dict[str, Any], raw: str | None
    ) -> None:
        self.messages.append(message)

    async def on_request(self, client: AsyncBaseSocketModeClient, req: SocketModeRequest) -> None:
        self.requests.append(req)
        if self.ack:
            response = SocketModeResponse(envelope_id=req.envelope_id, payload=self.payload)
            await client.send_socket_mode_response(response)


@pytest.fixture
def app() -> App:
    return App()


@pytest.fixture
async def connected(
    slack: FakeSlack, session: aiohttp.ClientSession, app: App
) -> AsyncIterator[SocketModeClient]:
    web = AsyncWebClient(base_url=slack.api_url, session=session)
    client = SocketModeClient(app_token=slack.app_token, web_client=web)
    client.message_listeners.append(app.on_message)
    client.socket_mode_request_listeners.append(app.on_request)
    await client.connect()
    await slack.wait_for_socket()
    yield client
    await client.close()
    await slack.socket_mode.wait_closed()


async def test_connections_open_takes_only_the_app_token(
    slack: FakeSlack, session: aiohttp.ClientSession
) -> None:
    def client(token: str) -> AsyncWebClient:
        return AsyncWebClient(token=token, base_url=slack.api_url, session=session)

    opened = await client(slack.bot_token).apps_connections_open(app_token=slack.app_token)
    assert opened["url"].startswith(slack.base_url.replace("http://", "ws://") + "/link/?")
    assert "connections:write" in opened.headers["x-oauth-scopes"]
    for token, error in [(slack.bot_token, "not_allowed_token_type"), ("xapp-1-x", "invalid_auth")]:
        with pytest.raises(SlackApiError) as caught:
            await client(slack.bot_token).apps_connections_open(app_token=token)
        assert caught.value.response["error"] == error
    with pytest.raises(SlackApiError) as caught:
        await client(slack.app_token).auth_test()
    assert caught.value.response["error"] == "not_allowed_token_type"
    assert [c.authorized for c in slack.calls("apps.connections.open")] == [True, False, False]


async def test_a_ticket_opens_one_socket(slack: FakeSlack, session: aiohttp.ClientSession) -> None:
    web = AsyncWebClient(base_url=slack.api_url, session=session)
    url = (await web.apps_connections_open(app_token=slack.app_token))["url"]
    async with session.ws_connect(url) as socket:
        hello = await socket.receive_json()
    assert hello["type"] == "hello"
    assert hello["connection_info"] == {"app_id": slack.team.app_id}
    assert hello["num_connections"] == 1
    with pytest.raises(aiohttp.WSServerHandshakeError) as caught:
        await session.ws_connect(url)
    assert caught.value.status == 401


async def test_a_slash_command_arrives_as_slack_sends_it_and_is_acked(
    slack: FakeSlack, connected: SocketModeClient, app: App
) -> None:
    alice = slack.add_user("alice")
    request = slack.slash_command(alice.id, "list")
    ack = await slack.socket_send(request)
    (req,) = app.requests
    assert ack == {"envelope_id": req.envelope_id}
    assert req.type == "slash_commands"
    assert req.payload == request.payload()  # the form fields, as an object
    assert req.payload["response_url"].startswith(slack.base_url)
    assert req.accepts_response_payload is True
    assert [m.get("type") for m in app.messages] == ["hello", "slash_commands"]


async def test_interactions_and_events_have_their_envelope_types(
    slack: FakeSlack, connected: SocketModeClient, app: App
) -> None:
    alice = slack.add_user("alice")
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "x"}}]
    view = slack.workspace.store_view({"type": "home", "blocks": blocks}, user_id=alice.id)
    submission = slack.view_submission(alice.id, view["id"], {})
    event = slack.app_home_opened(alice.id)
    await slack.socket_send(submission)
    await slack.socket_send(event, retry_attempt=2, retry_reason="timeout")
    interactive, events = app.requests
    assert (interactive.type, interactive.accepts_response_payload) == ("interactive", True)
    assert interactive.payload == submission.payload()
    assert (events.type, events.accepts_response_payload) == ("events_api", False)
    assert events.payload == event.payload()
    assert (events.retry_attempt, events.retry_reason) == (2, "timeout")
    with pytest.raises(ValueError, match="url_verification"):
        await slack.socket_send(url_verification(challenge="c"))


async def test_an_ack_payload_comes_back(slack: FakeSlack, connected: SocketModeClient) -> None:
    alice = slack.add_user("alice")
    app = App(payload={"response_action": "clear"})
    connected.socket_mode_request_listeners[:] = [app.on_request]
    ack = await slack.socket_send(slack.slash_command(alice.id, "list"))
    assert ack["payload"] == {"response_action": "clear"}


async def test_no_ack_within_the_deadline_raises(
    slack: FakeSlack, connected: SocketModeClient, app: App
) -> None:
    app.ack = False
    alice = slack.add_user("alice")
    with pytest.raises(TimeoutError, match="slash_commands"):
        await slack.socket_send(slack.slash_command(alice.id, "list"), timeout=0.2)
    assert len(app.requests) == 1


async def test_a_refresh_request_moves_the_app_to_a_new_socket(
    slack: FakeSlack, connected: SocketModeClient, app: App
) -> None:
    await slack.socket_disconnect("refresh_requested")
    await slack.wait_for_socket(opened=2)
    assert slack.count("apps.connections.open", ok=True) == 2
    alice = slack.add_user("alice")
    ack = await slack.socket_send(slack.slash_command(alice.id, "list"))
    assert ack["envelope_id"] == app.requests[-1].envelope_id


async def test_nothing_can_be_sent_without_a_socket(slack: FakeSlack) -> None:
    alice = slack.add_user("alice")
    with pytest.raises(RuntimeError, match="no app is connected"):
        await slack.socket_send(slack.slash_command(alice.id, "list"))
