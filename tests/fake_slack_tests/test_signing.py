"""Signatures as Slack makes them: slack_sdk's ``SignatureVerifier`` accepts ours and refuses
tampering and replays; ``post_signed`` carries them (and retry headers) over HTTP to a real
bolt app."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.signature import Clock, SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from tests.fake_slack import FORM, FakeSlack, post_signed, sign, signature, url_verification

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"  # Slack's documented example secret
BODY = b"token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&command=%2Fweather&text=94070"


class FixedClock(Clock):
    def __init__(self, now: float) -> None:
        self._now = now

    def now(self) -> float:
        return self._now


def test_slack_sdk_accepts_our_signature() -> None:
    headers = sign(BODY, SECRET, 1531420618)
    assert headers["X-Slack-Request-Timestamp"] == "1531420618"
    verifier = SignatureVerifier(SECRET, clock=FixedClock(1531420618 + 10))
    assert verifier.is_valid_request(BODY, headers)
    assert headers["X-Slack-Signature"] == verifier.generate_signature(
        timestamp="1531420618", body=BODY
    )


def test_tampered_body_or_other_secret_is_refused() -> None:
    now = int(time.time())
    headers = sign(BODY, SECRET, now)
    verifier = SignatureVerifier(SECRET)
    assert verifier.is_valid_request(BODY, headers)
    assert not verifier.is_valid_request(BODY.replace(b"94070", b"94071"), headers)
    assert not SignatureVerifier(SECRET + "x").is_valid_request(BODY, headers)


def test_timestamp_older_than_five_minutes_is_refused() -> None:
    now = 1_750_000_000
    verifier = SignatureVerifier(SECRET, clock=FixedClock(now))
    assert verifier.is_valid_request(BODY, sign(BODY, SECRET, now - 300))
    assert not verifier.is_valid_request(BODY, sign(BODY, SECRET, now - 301))


def test_signature_covers_utf8_bodies_byte_for_byte() -> None:
    body = "text=%E5%88%97%E8%A1%A8&raw=列表".encode()
    verifier = SignatureVerifier(SECRET, clock=FixedClock(100))
    assert verifier.is_valid(body, "100", signature(body, SECRET, 100))


@pytest.fixture
async def bolt_server(
    slack: FakeSlack, session: aiohttp.ClientSession
) -> AsyncIterator[tuple[str, list[dict[str, Any]]]]:
    """A bolt app served by aiohttp on port 0; yields its Request URL and what it heard."""
    heard: list[dict[str, Any]] = []
    app = AsyncApp(
        client=AsyncWebClient(token=slack.bot_token, base_url=slack.api_url, session=session),
        signing_secret=slack.signing_secret,
    )

    async def on_command(ack: AsyncAck, command: dict[str, Any], request: AsyncBoltRequest) -> None:
        heard.append({"command": command, "headers": request.headers})
        await ack("got it")

    app.command("/scnet")(on_command)
    runner = web.AppRunner(app.web_app(), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    host, port = runner.addresses[0][:2]
    try:
        yield f"http://{host}:{port}/slack/events", heard
    finally:
        await runner.cleanup()


async def test_post_signed_reaches_a_bolt_app(
    slack: FakeSlack,
    session: aiohttp.ClientSession,
    bolt_server: tuple[str, list[dict[str, Any]]],
) -> None:
    url, heard = bolt_server
    alice = slack.add_user("alice")
    request = slack.slash_command(alice.id, "list")
    answer = await post_signed(
        session, url, request.body, request.content_type, slack.signing_secret, retry_num=1
    )
    assert answer.status == 200
    assert answer.text == "got it"
    [seen] = heard
    assert seen["command"]["user_id"] == alice.id
    assert seen["headers"]["x-slack-retry-num"] == ["1"]
    assert seen["headers"]["x-slack-retry-reason"] == ["http_timeout"]
    tampered = request.body.replace(b"list", b"stop")
    refused = await post_signed(session, url, tampered, FORM, "not-the-secret")
    assert refused.status == 401
    stale = await post_signed(
        session,
        url,
        request.body,
        request.content_type,
        slack.signing_secret,
        timestamp=int(time.time()) - 301,
    )
    assert stale.status == 401
    assert len(heard) == 1


async def test_url_verification_is_answered_by_bolt(
    slack: FakeSlack,
    session: aiohttp.ClientSession,
    bolt_server: tuple[str, list[dict[str, Any]]],
) -> None:
    url, _ = bolt_server
    request = url_verification(challenge="3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P")
    answer = await post_signed(
        session, url, request.body, request.content_type, slack.signing_secret
    )
    assert answer.status == 200
    assert answer.json() == {"challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}
