"""A one-line reply: information, success, warning or error, from a catalog key."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from bot.domain.commands.dispatch import Tone
from bot.domain.i18n import Locale

from .elements import Block, section
from .wording import words

TONE_EMOJI: Final[Mapping[Tone, str]] = {
    "info": ":information_source:",
    "success": ":white_check_mark:",
    "warning": ":warning:",
    "error": ":x:",
}


def build_notice(
    key: str,
    *,
    locale: Locale,
    tone: Tone = "info",
    params: Mapping[str, object] | None = None,
) -> list[Block]:
    """``key``'s text with ``params`` (user or SCNet text, escaped here) behind a tone emoji.

    For an ``ScnetError``: ``build_notice(error.message_key, tone="error", params={"code":
    error.code or "-", "detail": error.detail or "-"})``.
    """
    return [section(f"{TONE_EMOJI[tone]} {words(key, locale, **(params or {}))}")]
