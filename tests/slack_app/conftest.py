"""The real Bolt app in HTTP mode, wired to the simulator, a SQLite file and the fake Slack.

Requests reach ``POST /slack/events`` signed and encoded exactly as Slack sends them; the app's
Web API calls and response_url posts land on the fake Slack, which records them. The
``socket_mode`` fixture also connects the same app to the fake over Socket Mode, through
``run_socket_mode`` as ``scnet-bot run`` does, so requests can arrive as envelopes instead.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from slack_bolt.async_app import AsyncApp

from bot.config import load_settings
from bot.domain.secret import Secret
from bot.server import InFlight
from bot.slack.app import STILL_WAITING_AFTER
from bot.slack.http import events_handler, run_socket_mode
from bot.store.identity import SlackUser
from bot.store.keys import generate_key
from bot.web import build_web_app
from bot.wiring import Runtime, open_runtime, slack_app
from tests.fake_slack import FakeSlack, Message, SignedResponse, SlackRequest, User
from tests.fake_slack.models import JSON
from tests.scnet_fixtures import SimulatedScnet
from tests.serving import port as port  # the fixture, for test_server

LEAD_ID = "U0LEAD0001"  # in BOT_ADMINS, though not a Slack admin: add_user("lead", id=LEAD_ID)


@dataclass
class SlackWorld:
    slack: FakeSlack
    scnet: SimulatedScnet
    runtime: Runtime
    app: AsyncApp
    events_url: str
    http: aiohttp.ClientSession
    alice: User
    chen: User  # a zh-CN user
    channel: str
    inflight: InFlight  # every task a Slack request started, as ``scnet-bot run`` tracks them

    async def settle(self) -> None:
        """Wait until every request's listener, and what it started, has finished: after it, a
        handler that was to answer (or publish) twice has done so."""
        assert await self.inflight.wait(5.0) == 0, "listeners still running after 5 s"

    async def send(
        self, request: SlackRequest, *, timestamp: int | None = None, retry_num: int | None = None
    ) -> SignedResponse:
        headers = request.headers(
            self.slack.signing_secret, timestamp=timestamp, retry_num=retry_num
        )
        async with self.http.post(self.events_url, data=request.body, headers=headers) as answer:
            return SignedResponse(answer.status, dict(answer.headers), await answer.text())

    async def command(
        self, user: User, text: str, *, channel_id: str | None = None
    ) -> list[Message]:
        """Type ``/scnet text`` and wait for the reply posted to the response URL."""
        before = len(self.slack.response_posts())
        answer = await self.send(self.slack.slash_command(user.id, text, channel_id=channel_id))
        assert answer.status == 200, answer.text
        await self.slack.wait_for("response_url", count=before + 1)
        return self.replies_to(user)

    def replies_to(self, user: User) -> list[Message]:
        return self.slack.messages_to(user.id)

    def last_reply(self, user: User) -> Message:
        return self.replies_to(user)[-1]

    async def log_in(self, user: User, scnet_user: str = "alice") -> Secret:
        token = Secret(self.scnet.sim.issue_token(scnet_user))
        await self.runtime.accounts.login_with_token(SlackUser(self.slack.team.id, user.id), token)
        self.scnet.sim.requests.clear()  # so tests count only what their commands sent
        return token


@pytest.fixture
async def world(scnet: SimulatedScnet, tmp_path: Path) -> AsyncIterator[SlackWorld]:
    async with open_world(scnet, tmp_path) as opened:
        yield opened


@asynccontextmanager
async def open_world(
    scnet: SimulatedScnet,
    tmp_path: Path,
    *,
    still_waiting_after: float = STILL_WAITING_AFTER,
    **overrides: object,
) -> AsyncIterator[SlackWorld]:
    """The app served over HTTP as ``world`` is; ``overrides`` are settings."""
    async with AsyncExitStack() as stack:
        loop = asyncio.get_running_loop()
        inflight = InFlight()
        inflight.install(loop)
        stack.callback(inflight.uninstall, loop)
        slack = await stack.enter_async_context(FakeSlack())
        settings = load_settings(
            **{
                "scnet_api_url": scnet.base_url,
                "database_url": f"sqlite:///{tmp_path / 'bot.db'}",
                "encryption_keys": generate_key(),
                "slack_api_url": slack.api_url,
                "slack_bot_token": slack.bot_token,
                "slack_signing_secret": slack.signing_secret,
                "bot_admins": (LEAD_ID,),
                "scnet_read_attempts": 2,
                "_env_file": None,
                **overrides,
            }
        )

        def now() -> datetime:
            return datetime.fromtimestamp(scnet.clock(), tz=UTC)

        runtime = await open_runtime(settings, stack, now=now)
        app = slack_app(runtime, still_waiting_after=still_waiting_after)
        runner = web.AppRunner(build_web_app(events_handler(app)))
        await runner.setup()
        stack.push_async_callback(runner.cleanup)
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        port = runner.addresses[0][1]
        http = await stack.enter_async_context(aiohttp.ClientSession())
        alice = slack.add_user("alice")
        chen = slack.add_user("chen", locale="zh-CN")
        channel = slack.add_channel("gpu-team", members=[alice.id, chen.id]).id
        yield SlackWorld(
            slack=slack,
            scnet=scnet,
            runtime=runtime,
            app=app,
            events_url=f"http://127.0.0.1:{port}/slack/events",
            http=http,
            alice=alice,
            chen=chen,
            channel=channel,
            inflight=inflight,
        )


@dataclass
class SocketModeApp:
    """``run_socket_mode`` serving ``world.app`` over the fake's socket until ``stop``."""

    world: SlackWorld
    serving: asyncio.Task[None]
    stop: asyncio.Event

    async def command(self, user: User, text: str) -> tuple[JSON, list[Message]]:
        """``/scnet text`` over the socket: the ack, then the replies once one has been posted
        to the response URL."""
        slack = self.world.slack
        before = len(slack.response_posts())
        ack = await slack.socket_send(slack.slash_command(user.id, text))
        await slack.wait_for("response_url", count=before + 1)
        return ack, self.world.replies_to(user)

    async def shut_down(self) -> None:
        """Set ``stop`` and wait for ``run_socket_mode`` to return (idempotent)."""
        self.stop.set()
        async with asyncio.timeout(5):
            await self.serving


@pytest.fixture
async def socket_mode(world: SlackWorld) -> AsyncIterator[SocketModeApp]:
    stop = asyncio.Event()
    serving = asyncio.create_task(run_socket_mode(world.app, world.slack.app_token, stop=stop))
    try:
        await world.slack.wait_for_socket()
    except TimeoutError:
        serving.cancel()
        await asyncio.gather(serving, return_exceptions=True)
        raise
    running = SocketModeApp(world=world, serving=serving, stop=stop)
    yield running
    await running.shut_down()
