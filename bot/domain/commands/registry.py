"""Every ``/scnet`` subcommand, declared once: its grammar, text, help, buttons and answers.

``parse_command``, ``command_text``, the help overview, the buttons of an instance card and
the Slack layer's dispatch (``answer_for``, ``button_command``) are all derived from
``DECLARATIONS``. Adding a subcommand is one ``Declaration`` here (with its command class and
parser, which may live beside it), its use case in ``bot.services``, its texts in the catalog,
and, when its answer is more than a notice, its renderer beside its Block Kit::

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

import difflib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, ClassVar, Final

from .bounds import MAX_TEXT_CHARS
from .costs import QuotaBudget, QuotaRate
from .create import CreateFlags, parse_create
from .dispatch import Answer, answer, call, notice, rendered
from .model import (
    Audit,
    Command,
    Create,
    Delete,
    Help,
    InstanceRef,
    Lang,
    Links,
    ListImages,
    ListInstances,
    Login,
    Logout,
    Quota,
    QuotaApprovals,
    QuotaDigest,
    QuotaSet,
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


# The team's report, the caller's own figures in it (``quota``, and after ``quota set``).
_QUOTA_REPORT: Final = call("quota.report", "user.team_id", caller="user")
# ... with the length of the team's create queue in it.
_QUEUE_LENGTH: Final = call("queue.with_length", "result", "user.team_id")


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


def _without_token(command: Command) -> bool:
    return isinstance(command, Login) and command.token is None


def _without_image(command: Command) -> bool:
    return isinstance(command, Create) and command.image is None


def _asks(command: Command) -> bool:
    return isinstance(command, Create) and command.ask


def _confirmed(command: Command) -> bool:
    return isinstance(command, Stop | Delete) and command.confirmed


def _queues(command: Command) -> bool:
    return isinstance(command, Create) and command.queue


def _queue_it(value: str) -> Command | None:
    """The create a refusal card's [Queue it] carries, with ``--queue``; None when its value
    is no create with an image (a garbled or stale button: nothing to do)."""
    parsed = parse_command(value) if len(value) <= MAX_TEXT_CHARS else None
    if not isinstance(parsed, Create) or parsed.image is None:
        return None
    return replace(parsed, queue=True, ask=False, force=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class QueueShow(Command):
    """``queue``: the team's queue of creates waiting for capacity."""

    subcommand: ClassVar[Subcommand] = "queue"


QUEUE_IT: Final = "queue.ask"  # bot.slack.blocks.ids.QUEUE_IT: the refusal card's [Queue it]

# The renderers of the answers that are more than a notice (see ``dispatch.rendered``).
_ANSWERS = "bot.slack.answers:"
_QUEUE = "bot.slack.blocks.create_queue:"
_APPROVALS = "bot.slack.blocks.approvals:"
_REFUSAL = "bot.slack.blocks.refusal:"
_OF_REF = ("user", "command.ref")


def _asked_first(kind: type[Stop | Delete], use_case: str, done: str) -> tuple[Answer, Answer]:
    """Confirmed (a button: the user has confirmed once), it acts; typed, it asks first."""
    return (
        answer(
            kind,
            call(use_case, *_OF_REF),
            reply=notice(done, tone="success", name="result.name"),
            when=_confirmed,
        ),
        answer(kind, call("instances.status", *_OF_REF), reply=rendered(_ANSWERS + "confirmation")),
    )


# In the order the help overview lists them.
_ALL: Final[tuple[Declaration, ...]] = (
    Declaration(
        "help",
        parse=_parse_help,
        words=help_words,
        help=HelpKeys("help.help.usage", "help.help.summary", "help.help.details"),
        answers=(answer(Help, reply=rendered(_ANSWERS + "help_page")),),
    ),
    Declaration(
        "login",
        parse=parse_login,
        words=login_words,
        help=HelpKeys("help.login.usage", "help.login.summary", "help.login.details"),
        private=True,
        answers=(
            answer(Login, reply=rendered(_ANSWERS + "login_form"), when=_without_token),
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
            answer(Logout, call("accounts.logout", "user"), reply=rendered(_ANSWERS + "logout")),
        ),
    ),
    Declaration(
        "whoami",
        parse=no_arguments(WhoAmI),
        words=no_words,
        help=HelpKeys("help.whoami.usage", "help.whoami.summary", "help.whoami.details"),
        answers=(
            answer(WhoAmI, call("accounts.whoami", "user"), reply=rendered(_ANSWERS + "whoami")),
        ),
    ),
    Declaration(
        "images",
        parse=parse_images,
        words=images_words,
        help=HelpKeys("help.images.usage", "help.images.summary", "help.images.details"),
        answers=(
            answer(
                ListImages,
                call(
                    "instances.images",
                    "user",
                    accelerator="command.accelerator",
                    image_type="command.image_type",
                ),
                reply=rendered(_ANSWERS + "images"),
            ),
        ),
    ),
    Declaration(
        "create",
        parse=_parse_create,
        words=create_words,
        help=HelpKeys("help.create.usage", "help.create.summary", "help.create.details"),
        flags=("force", "ask", "queue"),
        exclusive=frozenset({"ask", "queue"}),
        answers=(
            answer(Create, reply=rendered(_ANSWERS + "create_form"), when=_without_image),
            # ``--queue``: created if it fits now and nobody waits, else queued (``queue``).
            answer(
                Create,
                call(
                    "queue.create_or_queue",
                    "user",
                    "command",
                    origin="origin",
                    locale="locale",
                    is_admin="is_admin",
                ),
                reply=rendered(_QUEUE + "create_or_queue_reply"),
                when=_queues,
            ),
            # ``--ask``: created if it fits now, else asked of an admin (``approvals``).
            answer(
                Create,
                call("approvals.ask", "user", "command", origin="origin", is_admin="is_admin"),
                reply=rendered(_APPROVALS + "asked_reply"),
                when=_asks,
            ),
            answer(
                Create,
                call("instances.create", "user", "command", origin="origin", is_admin="is_admin"),
                reply=rendered(_ANSWERS + "created"),
                # Refused by a limit: the notice with [Ask an admin] and [Queue it].
                refusal=rendered(_REFUSAL + "refused_create"),
            ),
        ),
        # The refusal card's [Queue it]: its value is the create, queued as ``--queue`` would.
        buttons=((QUEUE_IT, _queue_it),),
    ),
    Declaration(
        "list",
        parse=no_arguments(ListInstances),
        words=no_words,
        help=HelpKeys("help.list.usage", "help.list.summary", "help.list.details"),
        answers=(
            answer(
                ListInstances,
                call("instances.list", "user"),
                reply=rendered(_ANSWERS + "instance_list"),
            ),
        ),
    ),
    Declaration(
        "status",
        parse=by_ref(Status),
        words=ref_words,
        help=HelpKeys("help.status.usage", "help.status.summary", "help.status.details"),
        on_card=lambda ref: Status(ref=ref),
        answers=(
            answer(Status, call("instances.status", *_OF_REF), reply=rendered(_ANSWERS + "card")),
        ),
    ),
    Declaration(
        "url",
        parse=by_ref(Url),
        words=ref_words,
        help=HelpKeys("help.url.usage", "help.url.summary", "help.url.details"),
        private=True,
        on_card=lambda ref: Url(ref=ref),
        answers=(
            answer(Url, call("instances.access_url", *_OF_REF), reply=rendered(_ANSWERS + "url")),
        ),
    ),
    Declaration(
        "restart",
        parse=by_ref(Restart),
        words=ref_words,
        help=HelpKeys("help.restart.usage", "help.restart.summary", "help.restart.details"),
        on_card=lambda ref: Restart(ref=ref),
        answers=(
            answer(
                Restart,
                call("instances.restart", *_OF_REF),
                reply=notice("notice.restarting", tone="success", name="result.name"),
            ),
        ),
    ),
    Declaration(
        "stop",
        parse=by_ref(Stop),
        words=ref_words,
        help=HelpKeys("help.stop.usage", "help.stop.summary", "help.stop.details"),
        # Every Stop button carries a confirm dialog or answers the typed stop's question.
        on_card=lambda ref: Stop(ref=ref, confirmed=True),
        answers=_asked_first(Stop, "instances.stop", "notice.stopping"),
    ),
    Declaration(
        "delete",
        parse=by_ref(Delete),
        words=ref_words,
        help=HelpKeys("help.delete.usage", "help.delete.summary", "help.delete.details"),
        on_card=lambda ref: Delete(ref=ref, confirmed=True),
        answers=_asked_first(Delete, "instances.delete", "notice.deleted"),
    ),
    Declaration(
        "watch",
        parse=by_ref(Watch),
        words=ref_words,
        help=HelpKeys("help.watch.usage", "help.watch.summary", "help.watch.details"),
        on_card=lambda ref: Watch(ref=ref),
        answers=(
            answer(
                Watch,
                call("instances.watch", *_OF_REF, origin="origin"),
                reply=notice("notice.watching", tone="success", name="result.name"),
            ),
        ),
    ),
    Declaration(
        "unwatch",
        parse=by_ref(Unwatch),
        words=ref_words,
        help=HelpKeys("help.unwatch.usage", "help.unwatch.summary", "help.unwatch.details"),
        on_card=lambda ref: Unwatch(ref=ref),
        answers=(
            answer(
                Unwatch,
                call("instances.unwatch", *_OF_REF),
                reply=notice("notice.unwatched", name="result.name"),
            ),
        ),
    ),
    Declaration(
        "quota",
        parse=parse_quota,
        words=quota_words,
        help=HelpKeys("help.quota.usage", "help.quota.summary", "help.quota.details"),
        answers=(
            answer(Quota, _QUOTA_REPORT, _QUEUE_LENGTH, reply=rendered(_ANSWERS + "quota_report")),
            answer(
                QuotaSet,
                call("quota.apply_limits", "user", "command", is_admin="is_admin"),
                _QUOTA_REPORT,
                _QUEUE_LENGTH,
                reply=rendered(_ANSWERS + "quota_report"),
            ),
            answer(
                QuotaDigest,
                call("quota.digest_for", "user", "command", is_admin="is_admin", locale="locale"),
                reply=rendered(_ANSWERS + "digest"),
            ),
            answer(
                QuotaRate,
                call("costs.rates_for", "user", "command", is_admin="is_admin"),
                reply=rendered("bot.slack.blocks.costs:rates_reply"),
            ),
            answer(
                QuotaBudget,
                call("costs.apply_budget", "user", "command", is_admin="is_admin"),
                reply=rendered("bot.slack.blocks.costs:budget_reply"),
            ),
            answer(
                QuotaApprovals,
                call(
                    "approvals.set_channel",
                    "user",
                    "command.channel",
                    off="command.off",
                    is_admin="is_admin",
                    locale="locale",
                ),
                reply=rendered(_APPROVALS + "channel_reply"),
            ),
        ),
    ),
    Declaration(
        "queue",
        parse=no_arguments(QueueShow),
        words=no_words,
        help=HelpKeys("help.queue.usage", "help.queue.summary", "help.queue.details"),
        answers=(
            answer(
                QueueShow, call("queue.view_for", "user"), reply=rendered(_QUEUE + "queue_reply")
            ),
        ),
    ),
    Declaration(
        "audit",
        parse=parse_audit,
        words=audit_words,
        help=HelpKeys("help.audit.usage", "help.audit.summary", "help.audit.details"),
        answers=(
            answer(
                Audit,
                call("audit_log.latest_for", "user", limit="command.entries", is_admin="is_admin"),
                reply=rendered(_ANSWERS + "audit"),
            ),
        ),
    ),
    Declaration(
        "links",
        parse=parse_links,
        words=links_words,
        help=HelpKeys("help.links.usage", "help.links.summary", "help.links.details"),
        answers=(
            answer(
                Links,
                call(
                    "channels.links",
                    "user",
                    "command",
                    channel_id="channel_id",
                    is_admin="is_admin",
                ),
                reply=rendered(_ANSWERS + "links"),
            ),
        ),
    ),
    Declaration(
        "lang",
        parse=parse_lang,
        words=lang_words,
        help=HelpKeys("help.lang.usage", "help.lang.summary", "help.lang.details"),
        answers=(
            answer(
                Lang,
                call("preferences.set_locale", "user", "command.locale"),
                reply=notice("notice.lang_set", tone="success", locale="command.locale"),
            ),
        ),
    ),
)
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
