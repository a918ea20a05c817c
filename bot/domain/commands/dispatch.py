"""What a command runs and how its answer reads, declared as data beside its grammar.

A subcommand's ``Declaration`` (``declarations``) lists ``Answer``s, one per kind of command it
parses: the use cases it calls (``call``), in order, and its reply, either a one-line notice
(``notice``) or a renderer named by its import path (``rendered``), a pure function of the
bot's Slack layer that turns the last use case's result into a message. The Slack layer's
dispatcher (``bot.slack.dispatch``) reads these and nothing else, so adding a subcommand needs
no code in the conversation.

Values are named by paths read at dispatch time: ``user``, ``origin``, ``is_admin``,
``channel_id``, ``locale`` and ``slash`` (the slash command's name) are the caller's;
``command`` is the command, ``result`` the last use case's result, and dots read attributes
(``command.ref``, ``result.name``, ``user.team_id``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal

from .model import Command

Tone = Literal["info", "success", "warning", "error"]


@dataclass(frozen=True, slots=True)
class Call:
    """A use case: ``service.method`` of the bot's services, with its arguments as paths."""

    use_case: str  # "instances.restart"
    args: tuple[str, ...] = ()
    kwargs: tuple[tuple[str, str], ...] = ()


def call(use_case: str, /, *args: str, **kwargs: str) -> Call:
    """``call("instances.watch", "user", "command.ref", origin="origin")``."""
    return Call(use_case, args, tuple(kwargs.items()))


@dataclass(frozen=True, slots=True)
class NoticeReply:
    """Answer with the catalog text ``key`` in ``tone``, its params read from paths."""

    key: str
    tone: Tone = "info"
    params: tuple[tuple[str, str], ...] = ()
    locale: str = "locale"  # the path of the language to answer in


def notice(
    key: str, /, *, tone: Tone = "info", locale: str = "locale", **params: str
) -> NoticeReply:
    """``notice("notice.restarting", tone="success", name="result.name")``."""
    return NoticeReply(key, tone, tuple(params.items()), locale)


@dataclass(frozen=True, slots=True)
class Rendered:
    """Answer with what ``renderer`` returns: ``"bot.slack.blocks.instances:card_reply"``, a
    function ``(context, command, result) -> Message | Modal`` that does no I/O."""

    renderer: str


def rendered(renderer: str) -> Rendered:
    return Rendered(renderer)


Reply = NoticeReply | Rendered


@dataclass(frozen=True, slots=True)
class Answer:
    """How a command of class ``command`` (and, if given, ``when`` it holds) is answered.

    No use case and a renderer that returns a modal: the command asks for the rest in a form.
    """

    command: type[Command]
    reply: Reply
    runs: tuple[Call, ...] = ()
    when: Callable[[Command], bool] | None = None
    # When a use case refuses (a service or SCNet error the user is told): a renderer
    # ``(context, command, error, told) -> Message`` that answers instead of ``told``, the
    # notice the error names (to add buttons to it, say). None: ``told`` as it is.
    refusal: Rendered | None = None

    def fits(self, command: Command) -> bool:
        return type(command) is self.command and (self.when is None or self.when(command))


def answer(
    command: type[Command],
    *runs: Call,
    reply: Reply,
    when: Callable[[Command], bool] | None = None,
    refusal: Rendered | None = None,
) -> Answer:
    """``answer(Restart, call("instances.restart", "user", "command.ref"), reply=notice(...))``."""
    return Answer(command, reply, runs, when, refusal)


def read_path(path: str, scope: Mapping[str, object]) -> object:
    """The value ``path`` names in ``scope`` (see the module docstring)."""
    head, *attributes = path.split(".")
    value = scope[head]
    for attribute in attributes:
        value = getattr(value, attribute)
    return value


__all__ = [
    "Answer",
    "Call",
    "NoticeReply",
    "Rendered",
    "Reply",
    "Tone",
    "answer",
    "call",
    "notice",
    "read_path",
    "rendered",
]
