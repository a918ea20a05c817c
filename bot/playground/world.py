"""The playground's world: the SCNet simulator, the Slack API stand-in and the real bot.

Everything the bot talks to is on loopback and made up: the simulator (``bot.scnet.simulator``,
as ``scnet-bot demo`` uses) with two SCNet accounts, the fake Slack (``fake_slack``) with a
workspace of two demo users, ``#general`` and each user's DM with the app, and the bot itself,
built by ``bot.wiring`` exactly as ``scnet-bot run`` builds it in HTTP mode: its Web API calls
go to the fake Slack, and Slack's requests reach its real ``POST /slack/events``, signed with
the workspace's signing secret (``relay``).

Alice is an admin (a workspace admin and in BOT_ADMINS) and starts logged out, so the login
form can be tried; Bob is logged in from the start. The page shows both SCNet tokens.
"""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

from aiohttp import web

from bot.config import load_settings
from bot.domain.identity import SlackUser
from bot.domain.secret import Secret
from bot.playground.fake_slack import Channel, FakeSlack, User
from bot.scnet.simulator import Delays, ScnetSimulator
from bot.scnet.simulator.billing import DEMO_PRICES
from bot.scnet.simulator.catalog import demo_resource_groups
from bot.slack.http import events_handler
from bot.slack.sender import SlackDelivery
from bot.store.keys import generate_key
from bot.web import build_web_app
from bot.wiring import open_runtime, slack_app, start_background


@dataclass(frozen=True, slots=True)
class DemoUser:
    slack: User
    scnet_name: str
    token: str  # the simulator's token for this account: the page shows it, to paste in login
    admin: bool


@dataclass(frozen=True, slots=True)
class WorldOptions:
    delays: Delays = field(default_factory=lambda: Delays(waiting=3, deploying=4))
    cadence: float = 2.0  # the simulator's instances start in seconds: watch them closely
    logged_in: tuple[str, ...] = ("bob",)  # demo users whose SCNet login is done already


@dataclass
class World:
    slack: FakeSlack
    simulator: ScnetSimulator
    bot_url: str  # base of the bot's HTTP server: POST {bot_url}/slack/events
    users: list[DemoUser]
    channel: Channel
    command: str

    def user(self, user_id: str) -> DemoUser:
        for user in self.users:
            if user.slack.id == user_id:
                return user
        raise KeyError(user_id)


@asynccontextmanager
async def open_world(options: WorldOptions | None = None) -> AsyncIterator[World]:
    """Start the simulator, the fake Slack and the bot; stop them all on exit."""
    chosen = options or WorldOptions()
    async with AsyncExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="scnet-playground-")))
        # The console demo's nodes (bot.wiring.open_demo): the README's examples fit on them.
        # DEMO_PRICES: a running instance costs Bob's 120.50 below the 100 floor in minutes,
        # so the low-balance DM shows (balances are read every 30 s here).
        simulator = ScnetSimulator(
            delays=chosen.delays, resource_groups=demo_resource_groups(), prices=DEMO_PRICES
        )
        simulator.add_user("alice", balance="888.00")
        simulator.add_user("bob", balance="120.50")
        scnet_url = await simulator.start()
        stack.push_async_callback(simulator.stop)

        slack = await stack.enter_async_context(FakeSlack(strict_channels=True))
        alice = slack.add_user("alice", real_name="Alice Chen", is_admin=True, tz="Asia/Shanghai")
        bob = slack.add_user("bob", real_name="Bob Li", tz="Asia/Shanghai")
        general = slack.add_channel("general", members=[alice.id, bob.id])
        slack.add_channel("gpu-team", members=[alice.id, bob.id])  # as in the README's digest
        users = [
            DemoUser(alice, "alice", simulator.issue_token("alice", ttl_seconds=7 * 86400), True),
            DemoUser(bob, "bob", simulator.issue_token("bob", ttl_seconds=7 * 86400), False),
        ]
        for user in users:
            slack.dm_channel(user.slack.id)  # the app's DM exists from the start, as in Slack

        settings = load_settings(
            scnet_api_url=scnet_url,
            database_url=f"sqlite:///{folder / 'playground.db'}",
            encryption_keys=generate_key(),
            slack_bot_token=slack.bot_token,
            slack_signing_secret=slack.signing_secret,
            slack_api_url=slack.api_url,
            bot_admins=alice.id,
            watch_cadence=chosen.cadence,
            balance_check_seconds=30,
            _env_file=None,
        )
        runtime = await open_runtime(settings, stack)
        for user in users:
            if user.scnet_name in chosen.logged_in:
                await runtime.accounts.login_with_token(
                    SlackUser(slack.team.id, user.slack.id), Secret(user.token)
                )
        assert settings.slack_bot_token is not None
        delivery = SlackDelivery(
            token=settings.slack_bot_token.get_secret_value(),
            api_url=settings.slack_api_url,
            command=settings.slash_command,
        )
        stack.push_async_callback(delivery.close)
        await start_background(runtime, delivery.sender, stack)
        runner = web.AppRunner(
            build_web_app(events_handler(slack_app(runtime))),
            access_log=None,
            shutdown_timeout=1.0,
        )
        await runner.setup()
        stack.push_async_callback(runner.cleanup)
        site = web.TCPSite(runner, host="127.0.0.1", port=0)
        await site.start()
        host, port = runner.addresses[0][:2]
        yield World(
            slack=slack,
            simulator=simulator,
            bot_url=f"http://{host}:{port}",
            users=users,
            channel=general,
            command=settings.slash_command,
        )
