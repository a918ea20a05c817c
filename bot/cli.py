"""``scnet-bot``: the console script. It reads ``Settings`` and picks the mode; the object
graph of every mode is built by ``bot.wiring``.

Subcommands (the public contract of DESIGN.md): ``run``, ``demo``, ``playground``, ``console``,
``simulator``, ``keys generate|rotate``, ``db upgrade``, and ``--version``. Settings are read
here and nowhere else; a bad setting stops the start with one line naming the variable, never a
traceback or the secret's value (exit 2). A database that never answered within DATABASE_WAIT
ends it with one line too (exit 3).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Callable, Coroutine, Sequence
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from bot.config import ConfigError, Settings, load_settings
from bot.logs import configure_logging

EXIT_CONFIG = 2
EXIT_DATABASE = 3
log = logging.getLogger("bot.config")


def package_version() -> str:
    try:
        return version("scnet-bot")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "0+unknown"


def _settings() -> Settings:
    settings = load_settings()
    configure_logging(settings.log_level, log_format=settings.log_format)
    for line in settings.deprecations():
        log.warning("%s", line)
    return settings


async def _simulator(args: argparse.Namespace) -> None:
    from bot.scnet.simulator import serve

    configure_logging("INFO")
    await serve(port=args.port, host=args.host)


async def _keys_generate(_: argparse.Namespace) -> None:
    from bot.store.keys import generate_key

    print(generate_key())


async def _keys_rotate(args: argparse.Namespace) -> None:
    settings = _settings()
    settings.require("encryption_keys")
    from bot.store.database import open_engine
    from bot.store.keys import rotate_keys
    from bot.store.migrate import upgrade_database
    from bot.store.vault import Vault

    vault = Vault.from_keys([key.get_secret_value() for key in settings.encryption_keys])
    await upgrade_database(settings.database_url)
    engine = open_engine(settings.database_url)
    try:
        report = await rotate_keys(engine, vault, batch_size=args.batch_size)
    finally:
        await engine.dispose()
    print(
        f"rotated {report.rotated}, already current {report.already_current}, "
        f"unreadable {report.unreadable} (those users are asked to log in again), "
        f"skipped {report.skipped} (changed meanwhile: run again)"
    )


async def _db_upgrade(_: argparse.Namespace) -> None:
    from bot.store.migrate import upgrade_database, wait_for_database

    settings = _settings()
    await wait_for_database(settings.database_url, wait=settings.database_wait)
    applied = await upgrade_database(settings.database_url)
    print("applied: " + ", ".join(applied) if applied else "database is up to date")


async def _demo(args: argparse.Namespace) -> None:
    from bot.demo import run_demo

    configure_logging("WARNING")
    if args.script:  # a script runs to its end and leaves: no time to open a page
        await run_demo(port=args.port, script=args.script)
        return
    from bot.playground.page import serve_playground
    from bot.playground.run import DEFAULT_PORT

    # The Slack-like page too, so that `make demo` shows both ways in; its address is printed
    # under the console's banner.
    async with serve_playground(port=DEFAULT_PORT, any_port_if_taken=True) as playground:
        await run_demo(port=args.port, playground_url=playground.url)


async def _playground(args: argparse.Namespace) -> None:
    from bot.playground.run import run_playground

    configure_logging("WARNING")
    await run_playground(host=args.host, port=args.port)


async def _console(args: argparse.Namespace) -> None:
    settings = _settings()
    from bot.demo import run_console

    await run_console(settings, script=args.script)


async def _run(_: argparse.Namespace) -> None:
    settings = _settings()
    from bot.server import run_server

    await run_server(settings)


Handler = Callable[[argparse.Namespace], Coroutine[Any, Any, None]]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="scnet-bot", description="Slack chat-ops for SCNet AI container instances."
    )
    parser.add_argument("--version", action="version", version=f"scnet-bot {package_version()}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, handler: Handler, help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.set_defaults(handler=handler)
        return sub

    add("run", _run, "serve Slack (Socket Mode if SLACK_APP_TOKEN is set, else HTTP on PORT)")
    demo = add(
        "demo",
        _demo,
        "try the bot with no credentials: simulator, SQLite and a console, and the playground's"
        " page (not with --script)",
    )
    demo.add_argument("--port", type=int, default=0, help="simulator port (default: any free)")
    demo.add_argument("--script", help="read console lines from this file, not the terminal")
    playground = add(
        "playground", _playground, "the demo behind a Slack-like page on loopback, in a browser"
    )
    playground.add_argument("--port", type=int, default=3100, help="page port (taken: any)")
    playground.add_argument("--host", default="127.0.0.1", help="a loopback address")
    console = add("console", _console, "the interactive console against the configured SCNet")
    console.add_argument("--script", help="read console lines from this file, not the terminal")
    sim = add("simulator", _simulator, "serve the SCNet simulator on loopback")
    sim.add_argument("--port", type=int, default=8990)
    sim.add_argument("--host", default="127.0.0.1")

    keys = commands.add_parser("keys", help="encryption keys for the token vault")
    key_commands = keys.add_subparsers(dest="keys_command", required=True, metavar="ACTION")
    generate = key_commands.add_parser("generate", help="print a new Fernet key")
    generate.set_defaults(handler=_keys_generate)
    rotate = key_commands.add_parser(
        "rotate", help="re-encrypt every stored secret under the first ENCRYPTION_KEYS key"
    )
    rotate.add_argument("--batch-size", type=int, default=500)
    rotate.set_defaults(handler=_keys_rotate)

    db = commands.add_parser("db", help="database schema")
    db_commands = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    upgrade = db_commands.add_parser("upgrade", help="apply pending migrations")
    upgrade.set_defaults(handler=_db_upgrade)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from bot.store.migrate import DatabaseUnavailable

    args = build_parser().parse_args(argv)
    handler: Handler = args.handler
    try:
        asyncio.run(handler(args))
    except ConfigError as error:
        print(f"scnet-bot: configuration error: {error}", file=sys.stderr)
        return EXIT_CONFIG
    except DatabaseUnavailable as error:
        print(f"scnet-bot: {error}; check DATABASE_URL and the network", file=sys.stderr)
        return EXIT_DATABASE
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
