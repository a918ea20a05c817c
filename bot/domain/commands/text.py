"""``command_text``: the canonical text of a command, which ``parse_command`` reads back.

Used for the audit trail and the console's echo; a login token is shown as the mask only.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.domain.digest import clock_text
from bot.domain.durations import format_timeout
from bot.domain.secret import MASK

from .model import (
    Audit,
    ChannelRef,
    Command,
    Create,
    Delete,
    Help,
    Lang,
    ListImages,
    Login,
    MemberRef,
    NotGiven,
    QuotaDigest,
    QuotaSet,
    Restart,
    Status,
    Stop,
    Unwatch,
    Url,
    Watch,
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


def command_text(command: Command) -> str:
    """``create jupyter:4.4 gpus=2 --public`` and the like, without the slash command."""
    words = [command.subcommand, *_arguments(command)]
    if isinstance(command, Create) and command.force:
        words.append("--force")
    if command.public:
        words.append("--public")
    return " ".join(words)


def _arguments(command: Command) -> list[str]:
    match command:
        case Help(topic=topic):
            return [topic] if topic else []
        case Login(token=token):
            return [MASK] if token is not None else []
        case ListImages(accelerator=accelerator, image_type=image_type):
            return [value for value in (accelerator, image_type) if value]
        case Create():
            return _create_arguments(command)
        case QuotaSet():
            return ["set", *_quota_options(command)]
        case QuotaDigest():
            return ["digest", *_digest_arguments(command)]
        case Audit(entries=entries):
            return [str(entries)]
        case Lang(locale=locale):
            return [locale]
        case (
            Status(ref=ref)
            | Url(ref=ref)
            | Restart(ref=ref)
            | Stop(ref=ref)
            | Delete(ref=ref)
            | Watch(ref=ref)
            | Unwatch(ref=ref)
        ):
            return [quote(ref.value)]
        case _:
            return []


def _options(pairs: Iterable[tuple[str, str | None]]) -> list[str]:
    return [f"{key}={quote(value)}" for key, value in pairs if value is not None]


def _number(value: int | None) -> str | None:
    return None if value is None else str(value)


def _create_arguments(command: Create) -> list[str]:
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
