"""Every ``/scnet`` subcommand, declared once, and what is derived from the declarations.

The declarations are in ``bot.domain.commands.declarations``, one module per area
(``account``, ``instances``, ``team``): each subcommand's grammar, text, help, buttons and
answers. ``parse_command``, ``command_text``, the help overview, the buttons of an instance
card and the Slack layer's dispatch (``answer_for``, ``button_command``) are all derived here
from ``DECLARATIONS``. Adding a subcommand is one ``Declaration`` in its area's module (with its
command class and parser, which may live beside it; see that package's docstring for an
example), its use case in ``bot.services``, its texts in the catalog, and, when its answer is
more than a notice, its renderer beside its Block Kit. Nothing here changes.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Final

from .bounds import MAX_TEXT_CHARS
from .declarations import Declaration, HelpKeys
from .declarations.account import ACCOUNT
from .declarations.instances import INSTANCES, QUEUE_IT
from .declarations.team import TEAM, QueueShow
from .dispatch import Answer
from .model import Command, Help, InstanceRef, Subcommand, UsageError, usage
from .parser import (
    SLACK_ENTITIES,
    Flags,
    broken_quote,
    concerning,
    first_word,
    flag_name,
    split_flags,
    too_long,
)
from .tokens import Word, tokenise
from .values import looks_like_token

__all__ = [
    "BUTTON_IDS",
    "DECLARATIONS",
    "FLAGS",
    "QUEUE_IT",
    "SUBCOMMANDS",
    "Declaration",
    "HelpKeys",
    "QueueShow",
    "answer_for",
    "button_command",
    "card_command",
    "command_text",
    "parse_command",
    "parse_slack_text",
]

# In the order the help overview lists them.
_ALL: Final[tuple[Declaration, ...]] = (*ACCOUNT, *INSTANCES, *TEAM)
DECLARATIONS: Final[Mapping[Subcommand, Declaration]] = {d.name: d for d in _ALL}
SUBCOMMANDS: Final[tuple[Subcommand, ...]] = tuple(DECLARATIONS)
_BUTTONS: Final[Mapping[str, Callable[[str], Command | None]]] = {
    action_id: meaning for d in _ALL for action_id, meaning in d.buttons
}
# Every flag a subcommand takes, in the order the unknown-flag error lists them.
FLAGS: Final[tuple[str, ...]] = tuple(
    dict.fromkeys(("public", *(f for d in _ALL for f in d.flags)))
)
BUTTON_IDS: Final[frozenset[str]] = frozenset(_BUTTONS)  # what ``button_command`` knows


def parse_slack_text(text: str) -> Command | UsageError:
    """``parse_command`` for a slash command's ``text`` as Slack sends it.

    Slack escapes ``&``, ``<`` and ``>`` typed by the user as HTML entities (and keeps ``<@U..>``
    mentions as they are), so ``script="a && b"`` arrives as ``a &amp;&amp; b``.
    """
    if len(text) > MAX_TEXT_CHARS:
        return too_long(text)
    for entity, char in SLACK_ENTITIES:
        text = text.replace(entity, char)
    return parse_command(text)


def parse_command(text: str) -> Command | UsageError:
    """The command ``text`` (what follows ``/scnet``) stands for, or why it is not one."""
    if len(text) > MAX_TEXT_CHARS:
        return too_long(text)
    words = tokenise(text)
    if isinstance(words, UsageError):
        return broken_quote(words, _known(first_word(text)))
    split = split_flags(words, FLAGS)
    if isinstance(split, UsageError):
        head = next((word.text.lower() for word in words if flag_name(word) is None), "")
        return concerning(split, _known(head))
    flags, rest = split
    if not rest:
        return Help(public=flags.public)
    declaration = DECLARATIONS.get(rest[0].text.lower())
    if declaration is None:
        return _unknown_subcommand(rest[0].text)
    return concerning(_parse_arguments(declaration, rest[1:], flags), declaration.name)


def command_text(command: Command) -> str:
    """``create jupyter:4.4 gpus=2 --public`` and the like, without the slash command.

    The canonical text of a command, which ``parse_command`` reads back: for the audit trail
    and the console's echo; a login token is written as the mask only.
    """
    declaration = DECLARATIONS[command.subcommand]
    words = [command.subcommand, *declaration.words(command)]
    words += [f"--{flag}" for flag in declaration.flags if getattr(command, flag, False)]
    if command.public:
        words.append("--public")
    return " ".join(words)


def card_command(subcommand: Subcommand, instance_id: str) -> Command | None:
    """What a press of ``subcommand``'s instance-card button means, or None (no such button)."""
    declaration = DECLARATIONS.get(subcommand)
    if declaration is None or declaration.on_card is None:
        return None
    return declaration.on_card(InstanceRef("id", instance_id.strip().lower()))


def answer_for(command: Command) -> Answer | None:
    """How ``command`` is answered: its use cases and its reply (see ``dispatch``)."""
    declaration = DECLARATIONS.get(command.subcommand)
    if declaration is None:
        return None
    return next((a for a in declaration.answers if a.fits(command)), None)


def button_command(action_id: str, value: str) -> Command | None:
    """What a press of a declared button (not an instance card's) means, or None."""
    meaning = _BUTTONS.get(action_id)
    return None if meaning is None else meaning(value)


def _known(word: str) -> Subcommand | None:
    return word if word in DECLARATIONS else None


def _parse_arguments(
    declaration: Declaration, args: Sequence[Word], flags: Flags
) -> Command | UsageError:
    not_taken = sorted(flags.names - {"public", *declaration.flags})
    if not_taken:
        return usage("usage.flag_not_allowed", part=f"--{not_taken[0]}")
    if flags.public and declaration.private:
        return usage("usage.flag_not_allowed", part="--public")
    both = [flag for flag in declaration.flags if flag in flags.names & declaration.exclusive]
    if len(both) > 1:
        return usage("usage.flags_exclusive", part=f"--{both[0]}", other=f"--{both[1]}")
    parsed = declaration.parse(args, flags)
    set_flags = {flag: True for flag in flags.names if flag in declaration.flags}
    if isinstance(parsed, UsageError) or not set_flags:
        return parsed
    return replace(parsed, **set_flags)


def _unknown_subcommand(word: str) -> UsageError:
    if looks_like_token(word):
        return usage("usage.token_without_login")
    close = difflib.get_close_matches(word.lower(), SUBCOMMANDS, n=1)
    if close:
        return usage("usage.unknown_subcommand_suggest", part=word, suggestion=close[0])
    return usage("usage.unknown_subcommand", part=word)
