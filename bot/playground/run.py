"""``scnet-bot playground``: serve the page until Ctrl-C (or ``stop``)."""

from __future__ import annotations

import asyncio

from bot.playground.page import is_loopback, serve_playground

DEFAULT_PORT = 3100


async def run_playground(
    *, host: str = "127.0.0.1", port: int = DEFAULT_PORT, stop: asyncio.Event | None = None
) -> None:
    if not is_loopback(host):
        raise SystemExit(f"scnet-bot playground: {host} is not a loopback address (no login here)")
    async with serve_playground(host=host, port=port, any_port_if_taken=True) as playground:
        print(f"scnet-bot playground: open {playground.url} in your browser.", flush=True)  # noqa: T201
        print(  # noqa: T201
            "Switch between Alice (admin, logged out: /scnet login with the token shown) and"
            " Bob (logged in). Ctrl-C stops it.",
            flush=True,
        )
        await (stop or asyncio.Event()).wait()
