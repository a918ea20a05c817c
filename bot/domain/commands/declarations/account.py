"""The declarations of the caller's own subcommands: help, login, logout, whoami."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import Final

from ..dispatch import answer, call, notice, rendered
from ..model import Command, Help, Login, Logout, UsageError, WhoAmI, usage
from ..parser import Flags, no_arguments, parse_login
from ..text import help_words, login_words, no_words
from ..tokens import Word
from . import ANSWERS, Declaration, HelpKeys


def _parse_help(args: Sequence[Word], flags: Flags) -> Help | UsageError:
    from ..registry import DECLARATIONS, SUBCOMMANDS  # the whole table, derived from this one

    if not args:
        return Help(public=flags.public)
    if len(args) > 1:
        return usage("usage.unexpected_argument", part=args[1].text)
    topic = args[0].text.lower()
    if topic not in DECLARATIONS:
        close = difflib.get_close_matches(topic, SUBCOMMANDS, n=1)
        return usage(
            "usage.unknown_topic", part=args[0].text, valid=", ".join(close or SUBCOMMANDS)
        )
    return Help(topic=topic, public=flags.public)


def _without_token(command: Command) -> bool:
    return isinstance(command, Login) and command.token is None


# In the order the help overview lists them.
ACCOUNT: Final[tuple[Declaration, ...]] = (
    Declaration(
        "help",
        parse=_parse_help,
        words=help_words,
        help=HelpKeys("help.help.usage", "help.help.summary", "help.help.details"),
        answers=(answer(Help, reply=rendered(ANSWERS + "help_page")),),
    ),
    Declaration(
        "login",
        parse=parse_login,
        words=login_words,
        help=HelpKeys("help.login.usage", "help.login.summary", "help.login.details"),
        private=True,
        answers=(
            answer(Login, reply=rendered(ANSWERS + "login_form"), when=_without_token),
            answer(
                Login,
                call("accounts.login_with_token", "user", "command.token"),
                reply=notice("notice.logged_in", tone="success", user="result.identity.scnet_user"),
            ),
        ),
    ),
    Declaration(
        "logout",
        parse=no_arguments(Logout),
        words=no_words,
        help=HelpKeys("help.logout.usage", "help.logout.summary", "help.logout.details"),
        answers=(
            answer(Logout, call("accounts.logout", "user"), reply=rendered(ANSWERS + "logout")),
        ),
    ),
    Declaration(
        "whoami",
        parse=no_arguments(WhoAmI),
        words=no_words,
        help=HelpKeys("help.whoami.usage", "help.whoami.summary", "help.whoami.details"),
        answers=(
            answer(WhoAmI, call("accounts.whoami", "user"), reply=rendered(ANSWERS + "whoami")),
        ),
    ),
)
