"""``scnet-bot demo`` and ``scnet-bot console``.

The demo needs no credentials: it starts the SCNet simulator on loopback, a SQLite database
and a fresh encryption key in a temporary folder, logs a demo user in, and opens the console.
"""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from pathlib import Path

from bot.config import Settings, load_settings
from bot.console.repl import ConsoleSender, run_repl, script_lines, terminal_lines
from bot.domain.i18n import DEFAULT_LOCALE
from bot.domain.identity import SlackUser
from bot.domain.secret import Secret
from bot.scnet.simulator import Delays, ScnetSimulator
from bot.slack.conversation import Invocation
from bot.store import preferences
from bot.store.keys import generate_key
from bot.wiring import Runtime, open_runtime, start_background

DEMO_USER = "demo"
CONSOLE_USER = SlackUser("console", "you")


def _invocation(runtime: Runtime) -> Callable[[], Awaitable[Invocation]]:
    async def current() -> Invocation:
        async with runtime.db.transaction() as session:
            locale = await preferences.get_locale(session, CONSOLE_USER)
        return Invocation(
            user=CONSOLE_USER,
            locale=locale or DEFAULT_LOCALE,
            command=runtime.settings.slash_command,
        )

    return current


def _lines(script: str | None) -> AsyncIterator[str]:
    return script_lines(script) if script else terminal_lines()


async def run_demo(*, port: int = 0, script: str | None = None) -> None:
    sim = ScnetSimulator(delays=Delays(waiting=3, deploying=4))
    sim.add_user(DEMO_USER, balance="888.00")
    base = await sim.start(port=port)
    try:
        with tempfile.TemporaryDirectory(prefix="scnet-bot-demo-") as folder:
            settings = load_settings(
                scnet_api_url=base,
                database_url=f"sqlite:///{Path(folder) / 'demo.db'}",
                encryption_keys=generate_key(),
                # The simulator's instances start in seconds: watch them closely.
                watch_min_interval=2,
                watch_max_interval=10,
                _env_file=None,
            )
            async with AsyncExitStack() as stack:
                runtime = await open_runtime(settings, stack)
                token = Secret(sim.issue_token(DEMO_USER))
                await runtime.accounts.login_with_token(CONSOLE_USER, token)
                sender = ConsoleSender(CONSOLE_USER.user_id, command=settings.slash_command)
                await start_background(runtime, sender, stack)
                print(f"scnet-bot demo: SCNet simulator on {base}, logged in as {DEMO_USER!r}.")
                print("Try: /scnet help, /scnet images, /scnet create jupyter:4.4-py3.7-cpu,")
                print("     /scnet list, /scnet status <name>. Type quit to leave.")
                await run_repl(runtime.conversation, _invocation(runtime), _lines(script))
    finally:
        await sim.stop()


async def run_console(settings: Settings, *, script: str | None = None) -> None:
    async with AsyncExitStack() as stack:
        runtime = await open_runtime(settings, stack)
        print(f"scnet-bot console against {settings.scnet_api_url}.")
        print("Log in with: /scnet login <your SCNet token>. Type quit to leave.")
        await run_repl(runtime.conversation, _invocation(runtime), _lines(script))
