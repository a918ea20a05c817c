"""``scnet-bot demo`` and ``scnet-bot console``: the console, on a demo world or on SCNet.

The demo needs no credentials: ``bot.wiring.open_demo`` starts the SCNet simulator on
loopback, a SQLite database and a fresh encryption key in a temporary folder; the console user
is logged in as the demo account and is an admin. The graph is built by ``bot.wiring``; this
module only chooses the pieces and says hello.
"""

from __future__ import annotations

from contextlib import AsyncExitStack

from bot.config import Settings
from bot.console.terminal import Terminal, open_terminal
from bot.domain.i18n import translate
from bot.wiring import (
    CONSOLE_USER,
    DEMO_ACCESS_KEY,
    DEMO_SCNET_USER,
    DEMO_SECRET_KEY,
    console,
    open_demo,
    open_runtime,
    start_background,
)


async def run_demo(
    *,
    port: int = 0,
    script: str | None = None,
    terminal: Terminal | None = None,
    playground_url: str | None = None,
) -> None:
    """The console on a demo world; ``playground_url``: where the playground's page is served
    (the banner says so)."""
    terminal = terminal or open_terminal(script)
    async with AsyncExitStack() as stack:
        demo = await open_demo(stack, port=port, bot_admins=(CONSOLE_USER.user_id,))
        await demo.log_in(CONSOLE_USER)
        shell = console(demo.runtime, terminal)
        await start_background(demo.runtime, shell.sender, stack)
        terminal.write(
            translate(
                "console.banner.demo",
                base=demo.settings.scnet_api_url,
                user=DEMO_SCNET_USER,
                access_key=DEMO_ACCESS_KEY,
                secret_key=DEMO_SECRET_KEY,
            )
        )
        if playground_url is not None:
            terminal.write(translate("console.banner.playground", url=playground_url))
        await shell.session.run()


async def run_console(
    settings: Settings, *, script: str | None = None, terminal: Terminal | None = None
) -> None:
    terminal = terminal or open_terminal(script)
    async with AsyncExitStack() as stack:
        runtime = await open_runtime(settings, stack)
        shell = console(runtime, terminal)
        terminal.write(translate("console.banner.console", url=settings.scnet_api_url))
        await shell.session.run()
