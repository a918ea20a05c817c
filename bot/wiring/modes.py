"""What each mode runs, built from the runtime and the scheduler: the Slack bot
(``open_slack_bot``), the demo (``open_demo``) and the console (``console``) (``bot.wiring``)."""

from __future__ import annotations

import tempfile
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path

from slack_bolt.async_app import AsyncApp

from bot.config import Settings, load_settings
from bot.console.repl import ConsoleSender, ConsoleSession
from bot.console.terminal import Terminal
from bot.domain.i18n import DEFAULT_LOCALE
from bot.domain.identity import SlackUser
from bot.domain.notices import NoticeSender
from bot.domain.secret import Secret
from bot.scnet.simulator import Delays, ScnetSimulator
from bot.scnet.simulator.billing import DEMO_PRICES
from bot.scnet.simulator.catalog import REGIONS, demo_resource_groups
from bot.slack.conversation import Invocation
from bot.slack.sender import SlackDelivery
from bot.store.keys import generate_key
from bot.wiring.background import Background, start_background
from bot.wiring.runtime import Runtime, open_runtime, slack_app


def slack_sender(settings: Settings, stack: AsyncExitStack) -> NoticeSender:
    """The sender that posts notices through the Slack Web API at ``SLACK_API_URL``."""
    settings.require("slack_bot_token")
    assert settings.slack_bot_token is not None
    delivery = SlackDelivery(
        token=settings.slack_bot_token.get_secret_value(),
        api_url=settings.slack_api_url,
        command=settings.slash_command,
    )
    stack.push_async_callback(delivery.close)
    return delivery.sender


@dataclass
class SlackBot:
    """A bot serving Slack: the use cases, the Bolt app and the running scheduler."""

    runtime: Runtime
    app: AsyncApp
    background: Background


async def open_slack_bot(
    settings: Settings, stack: AsyncExitStack, *, runtime: Runtime | None = None
) -> SlackBot:
    """Everything ``scnet-bot run`` serves, on ``runtime`` (opened from ``settings`` if None).

    The caller serves ``app`` (HTTP or Socket Mode); the scheduler already runs, its notices
    going to Slack's Web API.
    """
    settings.require("slack_bot_token", "slack_signing_secret", "encryption_keys")
    if runtime is None:
        runtime = await open_runtime(settings, stack)
    background = await start_background(runtime, slack_sender(settings, stack), stack)
    return SlackBot(runtime=runtime, app=slack_app(runtime), background=background)


# The demo's SCNet account: in every region of the simulator, with keys a login form accepts.
DEMO_SCNET_USER = "demo"
DEMO_ACCESS_KEY = "AK-demo"
DEMO_SECRET_KEY = "SK-demo"  # noqa: S105 - the simulator's demo account, printed on purpose
DEMO_BALANCE = "118.00"  # near LOW_BALANCE_CNY: a few minutes of running show its DM


@dataclass
class Demo:
    """A self-contained world: the SCNet simulator, a temporary database, the runtime on them."""

    simulator: ScnetSimulator
    settings: Settings
    runtime: Runtime

    async def log_in(self, user: SlackUser, scnet_user: str = DEMO_SCNET_USER) -> None:
        """Sign ``user`` in to SCNet as ``scnet_user`` (a simulator account), as a token would."""
        token = Secret(self.simulator.issue_token(scnet_user))
        await self.runtime.accounts.login_with_token(user, token)


async def open_demo(stack: AsyncExitStack, *, port: int = 0, **overrides: object) -> Demo:
    """The simulator on loopback (``port`` 0: any free one) with the demo account, and the
    runtime on a SQLite file and a fresh encryption key in a temporary folder, both removed
    by ``stack``. ``overrides`` are ``Settings`` fields (Slack's, ``bot_admins``, ...). They,
    the simulator and the temporary database win over the environment (``.env`` is not read),
    so a demo never touches a real database or SCNet."""
    sim = ScnetSimulator(
        delays=Delays(waiting=3, deploying=4),
        resource_groups=demo_resource_groups(),
        prices=DEMO_PRICES,  # a balance that falls fast enough to see the low-balance DM
    )
    sim.add_user(
        DEMO_SCNET_USER,
        access_key=DEMO_ACCESS_KEY,
        secret_key=DEMO_SECRET_KEY,
        balance=DEMO_BALANCE,
        regions=[region.cluster_id for region in REGIONS],
    )
    base = await sim.start(port=port)
    stack.push_async_callback(sim.stop)
    folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="scnet-bot-demo-"))
    values: dict[str, object] = {
        "scnet_api_url": base,
        "database_url": f"sqlite:///{Path(folder) / 'demo.db'}",
        "encryption_keys": generate_key(),
        "watch_cadence": 2,  # the simulator's instances start in seconds: watch them closely
        "balance_check_seconds": 30,  # and their balances fall in minutes (DEMO_PRICES)
        **overrides,
    }
    settings = load_settings(**values, _env_file=None)
    runtime = await open_runtime(settings, stack)
    return Demo(simulator=sim, settings=settings, runtime=runtime)


# The one user of a console: no Slack workspace behind it.
CONSOLE_USER = SlackUser("console", "you")


@dataclass
class Console:
    """A console at one terminal: ``session.run()`` until the user leaves; ``sender`` prints
    the scheduler's notices for the console user there (pass it to ``start_background``)."""

    session: ConsoleSession
    sender: ConsoleSender
    user: SlackUser
    is_admin: bool


def console(runtime: Runtime, terminal: Terminal, *, user: SlackUser = CONSOLE_USER) -> Console:
    """The console for ``user`` on ``runtime``: an admin when ``BOT_ADMINS`` names them (the
    demo does), in the language ``lang`` chose (English by default)."""
    settings = runtime.settings
    is_admin = user.user_id in settings.bot_admins

    async def invocation() -> Invocation:
        locale = await runtime.preferences.locale(user)
        return Invocation(
            user=user,
            locale=locale or DEFAULT_LOCALE,
            command=settings.slash_command,
            is_admin=is_admin,
        )

    session = ConsoleSession(runtime.conversation, invocation, terminal)
    sender = ConsoleSender(
        user.user_id, command=settings.slash_command, write=terminal.write, render=session.render
    )
    return Console(session=session, sender=sender, user=user, is_admin=is_admin)
