"""What the bot hands back: a message (Block Kit and its fallback text) or a modal to open.

Renderers (``bot.domain.commands.dispatch.rendered``) return these from a command's result
and a ``ReplyContext``; ``bot.slack.replies`` re-exports them for the adapters.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.domain.commands import Create
from bot.domain.commands.dispatch import Tone
from bot.domain.i18n import Locale, translate

from .elements import Block
from .notices import build_notice


@dataclass(frozen=True, slots=True)
class Message:
    blocks: list[Block]
    text: str
    public: bool = False  # the user asked to share it in the channel
    # Holds a secret (the access URL): only ever ephemeral to the caller or in their DM.
    private: bool = False


@dataclass(frozen=True, slots=True)
class Modal:
    view: Block
    # Filled in after the modal is open (the images list is an SCNet call; trigger ids
    # expire after 3 s, so the modal opens first and is updated when the images arrive).
    load_images: bool = False
    prefill: Create | None = None


Reply = Message | Modal


@dataclass(frozen=True, slots=True)
class ReplyContext:
    """What a renderer knows besides the command and its result."""

    locale: Locale
    now: datetime
    slash: str = "/scnet"  # the slash command's name, for the texts that quote a command
    channel_id: str | None = None


def notice(key: str, locale: Locale, *, tone: Tone = "info", **params: object) -> Message:
    """The catalog text ``key`` as a message, in ``locale``, filled with ``params``."""
    return Message(
        blocks=build_notice(key, locale=locale, tone=tone, params=params),
        text=translate(key, locale, **params),
    )


__all__ = ["Message", "Modal", "Reply", "ReplyContext", "notice"]
