"""Parsers for single values: each returns the typed value or a ``UsageError`` naming the part."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import time, timedelta
from decimal import Decimal
from typing import Final, TypeVar

from bot.domain.digest import zone_named
from bot.domain.durations import UNLIMITED, format_timeout
from bot.domain.instances import MountKind, MountSpec, PortSpec, Protocol
from bot.domain.secret import Secret

from .bounds import CREATE_BOUNDS, IntRange
from .model import MIN_PREFIX_CHARS, ChannelRef, InstanceRef, MemberRef, UsageError, usage

T = TypeVar("T")

_INTEGER = re.compile(r"[+-]?[0-9]{1,12}")
_RAM = re.compile(r"([0-9]{1,9}(?:\.[0-9]{1,3})?)\s*(g|gb|gi|gib|m|mb|mi|mib)?", re.IGNORECASE)
_TIMEOUT = re.compile(r"([0-9]{1,3}):([0-5][0-9]):([0-5][0-9])")
_PORT = re.compile(r"([0-9]{1,6})(?:/(.*))?", re.DOTALL)
# Letters, digits, CJK ideographs and _.- ; starting with a letter, digit or ideograph so a
# name never reads as a flag ("-x") or a hidden file (".x").
_NAME = re.compile(r"[A-Za-z0-9\u4e00-\u9fff][A-Za-z0-9_.\-\u4e00-\u9fff]*")
_HEX_ONLY = re.compile(r"[0-9a-fA-F]+")
_GROUP = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]*")
# An image version (name:tag) or a registry path (host/ns/name:tag, maybe @sha256:...).
_IMAGE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/@+\-]*")
# An SCNet token is an HS256 JWT: base64url JSON header and payload (both start "eyJ", the
# encoding of '{"'), then a signature.
_JWT = re.compile(r"eyJ[A-Za-z0-9_\-]+\.eyJ[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+")
_MENTION = re.compile(r"<@([UW][A-Z0-9]{2,})(?:\|[^>]*)?>")
# Slack sends a channel mention as <#C123|name> (or <#C123|> when it leaves the name out).
_CHANNEL_MENTION = re.compile(r"<#([CG][A-Z0-9]{2,})(?:\|[^>]*)?>")
_CHANNEL_NAME_CHARS: Final = 80  # Slack's limit
_CLOCK = re.compile(r"([01]?[0-9]|2[0-3]):([0-5][0-9])")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_MEMBER_NAME_CHARS: Final = 80

PROTOCOLS: Final[Mapping[str, Protocol]] = {"http": "HTTP", "ssh": "SSH"}
MOUNT_KINDS: Final[Mapping[str, MountKind]] = {"data": "data", "path": "path"}
MB_PER_GB: Final = 1024


def parse_choice(key: str, raw: str, choices: Mapping[str, T]) -> T | UsageError:
    """One of ``choices`` (keys lower case), matched case-insensitively."""
    chosen = choices.get(raw.lower())
    if chosen is None:
        return usage("usage.bad_choice", part=raw, key=key, valid=", ".join(map(str, choices)))
    return chosen


def parse_int(key: str, raw: str, bounds: IntRange) -> int | UsageError:
    if not _INTEGER.fullmatch(raw):
        return usage("usage.not_a_number", part=raw, key=key)
    value = int(raw)
    if value not in bounds:
        return usage("usage.out_of_range", part=raw, key=key, low=bounds.low, high=bounds.high)
    return value


def parse_ram(key: str, raw: str, bounds: IntRange) -> int | UsageError:
    """Megabytes from ``16384``, ``16G``, ``16GB`` or ``1.5g`` (1 G = 1024 MB)."""
    match = _RAM.fullmatch(raw.strip())
    if match is None:
        return usage("usage.bad_ram", part=raw, key=key)
    number, unit = Decimal(match[1]), (match[2] or "m").lower()
    megabytes = number * MB_PER_GB if unit.startswith("g") else number
    if megabytes != megabytes.to_integral_value():
        return usage("usage.bad_ram", part=raw, key=key)
    value = int(megabytes)
    if value not in bounds:
        return usage(
            "usage.out_of_range",
            part=raw,
            key=key,
            low=describe_ram(bounds.low),
            high=describe_ram(bounds.high),
        )
    return value


def describe_ram(megabytes: int) -> str:
    """``512 MB`` or ``16 GB``: a size for people to read in messages."""
    if megabytes and megabytes % MB_PER_GB == 0:
        return f"{megabytes // MB_PER_GB:,} GB"
    return f"{megabytes:,} MB"


def format_ram(megabytes: int) -> str:
    """``16G`` for whole gigabytes, else ``1536`` (MB): the form ``parse_ram`` reads back."""
    if megabytes and megabytes % MB_PER_GB == 0:
        return f"{megabytes // MB_PER_GB}G"
    return str(megabytes)


def parse_timeout(raw: str) -> timedelta | UsageError | None:
    """``HH:MM:SS`` (hours up to 720) or ``unlimited`` (None)."""
    if raw.lower() == UNLIMITED:
        return None
    match = _TIMEOUT.fullmatch(raw)
    if match is None:
        return usage("usage.bad_timeout", part=raw)
    hours, minutes, seconds = (int(group) for group in match.groups())
    value = timedelta(hours=hours, minutes=minutes, seconds=seconds)
    if not CREATE_BOUNDS.min_timeout <= value <= CREATE_BOUNDS.max_timeout:
        return usage(
            "usage.out_of_range",
            part=raw,
            key="timeout",
            low=format_timeout(CREATE_BOUNDS.min_timeout),
            high=format_timeout(CREATE_BOUNDS.max_timeout),
        )
    return value


def parse_port(raw: str) -> PortSpec | UsageError:
    """``8888``, ``8888/http`` or ``22/ssh``."""
    match = _PORT.fullmatch(raw)
    if match is None:
        return usage("usage.bad_port", part=raw)
    number = int(match[1])
    if number not in CREATE_BOUNDS.port:
        bounds = CREATE_BOUNDS.port
        return usage("usage.out_of_range", part=raw, key="port", low=bounds.low, high=bounds.high)
    protocol = PROTOCOLS.get((match[2] or "http").lower())
    if protocol is None:
        return usage("usage.bad_port_protocol", part=raw, valid=", ".join(PROTOCOLS))
    return PortSpec(container_port=number, protocol=protocol)


def format_port(port: PortSpec) -> str:
    return f"{port.container_port}/{port.protocol.lower()}"


def parse_mount(raw: str) -> MountSpec | UsageError:
    """``source:target`` or ``source:target:data|path``; the target is an absolute path."""
    parts = raw.split(":")
    if len(parts) not in (2, 3):
        return usage("usage.bad_mount", part=raw)
    source, target = parts[0], parts[1]
    kind = MOUNT_KINDS.get(parts[2].lower() if len(parts) == 3 else "data")
    if kind is None:
        return usage("usage.bad_mount_kind", part=raw, valid=", ".join(MOUNT_KINDS))
    if not _is_path(source) or not _is_path(target) or not target.startswith("/"):
        return usage("usage.bad_mount", part=raw)
    return MountSpec(source=source, target=target, kind=kind)


def format_mount(mount: MountSpec) -> str:
    return f"{mount.source}:{mount.target}:{mount.kind}"


def _is_path(text: str) -> bool:
    return 0 < len(text) <= CREATE_BOUNDS.path_chars and not _CONTROL.search(text)


def parse_name(raw: str) -> str | UsageError:
    """A new instance's name: 1..64 of letters, digits, CJK ideographs and ``_.-``.

    A name of six or more hex digits is refused: a reference would read it as an id prefix.
    """
    limit = CREATE_BOUNDS.name_chars
    if len(raw) > limit or not _NAME.fullmatch(raw):
        return usage("usage.bad_name", part=raw, max=limit)
    if len(raw) >= MIN_PREFIX_CHARS and _HEX_ONLY.fullmatch(raw):
        return usage("usage.name_looks_like_id", part=raw)
    return raw


def parse_group(raw: str) -> str | UsageError:
    if len(raw) > CREATE_BOUNDS.group_chars or not _GROUP.fullmatch(raw):
        return usage("usage.bad_group", part=raw)
    return raw


def parse_image(raw: str) -> str | UsageError:
    if len(raw) > CREATE_BOUNDS.image_chars or not _IMAGE.fullmatch(raw):
        return usage("usage.bad_image", part=raw)
    return raw


def parse_text(key: str, raw: str, limit: int) -> str | UsageError:
    if len(raw) > limit:
        return usage("usage.value_too_long", key=key, limit=limit)
    return raw


def parse_ref(raw: str) -> InstanceRef | UsageError:
    ref = InstanceRef.parse(raw)
    if ref is None:
        return usage("usage.bad_ref", part=raw)
    return ref


def parse_member(raw: str) -> MemberRef | UsageError:
    """``<@U123>`` / ``<@U123|alice>`` (a Slack mention), ``@alice`` or ``alice``."""
    mention = _MENTION.fullmatch(raw)
    if mention is not None:
        return MemberRef("user_id", mention[1])
    name = raw.removeprefix("@")
    if not name or len(name) > _MEMBER_NAME_CHARS or not name.isprintable() or " " in name:
        return usage("usage.bad_member", part=raw)
    return MemberRef("name", name)


def parse_channel(raw: str) -> ChannelRef | UsageError:
    """``<#C123|general>`` (a Slack mention) or ``#general``."""
    mention = _CHANNEL_MENTION.fullmatch(raw)
    if mention is not None:
        return ChannelRef("channel_id", mention[1])
    name = raw.removeprefix("#")
    if (
        name != raw
        and 0 < len(name) <= _CHANNEL_NAME_CHARS
        and all(char.isalnum() or char in "-_." for char in name)
    ):
        return ChannelRef("name", name)
    return usage("usage.bad_channel", part=raw)


def parse_clock(key: str, raw: str) -> time | UsageError:
    """A time of day, ``HH:MM`` on a 24-hour clock (``9:30`` too)."""
    match = _CLOCK.fullmatch(raw)
    if match is None:
        return usage("usage.bad_clock", part=raw, key=key)
    return time(int(match[1]), int(match[2]))


def parse_timezone(key: str, raw: str) -> str | UsageError:
    """An IANA time zone name the tz database knows: ``Asia/Shanghai``, ``UTC``."""
    if zone_named(raw) is None:
        return usage("usage.bad_timezone", part=raw, key=key)
    return raw


def looks_like_token(text: str) -> bool:
    return _JWT.fullmatch(text) is not None


def parse_token(raw: str) -> Secret | UsageError:
    """A pasted SCNet token. The error never carries any part of ``raw``."""
    text = raw.strip()
    if not looks_like_token(text):
        return usage("usage.bad_token")
    return Secret(text)
