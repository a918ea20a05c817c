"""``parse_command``: any text to a typed command or a usage error, never an exception.

Grammar (words split as in ``tokens``; ``--public`` and ``--force`` may stand anywhere)::

    help [<subcommand>]          login [<token>]        logout        whoami
    images [gpu|dcu|mlu|cpu] [Base|JupyterLab]          list
    create [<image>] [key=value ...]                    (keys: see ``create``)
    status|url|restart|stop|delete|watch|unwatch <id | id prefix (6+ hex) | name>
    quota | quota set gpus=N cpus=N ram=N[G] instances=N [user=@name]
    quota digest [#channel | off] [at=HH:MM] [tz=Area/City] [hours=N]
    audit [n]                    lang zh|en

An empty text is ``help``. ``--force`` only applies to create; ``--public`` is refused where the
reply holds something private (login, url).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Final

from bot.domain.i18n import parse_locale
from bot.domain.instances import ACCELERATORS, Accelerator, ImageType
from bot.domain.quota import QuotaLimits
from bot.domain.secret import MASK

from .bounds import AUDIT_DEFAULT, AUDIT_ENTRIES, DIGEST_HOURS, MAX_TEXT_CHARS, QUOTA_BOUNDS
from .create import CreateFlags, collect_options, parse_create
from .model import (
    SUBCOMMANDS,
    Audit,
    Command,
    Delete,
    Help,
    InstanceCommand,
    InstanceRef,
    Lang,
    Links,
    ListImages,
    ListInstances,
    Login,
    Logout,
    Quota,
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
from .tokens import Word, tokenise
from .values import (
    looks_like_token,
    parse_channel,
    parse_clock,
    parse_int,
    parse_member,
    parse_ram,
    parse_ref,
    parse_timezone,
    parse_token,
)

FLAGS: Final = ("public", "force")
# "--" typed on a Mac or phone often arrives as an em or en dash.
_FLAG_PREFIXES: Final = ("--", "—", "–")
_PRIVATE_REPLIES: Final = frozenset({"login", "url"})
QUOTA_KEYS: Final = ("gpus", "cpus", "ram", "instances", "user")
DIGEST_KEYS: Final = ("at", "tz", "hours")
DIGEST_OFF: Final = "off"
_IMAGE_TYPES: Final[Mapping[str, ImageType]] = {"base": "Base", "jupyterlab": "JupyterLab"}
_ACCELERATORS: Final[Mapping[str, Accelerator]] = {value: value for value in ACCELERATORS}
_SLACK_ENTITIES: Final = (("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&"))


@dataclass(frozen=True, slots=True)
class Flags:
    public: bool = False
    force: bool = False


def parse_slack_text(text: str) -> Command | UsageError:
    """``parse_command`` for a slash command's ``text`` as Slack sends it.

    Slack escapes ``&``, ``<`` and ``>`` typed by the user as HTML entities (and keeps ``<@U..>``
    mentions as they are), so ``script="a && b"`` arrives as ``a &amp;&amp; b``.
    """
    if len(text) > MAX_TEXT_CHARS:
        return _too_long(text)
    for entity, char in _SLACK_ENTITIES:
        text = text.replace(entity, char)
    return parse_command(text)


def parse_command(text: str) -> Command | UsageError:
    """The command ``text`` (what follows ``/scnet``) stands for, or why it is not one."""
    if len(text) > MAX_TEXT_CHARS:
        return _too_long(text)
    words = tokenise(text)
    if isinstance(words, UsageError):
        return _broken_quote(words, _SUBCOMMAND_BY_NAME.get(_first_word(text)))
    split = _split_flags(words)
    if isinstance(split, UsageError):
        head = next((word.text.lower() for word in words if _flag_name(word) is None), "")
        return _concerning(split, _SUBCOMMAND_BY_NAME.get(head))
    flags, rest = split
    if not rest:
        return Help(public=flags.public)
    subcommand = _SUBCOMMAND_BY_NAME.get(rest[0].text.lower())
    if subcommand is None:
        return _unknown_subcommand(rest[0].text)
    return _concerning(_parse_subcommand(subcommand, rest[1:], flags), subcommand)


def _too_long(text: str) -> UsageError:
    return usage("usage.too_long", length=len(text), limit=MAX_TEXT_CHARS)


def _first_word(text: str) -> str:
    """The first word that is not a flag, before quotes are understood (they may be broken)."""
    for part in text.split():
        if not part.startswith(_FLAG_PREFIXES):
            return part.lower()
    return ""


def _broken_quote(error: UsageError, subcommand: Subcommand | None) -> UsageError:
    """An unclosed quote's error; after ``login`` the quoted text is a token, so it is masked."""
    if subcommand == "login":
        params = tuple((name, MASK if name == "part" else value) for name, value in error.params)
        return UsageError(error.key, subcommand, params)
    return replace(error, subcommand=subcommand)


def _concerning(
    result: Command | UsageError, subcommand: Subcommand | None
) -> Command | UsageError:
    """Tie a usage error to the subcommand it is about, so its usage line can be shown."""
    if isinstance(result, UsageError) and result.subcommand is None:
        return replace(result, subcommand=subcommand)
    return result


def _split_flags(words: Sequence[Word]) -> tuple[Flags, list[Word]] | UsageError:
    public = force = False
    rest: list[Word] = []
    for word in words:
        flag = _flag_name(word)
        if flag is None:
            rest.append(word)
        elif flag == "public":
            public = True
        elif flag == "force":
            force = True
        else:
            return usage("usage.unknown_flag", part=word.text, valid="--public, --force")
    return Flags(public=public, force=force), rest


def _flag_name(word: Word) -> str | None:
    """The flag a word spells (maybe an unknown one), or None when it is not a flag."""
    if word.quoted or word.is_option:
        return None
    for prefix in _FLAG_PREFIXES:
        if word.text.startswith(prefix) and len(word.text) > len(prefix):
            return word.text[len(prefix) :].lower()
    return None


def _unknown_subcommand(word: str) -> UsageError:
    if looks_like_token(word):
        return usage("usage.token_without_login")
    close = difflib.get_close_matches(word.lower(), SUBCOMMANDS, n=1)
    if close:
        return usage("usage.unknown_subcommand_suggest", part=word, suggestion=close[0])
    return usage("usage.unknown_subcommand", part=word)


def _parse_subcommand(
    subcommand: Subcommand, args: Sequence[Word], flags: Flags
) -> Command | UsageError:
    if flags.force and subcommand != "create":
        return usage("usage.flag_not_allowed", part="--force")
    if flags.public and subcommand in _PRIVATE_REPLIES:
        return usage("usage.flag_not_allowed", part="--public")
    if subcommand == "create":
        return parse_create(args, CreateFlags(force=flags.force, public=flags.public))
    if subcommand in _INSTANCE_COMMANDS:
        return _parse_instance_command(_INSTANCE_COMMANDS[subcommand], args, flags)
    return _PARSERS[subcommand](args, flags)


def _no_arguments(
    build: Callable[[bool], Command],
) -> Callable[[Sequence[Word], Flags], Command | UsageError]:
    def parse(args: Sequence[Word], flags: Flags) -> Command | UsageError:
        if args:
            return usage("usage.unexpected_argument", part=args[0].text)
        return build(flags.public)

    return parse


def _parse_help(args: Sequence[Word], flags: Flags) -> Help | UsageError:
    if not args:
        return Help(public=flags.public)
    if len(args) > 1:
        return usage("usage.unexpected_argument", part=args[1].text)
    topic = _SUBCOMMAND_BY_NAME.get(args[0].text.lower())
    if topic is None:
        close = difflib.get_close_matches(args[0].text.lower(), SUBCOMMANDS, n=1)
        return usage(
            "usage.unknown_topic", part=args[0].text, valid=", ".join(close or SUBCOMMANDS)
        )
    return Help(topic=topic, public=flags.public)


def _parse_login(args: Sequence[Word], flags: Flags) -> Login | UsageError:
    if not args:
        return Login(public=flags.public)
    if len(args) > 1:
        return usage("usage.login_extra")
    token = parse_token(args[0].text)
    if isinstance(token, UsageError):
        return token
    return Login(token=token, public=flags.public)


def _parse_images(args: Sequence[Word], flags: Flags) -> ListImages | UsageError:
    accelerator: Accelerator | None = None
    image_type: ImageType | None = None
    for word in args:
        lowered = word.text.lower()
        if lowered in _ACCELERATORS and accelerator is None:
            accelerator = _ACCELERATORS[lowered]
        elif lowered in _IMAGE_TYPES and image_type is None:
            image_type = _IMAGE_TYPES[lowered]
        elif lowered in _ACCELERATORS or lowered in _IMAGE_TYPES:
            return usage("usage.unexpected_argument", part=word.text)
        else:
            valid = ", ".join([*ACCELERATORS, *_IMAGE_TYPES.values()])
            return usage("usage.bad_choice", part=word.text, key="images", valid=valid)
    return ListImages(accelerator=accelerator, image_type=image_type, public=flags.public)


def _parse_instance_command(
    build: Callable[[InstanceRef, bool], InstanceCommand], args: Sequence[Word], flags: Flags
) -> InstanceCommand | UsageError:
    if not args:
        return usage("usage.missing_ref")
    if len(args) > 1:
        return usage("usage.unexpected_argument", part=args[1].text)
    if args[0].is_option:
        return usage("usage.unexpected_argument", part=args[0].text)
    ref = parse_ref(args[0].text)
    if isinstance(ref, UsageError):
        return ref
    return build(ref, flags.public)


def _parse_quota(args: Sequence[Word], flags: Flags) -> Quota | QuotaSet | QuotaDigest | UsageError:
    if not args:
        return Quota(public=flags.public)
    action = "" if args[0].is_option else args[0].text.lower()
    if action == "digest":
        return _parse_digest(args[1:], flags)
    if action != "set":
        return usage("usage.unknown_quota_action", part=args[0].text)
    stray = [word for word in args[1:] if not word.is_option]
    if stray:
        return usage("usage.unexpected_argument", part=stray[0].text)
    collected = collect_options(args[1:], QUOTA_KEYS)
    if isinstance(collected, UsageError):
        return collected
    single, _ = collected
    if not set(single) - {"user"}:
        return usage("usage.quota_set_empty")
    return _build_quota_set(single, flags)


def _build_quota_set(single: Mapping[str, str], flags: Flags) -> QuotaSet | UsageError:
    values: dict[str, int | None] = {"gpus": None, "cpus": None, "ram": None, "instances": None}
    for key, bounds in (
        ("gpus", QUOTA_BOUNDS.gpus),
        ("cpus", QUOTA_BOUNDS.cpus),
        ("instances", QUOTA_BOUNDS.instances),
    ):
        if key in single:
            parsed = parse_int(key, single[key], bounds)
            if isinstance(parsed, UsageError):
                return parsed
            values[key] = parsed
    if "ram" in single:
        ram = parse_ram("ram", single["ram"], QUOTA_BOUNDS.ram_mb)
        if isinstance(ram, UsageError):
            return ram
        values["ram"] = ram
    member = parse_member(single["user"]) if "user" in single else None
    if isinstance(member, UsageError):
        return member
    limits = QuotaLimits(
        gpus=values["gpus"],
        cpus=values["cpus"],
        ram_mb=values["ram"],
        instances=values["instances"],
    )
    return QuotaSet(limits=limits, member=member, public=flags.public)


def _parse_digest(args: Sequence[Word], flags: Flags) -> QuotaDigest | UsageError:
    positional = [word for word in args if not word.is_option]
    if len(positional) > 1:
        return usage("usage.unexpected_argument", part=positional[1].text)
    options = [word for word in args if word.is_option]
    if positional and positional[0].text.lower() == DIGEST_OFF and not positional[0].quoted:
        if options:
            return usage("usage.unexpected_argument", part=options[0].text)
        return QuotaDigest(off=True, public=flags.public)
    channel = parse_channel(positional[0].text) if positional else None
    if isinstance(channel, UsageError):
        return channel
    collected = collect_options(options, DIGEST_KEYS)
    if isinstance(collected, UsageError):
        return collected
    single, _ = collected
    at = parse_clock("at", single["at"]) if "at" in single else None
    if isinstance(at, UsageError):
        return at
    timezone = parse_timezone("tz", single["tz"]) if "tz" in single else None
    if isinstance(timezone, UsageError):
        return timezone
    hours = parse_int("hours", single["hours"], DIGEST_HOURS) if "hours" in single else None
    if isinstance(hours, UsageError):
        return hours
    return QuotaDigest(channel=channel, at=at, timezone=timezone, hours=hours, public=flags.public)


def _parse_audit(args: Sequence[Word], flags: Flags) -> Audit | UsageError:
    if not args:
        return Audit(entries=AUDIT_DEFAULT, public=flags.public)
    if len(args) > 1:
        return usage("usage.unexpected_argument", part=args[1].text)
    entries = parse_int("n", args[0].text, AUDIT_ENTRIES)
    if isinstance(entries, UsageError):
        return entries
    return Audit(entries=entries, public=flags.public)


def _parse_links(args: Sequence[Word], flags: Flags) -> Links | UsageError:
    if not args:
        return Links(public=flags.public)
    if len(args) > 1:
        return usage("usage.unexpected_argument", part=args[1].text)
    choice = args[0].text.lower()
    if choice not in {"on", "off"} or args[0].is_option:
        return usage("usage.bad_choice", part=args[0].text, key="links", valid="on, off")
    return Links(enabled=choice == "on", public=flags.public)


def _parse_lang(args: Sequence[Word], flags: Flags) -> Lang | UsageError:
    if not args:
        return usage("usage.missing_locale")
    if len(args) > 1:
        return usage("usage.unexpected_argument", part=args[1].text)
    locale = parse_locale(args[0].text)
    if locale is None:
        return usage("usage.bad_choice", part=args[0].text, key="lang", valid="zh, en")
    return Lang(locale=locale, public=flags.public)


_SUBCOMMAND_BY_NAME: Final[Mapping[str, Subcommand]] = {name: name for name in SUBCOMMANDS}
_INSTANCE_COMMANDS: Final[Mapping[str, Callable[[InstanceRef, bool], InstanceCommand]]] = {
    "status": lambda ref, public: Status(ref=ref, public=public),
    "url": lambda ref, public: Url(ref=ref, public=public),
    "restart": lambda ref, public: Restart(ref=ref, public=public),
    "stop": lambda ref, public: Stop(ref=ref, public=public),
    "delete": lambda ref, public: Delete(ref=ref, public=public),
    "watch": lambda ref, public: Watch(ref=ref, public=public),
    "unwatch": lambda ref, public: Unwatch(ref=ref, public=public),
}
_PARSERS: Final[Mapping[str, Callable[[Sequence[Word], Flags], Command | UsageError]]] = {
    "help": _parse_help,
    "login": _parse_login,
    "logout": _no_arguments(lambda public: Logout(public=public)),
    "whoami": _no_arguments(lambda public: WhoAmI(public=public)),
    "images": _parse_images,
    "list": _no_arguments(lambda public: ListInstances(public=public)),
    "quota": _parse_quota,
    "audit": _parse_audit,
    "links": _parse_links,
    "lang": _parse_lang,
}
