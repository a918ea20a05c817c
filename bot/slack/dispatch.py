"""A command to its answer, as the registry declares it: run its use cases, render the reply.

``bot.domain.commands.registry`` says, for each kind of command, which use cases it calls
(``service.method`` with arguments named as paths) and how the reply reads (a notice, or a
renderer named by its import path). This module does what that says and nothing more: it
knows no subcommand. The services are the ones ``UseCases`` is given by name.
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from functools import cache
from typing import Any, cast

from bot.domain.commands import Command
from bot.domain.commands.dispatch import Answer, Call, NoticeReply, Rendered, read_path
from bot.domain.i18n import Locale
from bot.scnet.errors import ScnetError
from bot.services.errors import ServiceError
from bot.slack.blocks.reply import Message, Reply, notice
from bot.slack.replies import Invocation, failure_message

Renderer = Callable[..., Reply]


class UseCases:
    """The services a command's ``call`` names (``"instances.restart"``), by name."""

    def __init__(self, services: Mapping[str, object]) -> None:
        self._services = dict(services)

    def method(self, use_case: str) -> Callable[..., Awaitable[object]]:
        """The bound method ``use_case`` names; ``LookupError`` when there is none."""
        service, _, name = use_case.partition(".")
        try:
            found = getattr(self._services[service], name)
        except (KeyError, AttributeError):
            raise LookupError(f"no use case {use_case!r}") from None
        return cast(Callable[..., Awaitable[object]], found)

    async def run(self, call: Call, scope: Mapping[str, object]) -> object:
        args = [read_path(path, scope) for path in call.args]
        kwargs = {name: read_path(path, scope) for name, path in call.kwargs}
        return await self.method(call.use_case)(*args, **kwargs)


def scope_of(inv: Invocation, command: Command) -> dict[str, object]:
    """The values an answer's paths can name (``bot.domain.commands.dispatch``)."""
    return {
        "user": inv.user,
        "origin": inv.origin,
        "is_admin": inv.is_admin,
        "channel_id": inv.channel_id,
        "locale": inv.locale,
        "slash": inv.command,
        "command": command,
        "result": None,
    }


async def answer_with(
    answer: Answer, use_cases: UseCases, inv: Invocation, command: Command, now: datetime
) -> Reply:
    """Run ``answer``'s use cases in order, then its reply from the last one's result."""
    scope = scope_of(inv, command)
    for call in answer.runs:
        scope["result"] = await use_cases.run(call, scope)
    return render(answer, inv, command, scope, now)


def render(
    answer: Answer, inv: Invocation, command: Command, scope: Mapping[str, object], now: datetime
) -> Reply:
    reply = answer.reply
    if isinstance(reply, NoticeReply):
        params = {name: read_path(path, scope) for name, path in reply.params}
        locale = cast(Locale, read_path(reply.locale, scope))
        return notice(reply.key, locale, tone=reply.tone, **params)
    return renderer(reply)(inv.context(now), command, scope["result"])


def refusal(
    answer: Answer,
    inv: Invocation,
    command: Command,
    error: Exception,
    now: datetime,
) -> Message:
    """What the user is told when ``answer``'s use case raised ``error``: its notice, or what
    the answer's ``refusal`` renderer makes of it (for a service or SCNet refusal only)."""
    told = failure_message(error, inv)
    if answer.refusal is None or not isinstance(error, ServiceError | ScnetError):
        return told
    return cast(Message, renderer(answer.refusal)(inv.context(now), command, error, told))


@cache
def renderer(reply: Rendered) -> Renderer:
    """The function ``reply`` names (``"module:function"``); ``LookupError`` when none."""
    module, _, name = reply.renderer.partition(":")
    try:
        found: Any = getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        raise LookupError(f"no renderer {reply.renderer!r}") from None
    return cast(Renderer, found)


__all__ = ["UseCases", "answer_with", "refusal", "render", "renderer", "scope_of"]
