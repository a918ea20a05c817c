"""Time limits as SCNet writes them: ``HH:MM:SS`` (hours may pass 24) or ``unlimited``.

One place for the form, so the command grammar, the create request and the help texts agree.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Final

UNLIMITED: Final = "unlimited"
_DURATION: Final = re.compile(r"^\s*(\d+):([0-5]?\d):([0-5]?\d)\s*$")


def format_timeout(limit: timedelta | None) -> str:
    """SCNet's ``timeoutLimit`` form: ``HH:MM:SS``, or ``unlimited`` for None."""
    if limit is None:
        return UNLIMITED
    total = int(limit.total_seconds())
    hours, rest = divmod(total, 3600)
    return f"{hours:02d}:{rest // 60:02d}:{rest % 60:02d}"


def parse_timeout(raw: str | None) -> timedelta | None:
    """``HH:MM:SS`` (hours may exceed 24) to a timedelta; ``unlimited`` or empty to None.

    Lenient, for what SCNet sends; ValueError for anything else. The command grammar has its
    own, stricter parser (``bot.domain.commands.values``) that answers with a usage error.
    """
    if raw is None:
        return None
    text = raw.strip()
    if not text or text.lower() == UNLIMITED:
        return None
    match = _DURATION.match(text)
    if match is None:
        raise ValueError("timeout must be HH:MM:SS or unlimited")
    hours, minutes, seconds = (int(part) for part in match.groups())
    return timedelta(hours=hours, minutes=minutes, seconds=seconds)
