"""The grammar's pieces: flags, and the parsers of the subcommands' arguments.

``registry`` declares which parser reads which subcommand; ``parse_command`` there is total:
any text gives a typed command or a usage error, never an exception. Grammar (words split as
in ``tokens``; ``--public`` and ``--force`` may stand anywhere)::

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

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Final

from bot.domain.i18n import parse_locale
from bot.domain.instances import ACCELERATORS, Accelerator, ImageType
from bot.domain.quota import QuotaLimits
from bot.domain.secret import MASK

from .bounds import AUDIT_DEFAULT, AUDIT_ENTRIES, DIGEST_HOURS, MAX_TEXT_CHARS, QUOTA_BOUNDS
from .costs import QuotaBudget, QuotaRate, parse_quota_budget, parse_quota_rate
from .create import collect_options
from .model import (
    Audit,
    Command,
    Lang,
    Links,
    ListImages,
    Login,
    Quota,
    QuotaApprovals,
    QuotaDigest,
    QuotaSet,
    RefCommand,
    Subcommand,
    UsageError,
    usage,
)
from .tokens import Word
from .values import (
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
QUOTA_KEYS: Final = ("gpus", "cpus", "ram", "instances", "user", "budget")
DIGEST_KEYS: Final = ("at", "tz", "hours")
DIGEST_OFF: Final = "off"
_IMAGE_TYPES: Final[Mapping[str, ImageType]] = {"base": "Base", "jupyterlab": "JupyterLab"}
_ACCELERATORS: Final[Mapping[str, Accelerator]] = {value: value for value in ACCELERATORS}
SLACK_ENTITIES: Final = (("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&"))


@dataclass(frozen=True, slots=True)
class Flags:
    """The flags typed (without their dashes): ``public`` and those subcommands declare."""

    names: frozenset[str] = frozenset()

    @property
    def public(self) -> bool:
        return "public" in self.names

    @property
    def force(self) -> bool:
        return "force" in self.names


def too_long(text: str) -> UsageError:
    return usage("usage.too_long", length=len(text), limit=MAX_TEXT_CHARS)


def first_word(text: str) -> str:
    """The first word that is not a flag, before quotes are understood (they may be broken)."""
    for part in text.split():
        if not part.startswith(_FLAG_PREFIXES):
            return part.lower()
    return ""


def broken_quote(error: UsageError, subcommand: Subcommand | None) -> UsageError:
    """An unclosed quote's error; after ``login`` the quoted text is a token, so it is masked."""
    if subcommand == "login":
        params = tuple((name, MASK if name == "part" else value) for name, value in error.params)
        return UsageError(error.key, subcommand, params)
    return replace(error, subcommand=subcommand)


def concerning(result: Command | UsageError, subcommand: Subcommand | None) -> Command | UsageError:
    """Tie a usage error to the subcommand it is about, so its usage line can be shown."""
    if isinstance(result, UsageError) and result.subcommand is None:
        return replace(result, subcommand=subcommand)
    return result


def split_flags(
    words: Sequence[Word], known: Sequence[str] = ("public",)
) -> tuple[Flags, list[Word]] | UsageError:
    """The flags among ``words`` (each one of ``known``) and the other words, in order."""
    names: set[str] = set()
    rest: list[Word] = []
    for word in words:
        flag = flag_name(word)
        if flag is None:
            rest.append(word)
        elif flag in known:
            names.add(flag)
        else:
            valid = ", ".join(f"--{name}" for name in known)
            return usage("usage.unknown_flag", part=word.text, valid=valid)
    return Flags(frozenset(names)), rest


def flag_name(word: Word) -> str | None:
    """The flag a word spells (maybe an unknown one), or None when it is not a flag."""
    if word.quoted or word.is_option:
        return None
    for prefix in _FLAG_PREFIXES:
        if word.text.startswith(prefix) and len(word.text) > len(prefix):
            return word.text[len(prefix) :].lower()
    return None


Parse = Callable[[Sequence[Word], "Flags"], Command | UsageError]


def no_arguments(kind: type[Command]) -> Parse:
    """The parser of a subcommand that takes nothing but flags."""

    def parse(args: Sequence[Word], flags: Flags) -> Command | UsageError:
        if args:
            return usage("usage.unexpected_argument", part=args[0].text)
        return kind(public=flags.public)

    return parse


def by_ref(kind: type[RefCommand]) -> Parse:
    """The parser of a subcommand about one instance: ``<id | id prefix | name>``."""

    def parse(args: Sequence[Word], flags: Flags) -> Command | UsageError:
        if not args:
            return usage("usage.missing_ref")
        if len(args) > 1:
            return usage("usage.unexpected_argument", part=args[1].text)
        if args[0].is_option:
            return usage("usage.unexpected_argument", part=args[0].text)
        ref = parse_ref(args[0].text)
        if isinstance(ref, UsageError):
            return ref
        return kind(ref=ref, public=flags.public)

    return parse


def parse_login(args: Sequence[Word], flags: Flags) -> Login | UsageError:
    if not args:
        return Login(public=flags.public)
    if len(args) > 1:
        return usage("usage.login_extra")
    token = parse_token(args[0].text)
    if isinstance(token, UsageError):
        return token
    return Login(token=token, public=flags.public)


def parse_images(args: Sequence[Word], flags: Flags) -> ListImages | UsageError:
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
            return usage(
                "usage.bad_images_filter",
                part=word.text,
                accelerators=", ".join(ACCELERATORS),
                types=", ".join(_IMAGE_TYPES.values()),
            )
    return ListImages(accelerator=accelerator, image_type=image_type, public=flags.public)


def parse_quota(
    args: Sequence[Word], flags: Flags
) -> Quota | QuotaSet | QuotaDigest | QuotaApprovals | QuotaRate | QuotaBudget | UsageError:
    if not args:
        return Quota(public=flags.public)
    action = "" if args[0].is_option else args[0].text.lower()
    if action == "digest":
        return _parse_digest(args[1:], flags)
    if action == "rate":
        return parse_quota_rate(args[1:], public=flags.public)
    if action == "approvals":
        return _parse_approvals(args[1:], flags)
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
    if "budget" in single:
        return parse_quota_budget(single, public=flags.public)
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


def _parse_approvals(args: Sequence[Word], flags: Flags) -> QuotaApprovals | UsageError:
    if len(args) > 1:
        return usage("usage.unexpected_argument", part=args[1].text)
    if not args:
        return QuotaApprovals(public=flags.public)
    word = args[0]
    if word.is_option:
        return usage("usage.unexpected_argument", part=word.text)
    if word.text.lower() == DIGEST_OFF and not word.quoted:
        return QuotaApprovals(off=True, public=flags.public)
    channel = parse_channel(word.text)
    if isinstance(channel, UsageError):
        return channel
    return QuotaApprovals(channel=channel, public=flags.public)


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


def parse_audit(args: Sequence[Word], flags: Flags) -> Audit | UsageError:
    if not args:
        return Audit(entries=AUDIT_DEFAULT, public=flags.public)
    if len(args) > 1:
        return usage("usage.unexpected_argument", part=args[1].text)
    entries = parse_int("n", args[0].text, AUDIT_ENTRIES)
    if isinstance(entries, UsageError):
        return entries
    return Audit(entries=entries, public=flags.public)


def parse_links(args: Sequence[Word], flags: Flags) -> Links | UsageError:
    if not args:
        return Links(public=flags.public)
    if len(args) > 1:
        return usage("usage.unexpected_argument", part=args[1].text)
    choice = args[0].text.lower()
    if choice not in {"on", "off"} or args[0].is_option:
        return usage("usage.bad_choice", part=args[0].text, key="links", valid="on, off")
    return Links(enabled=choice == "on", public=flags.public)


def parse_lang(args: Sequence[Word], flags: Flags) -> Lang | UsageError:
    if not args:
        return usage("usage.missing_locale")
    if len(args) > 1:
        return usage("usage.unexpected_argument", part=args[1].text)
    locale = parse_locale(args[0].text)
    if locale is None:
        return usage("usage.bad_choice", part=args[0].text, key="lang", valid="zh, en")
    return Lang(locale=locale, public=flags.public)
