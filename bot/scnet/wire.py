"""SCNet's wire primitives: its envelope, lenient scalars, local times and URLs.

The quirks every answer shares (reference §10) are absorbed here: numbers sent as strings,
``"--"`` for nothing, ``enable`` as the string ``"true"``, times without a zone in China's
local time, whitespace inside returned URLs and ``aiUrls`` ending in ``/ai``. The models of
SCNet's objects, built on these, are in ``bot.scnet.models``.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import BaseModel, BeforeValidator, ConfigDict

# SCNet's times carry no zone; they are the platform's local time (China Standard Time).
CHINA_TIME = timezone(timedelta(hours=8), "CST")
_WHITESPACE = re.compile(r"\s+")


def _to_int(value: object) -> object:
    if isinstance(value, str):
        stripped = value.strip()
        if not stripped or stripped == "--":
            return 0
        try:
            return int(float(stripped))
        except ValueError:
            return value
    if value is None:
        return 0
    return value


def _to_text(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value


def _to_bool(value: object) -> object:
    if isinstance(value, str):
        return value.strip().lower() in {"true", "1", "yes"}
    if value is None:
        return False
    return value


LooseInt = Annotated[int, BeforeValidator(_to_int)]
LooseStr = Annotated[str, BeforeValidator(_to_text)]
LooseBool = Annotated[bool, BeforeValidator(_to_bool)]


class WireModel(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True, frozen=True)


class Envelope(WireModel):
    code: LooseStr
    msg: LooseStr = ""
    data: Any = None


_LOCAL_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2})?")


def parse_local_time(raw: str | None) -> datetime | None:
    """SCNet's local time (China, no zone given) as an aware datetime; None when absent or
    unreadable."""
    if raw is None:
        return None
    text = raw.strip()
    if not text or text == "--":
        return None
    if _LOCAL_TIME.fullmatch(text):  # the usual forms: fromisoformat is ten times strptime's speed
        return datetime.fromisoformat(text).replace(tzinfo=CHINA_TIME)
    for pattern in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"):
        try:
            return datetime.strptime(text, pattern).replace(tzinfo=CHINA_TIME)
        except ValueError:
            continue
    return None


def clean_url(raw: str) -> str:
    """Remove the stray whitespace SCNet's docs show inside URLs (reference §5.8)."""
    return _WHITESPACE.sub("", raw)


def normalise_ai_base(url: str) -> str | None:
    """``https://h:58043/ai/`` and ``https://h:58043`` both give ``https://h:58043``."""
    cleaned = clean_url(url).rstrip("/")
    if not cleaned or "{" in cleaned or "}" in cleaned:
        return None
    cleaned = cleaned.removesuffix("/ai").rstrip("/")
    parts = urlsplit(cleaned)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        return None
    return cleaned


def optional_text(value: str | None) -> str | None:
    """The text, stripped; None for nothing, blank or SCNet's ``"--"``."""
    if value is None:
        return None
    text = value.strip()
    return None if not text or text == "--" else text
