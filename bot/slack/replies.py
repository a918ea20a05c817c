"""What the bot hands back to whoever delivers its answers: messages, modals and notices.

``Message`` is Block Kit plus a fallback text, ephemeral unless the user asked for ``--public``;
``Modal`` is a view to open with the interaction's trigger id. The Slack adapter
(``bot.slack.app``) and the console (``bot.console``) deliver both. ``failure_message`` is the
one place where an error a use case raised becomes what the user reads.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Final, Literal

from bot.domain.commands import Create
from bot.domain.i18n import Locale, translate
from bot.domain.identity import SlackOrigin, SlackUser
from bot.scnet.errors import ScnetError
from bot.services.errors import (
    AdminOnly,
    ChannelNotPicked,
    LoginNeeded,
    MemberNotMentioned,
    NotInChannel,
    ServiceError,
)
from bot.slack.blocks import build_notice
from bot.slack.blocks.elements import Block

log = logging.getLogger(__name__)
Tone = Literal["info", "success", "warning", "error"]


@dataclass(frozen=True, slots=True)
class Invocation:
    """Who asked, where, and in which language."""

    user: SlackUser
    locale: Locale
    channel_id: str | None = None
    thread_ts: str | None = None
    command: str = "/scnet"
    is_admin: bool = False

    @property
    def origin(self) -> SlackOrigin | None:
        if not self.channel_id:
            return None
        return SlackOrigin(channel_id=self.channel_id, thread_ts=self.thread_ts)


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


def notice(key: str, locale: Locale, *, tone: Tone = "info", **params: object) -> Message:
    """The catalog text ``key`` as a message, in ``locale``, filled with ``params``."""
    return Message(
        blocks=build_notice(key, locale=locale, tone=tone, params=params),
        text=translate(key, locale, **params),
    )


def failure_message(error: Exception, inv: Invocation) -> Message:
    """The notice for anything a use case raised; unexpected errors are logged, not shown.

    Both error trees (``bot.services.errors``, ``bot.scnet.errors``) name their catalog text
    and its params; only the tone is decided here.
    """
    if isinstance(error, ServiceError | ScnetError):
        tone: Tone = "warning" if isinstance(error, _WARNINGS) else "error"
        return notice(error.message_key, inv.locale, tone=tone, command=inv.command, **error.params)
    log.error("unexpected error answering %s", type(error).__name__, exc_info=error)
    return notice("notice.unexpected", inv.locale, tone="error")


# What the user can put right themselves (log in, ask an admin): a warning, not an error.
_WARNINGS: Final = (LoginNeeded, AdminOnly, MemberNotMentioned, ChannelNotPicked, NotInChannel)


__all__ = ["Invocation", "Message", "Modal", "Reply", "Tone", "failure_message", "notice"]
