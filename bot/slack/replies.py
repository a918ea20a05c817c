"""What the bot hands back to whoever delivers its answers: messages, modals and notices.

``Message`` is Block Kit plus a fallback text, ephemeral unless the user asked for ``--public``;
``Modal`` is a view to open with the interaction's trigger id. The Slack adapter
(``bot.slack.app``) and the console (``bot.console``) deliver both. ``failure_message`` is the
one place where an error a use case raised becomes what the user reads.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from bot.domain.commands.dispatch import Tone
from bot.domain.i18n import Locale
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
from bot.slack.blocks.reply import Message, Modal, Reply, ReplyContext, notice

log = logging.getLogger(__name__)


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

    def context(self, now: datetime) -> ReplyContext:
        """What a renderer knows of this invocation, at ``now``."""
        return ReplyContext(
            locale=self.locale, now=now, slash=self.command, channel_id=self.channel_id
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


__all__ = [
    "Invocation",
    "Message",
    "Modal",
    "Reply",
    "ReplyContext",
    "Tone",
    "failure_message",
    "notice",
]
