"""What a ``/scnet`` subcommand's declaration holds, and the declarations, grouped by area.

Each area module (``account``, ``instances``, ``team``) holds the ``Declaration`` of each of
its subcommands, with the command classes, parsers and predicates only they use, in a tuple
in the order the help overview lists them. ``bot.domain.commands.registry`` joins the tuples
and derives everything else from them: the parser, ``command_text``, the help overview, the
buttons and the Slack layer's dispatch. A new subcommand is one ``Declaration`` in the tuple
of its area (with its command class and parser, which may live beside it)::

    Declaration(
        "extend",
        parse=by_ref(Extend),
        words=ref_words,
        help=HelpKeys("help.extend.usage", "help.extend.summary", "help.extend.details"),
        on_card=lambda ref: Extend(ref=ref),  # a button ``instance.extend`` on the card
        answers=(
            answer(
                Extend,
                call("instances.extend", "user", "command.ref", by="command.by"),
                reply=notice("notice.extended", tone="success", name="result.name"),
            ),
        ),
    )
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from ..dispatch import Answer
from ..model import Command, InstanceRef, Subcommand
from ..parser import Parse

# The renderers of the answers that are more than a notice (see ``dispatch.rendered``).
ANSWERS: Final = "bot.slack.answers:"
QUEUE: Final = "bot.slack.blocks.create_queue:"
APPROVALS: Final = "bot.slack.blocks.approvals:"
REFUSAL: Final = "bot.slack.blocks.refusal:"
COSTS: Final = "bot.slack.blocks.costs:"
# The arguments of a use case about one of the caller's instances.
OF_REF: Final = ("user", "command.ref")


@dataclass(frozen=True, slots=True)
class HelpKeys:
    """The catalog keys of a subcommand's help: its usage line, one-line summary, details."""

    usage: str
    summary: str
    details: str


@dataclass(frozen=True, slots=True)
class Declaration:
    name: Subcommand
    # The words after the name (flags taken out) to a command, or why they are not one.
    parse: Parse
    # The arguments ``command_text`` writes for a command of this subcommand; ``parse`` reads
    # them back to an equal command.
    words: Callable[[Any], list[str]]
    help: HelpKeys
    private: bool = False  # the reply holds something private: ``--public`` is refused
    # The flags it takes besides ``--public`` (``"force"`` for ``--force``): each one sets the
    # bool field of that name on its commands, and ``command_text`` writes it back.
    flags: tuple[str, ...] = ()
    # Flags of ``flags`` of which at most one may be given.
    exclusive: frozenset[str] = frozenset()
    # The command a button on an instance card means (action id ``instance.<name>``, value
    # the instance id), or None when the card has no such button.
    on_card: Callable[[InstanceRef], Command] | None = None
    # How each kind of command it parses is answered: the first that fits (``dispatch``).
    answers: tuple[Answer, ...] = ()
    # Other buttons that mean one of its commands: (action id, the command for the button's
    # value, or None when the value names nothing).
    buttons: tuple[tuple[str, Callable[[str], Command | None]], ...] = ()
