"""The interactive console: type ``/scnet ...`` lines, read the replies as text.

The same ``Conversation`` that answers Slack answers here, and the replies are the same Block
Kit, rendered by ``bot.console.text``. ``scnet-bot demo`` runs it against the embedded simulator
with a demo user already logged in; ``scnet-bot console`` runs it against the configured SCNet.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import TextIO

from bot.console.text import render_blocks, render_view
from bot.domain.notices import Delivery, TargetUnavailable
from bot.slack.blocks.watch_notices import build_delivery
from bot.slack.conversation import Conversation, Invocation, Message, Modal

PROMPT = "scnet> "
QUIT = {"quit", "exit", ":q"}


def strip_command(line: str, command: str) -> str:
    """``/scnet images gpu`` and ``images gpu`` both mean ``images gpu``."""
    text = line.strip()
    for prefix in (command, command.lstrip("/")):
        if text == prefix:
            return ""
        if text.startswith(prefix + " "):
            return text[len(prefix) + 1 :]
    return text


async def terminal_lines(stream: TextIO = sys.stdin) -> AsyncIterator[str]:
    while True:
        print(PROMPT, end="", flush=True)
        line = await asyncio.to_thread(stream.readline)
        if not line:
            return
        yield line


async def script_lines(path: str) -> AsyncIterator[str]:
    text = await asyncio.to_thread(Path(path).read_text, encoding="utf-8")
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            print(PROMPT + line.rstrip())
            yield line


class ConsoleSender:
    """The watcher's notices to the console user, printed: the demo's stand-in for a DM.

    The console has no channels and no other users: a notice for anyone else is refused
    (and so marked dead), never reported as sent.
    """

    def __init__(self, user_id: str, *, command: str, write: Callable[[str], None] = print) -> None:
        self._user_id = user_id
        self._command = command
        self._write = write

    async def send(self, delivery: Delivery) -> None:
        if delivery.target.user_id != self._user_id:
            raise TargetUnavailable("not_in_console")
        blocks, _ = build_delivery(delivery, command=self._command)
        self._write("\n" + render_blocks(blocks))


def render_message(message: Message) -> str:
    return render_blocks(message.blocks)


async def run_repl(
    conversation: Conversation,
    invocation: Callable[[], Awaitable[Invocation]],
    lines: AsyncIterator[str],
    *,
    write: Callable[[str], None] = print,
) -> None:
    """``invocation`` is asked afresh for every line, so ``lang zh`` takes effect at once."""
    async for line in lines:
        if line.strip() in QUIT:
            return
        current = await invocation()
        text = strip_command(line, current.command)
        for reply in await conversation.command(current, text):
            if isinstance(reply, Modal):
                write(render_view(reply.view))
                write("(Forms open in Slack; in the console, give the options as arguments.)")
            else:
                write(render_message(reply))
