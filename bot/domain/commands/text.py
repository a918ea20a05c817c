"""How each command's arguments are written back as text (``registry.command_text``), in the
form ``parse_command`` reads back; a login token is written as the mask only.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.domain.digest import clock_text
from bot.domain.durations import format_timeout
from bot.domain.secret import MASK

from .costs import BUDGET_OFF, RATE_KEYS, QuotaBudget, QuotaRate
from .model import (
    Audit,
    ChannelRef,
    Command,
    Create,
    Help,
    Lang,
    Links,
    ListImages,
    Login,
    MemberRef,
    NotGiven,
    Quota,
    QuotaApprovals,
    QuotaDigest,
    QuotaSet,
    RefCommand,
)
from .values import format_mount, format_port, format_ram

_NEEDS_QUOTES = frozenset(" \t\n\r\"'“”‘’\\=")
_QUOTED_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n"}


def quote(value: str) -> str:
    """``value`` as one word of a command text, quoted only when it has to be."""
    plain = value and not any(char in _NEEDS_QUOTES or char.isspace() for char in value)
    if plain and not value.startswith(("-", "—", "–")):
        return value
    return '"' + "".join(_QUOTED_ESCAPES.get(char, char) for char in value) + '"'


def help_words(command: Help) -> list[str]:
    return [command.topic] if command.topic else []


def login_words(command: Login) -> list[str]:
    return [MASK] if command.token is not None else []


def images_words(command: ListImages) -> list[str]:
    return [value for value in (command.accelerator, command.image_type) if value]


def ref_words(command: RefCommand) -> list[str]:
    return [quote(command.ref.value)]


def quota_words(
    command: Quota | QuotaSet | QuotaDigest | QuotaApprovals | QuotaRate | QuotaBudget,
) -> list[str]:
    if isinstance(command, QuotaRate):
        return rate_words(command)
    if isinstance(command, QuotaBudget):
        return budget_words(command)
    if isinstance(command, QuotaSet):
        return ["set", *_quota_options(command)]
    if isinstance(command, QuotaApprovals):
        if command.off:
            return ["approvals", "off"]
        channel = [] if command.channel is None else [quote(_channel_text(command.channel))]
        return ["approvals", *channel]
    if isinstance(command, QuotaDigest):
        return ["digest", *_digest_arguments(command)]
    return []


def audit_words(command: Audit) -> list[str]:
    return [str(command.entries)]


def links_words(command: Links) -> list[str]:
    return [] if command.enabled is None else ["on" if command.enabled else "off"]


def lang_words(command: Lang) -> list[str]:
    return [command.locale]


def no_words(command: Command) -> list[str]:
    return []


def _options(pairs: Iterable[tuple[str, str | None]]) -> list[str]:
    return [f"{key}={quote(value)}" for key, value in pairs if value is not None]


def _number(value: int | None) -> str | None:
    return None if value is None else str(value)


def create_words(command: Create) -> list[str]:
    timeout = None if isinstance(command.timeout, NotGiven) else format_timeout(command.timeout)
    ram = None if command.ram_mb is None else format_ram(command.ram_mb)
    words = [quote(command.image)] if command.image is not None else []
    words += _options(
        [
            ("name", command.name),
            ("type", command.task_type),
            ("accel", command.accelerator),
            ("gpus", _number(command.gpus)),
            ("cpus", _number(command.cpus)),
            ("ram", ram),
            ("group", command.resource_group),
            ("tasks", _number(command.tasks)),
            ("timeout", timeout),
        ]
    )
    words += _options(("port", format_port(port)) for port in command.ports)
    words += _options(("mount", format_mount(mount)) for mount in command.mounts)
    words += _options([("script", command.script), ("desc", command.description)])
    return words


def _quota_options(command: QuotaSet) -> list[str]:
    limits = command.limits
    ram = None if limits.ram_mb is None else format_ram(limits.ram_mb)
    words = _options(
        [
            ("gpus", _number(limits.gpus)),
            ("cpus", _number(limits.cpus)),
            ("ram", ram),
            ("instances", _number(limits.instances)),
        ]
    )
    if command.member is not None:
        words.append(f"user={quote(_member_text(command.member))}")
    return words


def rate_words(command: QuotaRate) -> list[str]:
    if command.group is None:
        return ["rate"]
    values = {"group": command.group, "gpu": command.gpu, "cpu": command.cpu, "ram": command.ram}
    return ["rate", *_options((key, _text(values[key])) for key in RATE_KEYS)]


def budget_words(command: QuotaBudget) -> list[str]:
    budget = BUDGET_OFF if command.budget is None else str(command.budget)
    words = ["set", f"budget={budget}"]
    if command.member is not None:
        words.append(f"user={quote(_member_text(command.member))}")
    return words


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _digest_arguments(command: QuotaDigest) -> list[str]:
    if command.off:
        return ["off"]
    words = [] if command.channel is None else [quote(_channel_text(command.channel))]
    return words + _options(
        [
            ("at", None if command.at is None else clock_text(command.at)),
            ("tz", command.timezone),
            ("hours", _number(command.hours)),
        ]
    )


def _channel_text(channel: ChannelRef) -> str:
    return f"<#{channel.value}>" if channel.kind == "channel_id" else f"#{channel.value}"


def _member_text(member: MemberRef) -> str:
    return f"<@{member.value}>" if member.kind == "user_id" else f"@{member.value}"
