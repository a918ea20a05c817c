"""Every ``/scnet`` subcommand, declared once: its name, grammar, text, help and card button.

``parse_command``, ``command_text``, the help overview and the buttons of an instance card are
all derived from ``DECLARATIONS``. Adding a subcommand is one ``Declaration`` here (with its
command class and parser, which may live beside it), its texts in the catalog, the use case
it runs and its answer in ``bot.slack.conversation``::

    Declaration(
        "extend",
        parse=by_ref(Extend),
        words=ref_words,
        help=HelpKeys("help.extend.usage", "help.extend.summary", "help.extend.details"),
        on_card=lambda ref: Extend(ref=ref),  # a button ``instance.extend`` on the card
    )
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from .bounds import MAX_TEXT_CHARS
from .create import CreateFlags, parse_create
from .model import (
    Command,
    Create,
    Delete,
    Help,
    InstanceRef,
    ListInstances,
    Logout,
    Restart,
    Status,
    Stop,
    Subcommand,
    Unwatch,
    Url,
    UsageError,
    Watch,
    WhoAmI,
    usage,
)
from .parser import (
    SLACK_ENTITIES,
    Flags,
    Parse,
    broken_quote,
    by_ref,
    concerning,
    first_word,
    flag_name,
    no_arguments,
    parse_audit,
    parse_images,
    parse_lang,
    parse_links,
    parse_login,
    parse_quota,
    split_flags,
    too_long,
)
from .text import (
    audit_words,
    create_words,
    help_words,
    images_words,
    lang_words,
    links_words,
    login_words,
    no_words,
    quota_words,
    ref_words,
)
from .tokens import Word, tokenise
from .values import looks_like_token


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
    force: bool = False  # ``--force`` applies
    # The command a button on an instance card means (action id ``instance.<name>``, value
    # the instance id), or None when the card has no such button.
    on_card: Callable[[InstanceRef], Command] | None = None


def _parse_create(args: Sequence[Word], flags: Flags) -> Command | UsageError:
    return parse_create(args, CreateFlags(force=flags.force, public=flags.public))


def _parse_help(args: Sequence[Word], flags: Flags) -> Help | UsageError:
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


# In the order the help overview lists them.
_ALL: Final[tuple[Declaration, ...]] = (
    Declaration(
        "help",
        parse=_parse_help,
        words=help_words,
        help=HelpKeys("help.help.usage", "help.help.summary", "help.help.details"),
    ),
    Declaration(
        "login",
        parse=parse_login,
        words=login_words,
        help=HelpKeys("help.login.usage", "help.login.summary", "help.login.details"),
        private=True,
    ),
    Declaration(
        "logout",
        parse=no_arguments(Logout),
        words=no_words,
        help=HelpKeys("help.logout.usage", "help.logout.summary", "help.logout.details"),
    ),
    Declaration(
        "whoami",
        parse=no_arguments(WhoAmI),
        words=no_words,
        help=HelpKeys("help.whoami.usage", "help.whoami.summary", "help.whoami.details"),
    ),
    Declaration(
        "images",
        parse=parse_images,
        words=images_words,
        help=HelpKeys("help.images.usage", "help.images.summary", "help.images.details"),
    ),
    Declaration(
        "create",
        parse=_parse_create,
        words=create_words,
        help=HelpKeys("help.create.usage", "help.create.summary", "help.create.details"),
        force=True,
    ),
    Declaration(
        "list",
        parse=no_arguments(ListInstances),
        words=no_words,
        help=HelpKeys("help.list.usage", "help.list.summary", "help.list.details"),
    ),
    Declaration(
        "status",
        parse=by_ref(Status),
        words=ref_words,
        help=HelpKeys("help.status.usage", "help.status.summary", "help.status.details"),
        on_card=lambda ref: Status(ref=ref),
    ),
    Declaration(
        "url",
        parse=by_ref(Url),
        words=ref_words,
        help=HelpKeys("help.url.usage", "help.url.summary", "help.url.details"),
        private=True,
        on_card=lambda ref: Url(ref=ref),
    ),
    Declaration(
        "restart",
        parse=by_ref(Restart),
        words=ref_words,
        help=HelpKeys("help.restart.usage", "help.restart.summary", "help.restart.details"),
        on_card=lambda ref: Restart(ref=ref),
    ),
    Declaration(
        "stop",
        parse=by_ref(Stop),
        words=ref_words,
        help=HelpKeys("help.stop.usage", "help.stop.summary", "help.stop.details"),
        # Every Stop button carries a confirm dialog or answers the typed stop's question.
        on_card=lambda ref: Stop(ref=ref, confirmed=True),
    ),
    Declaration(
        "delete",
        parse=by_ref(Delete),
        words=ref_words,
        help=HelpKeys("help.delete.usage", "help.delete.summary", "help.delete.details"),
        on_card=lambda ref: Delete(ref=ref, confirmed=True),
    ),
    Declaration(
        "watch",
        parse=by_ref(Watch),
        words=ref_words,
        help=HelpKeys("help.watch.usage", "help.watch.summary", "help.watch.details"),
        on_card=lambda ref: Watch(ref=ref),
    ),
    Declaration(
        "unwatch",
        parse=by_ref(Unwatch),
        words=ref_words,
        help=HelpKeys("help.unwatch.usage", "help.unwatch.summary", "help.unwatch.details"),
        on_card=lambda ref: Unwatch(ref=ref),
    ),
    Declaration(
        "quota",
        parse=parse_quota,
        words=quota_words,
        help=HelpKeys("help.quota.usage", "help.quota.summary", "help.quota.details"),
    ),
    Declaration(
        "audit",
        parse=parse_audit,
        words=audit_words,
        help=HelpKeys("help.audit.usage", "help.audit.summary", "help.audit.details"),
    ),
    Declaration(
        "links",
        parse=parse_links,
        words=links_words,
        help=HelpKeys("help.links.usage", "help.links.summary", "help.links.details"),
    ),
    Declaration(
        "lang",
        parse=parse_lang,
        words=lang_words,
        help=HelpKeys("help.lang.usage", "help.lang.summary", "help.lang.details"),
    ),
)
DECLARATIONS: Final[Mapping[Subcommand, Declaration]] = {d.name: d for d in _ALL}
SUBCOMMANDS: Final[tuple[Subcommand, ...]] = tuple(DECLARATIONS)


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
    split = split_flags(words)
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
    words = [command.subcommand, *DECLARATIONS[command.subcommand].words(command)]
    if isinstance(command, Create) and command.force:
        words.append("--force")
    if command.public:
        words.append("--public")
    return " ".join(words)


def card_command(subcommand: Subcommand, instance_id: str) -> Command | None:
    """What a press of ``subcommand``'s instance-card button means, or None (no such button)."""
    declaration = DECLARATIONS.get(subcommand)
    if declaration is None or declaration.on_card is None:
        return None
    return declaration.on_card(InstanceRef("id", instance_id.strip().lower()))


def _known(word: str) -> Subcommand | None:
    return word if word in DECLARATIONS else None


def _parse_arguments(
    declaration: Declaration, args: Sequence[Word], flags: Flags
) -> Command | UsageError:
    if flags.force and not declaration.force:
        return usage("usage.flag_not_allowed", part="--force")
    if flags.public and declaration.private:
        return usage("usage.flag_not_allowed", part="--public")
    return declaration.parse(args, flags)


def _unknown_subcommand(word: str) -> UsageError:
    if looks_like_token(word):
        return usage("usage.token_without_login")
    close = difflib.get_close_matches(word.lower(), SUBCOMMANDS, n=1)
    if close:
        return usage("usage.unknown_subcommand_suggest", part=word, suggestion=close[0])
    return usage("usage.unknown_subcommand", part=word)
