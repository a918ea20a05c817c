"""Who and where in Slack, as every layer speaks of it: a user of a workspace, and the place a
command was typed (where the bot answers). Plain values: the store keeps them, the Slack layer
reads them, and importing them loads no database code.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


@dataclass(frozen=True, slots=True)
class SlackUser:
    """A Slack user: only unique within a workspace (team)."""

    team_id: str
    user_id: str


@dataclass(frozen=True, slots=True)
class SlackOrigin:
    """Where the create command was typed: the bot answers in that thread."""

    channel_id: str
    thread_ts: str | None = None


@dataclass(frozen=True, slots=True)
class NoticeTarget:
    """A DM to ``user_id``, or a post in ``channel_id`` (in ``thread_ts`` when given)."""

    user_id: str | None = None
    channel_id: str | None = None
    thread_ts: str | None = None

    def __post_init__(self) -> None:
        if (self.user_id is None) == (self.channel_id is None):
            raise ValueError("a notice goes to a user (DM) or to a channel, exactly one")
        if self.thread_ts is not None and self.channel_id is None:
            raise ValueError("a thread needs its channel")

    @classmethod
    def dm(cls, user_id: str) -> NoticeTarget:
        return cls(user_id=user_id)

    @classmethod
    def channel(cls, channel_id: str, thread_ts: str | None = None) -> NoticeTarget:
        return cls(channel_id=channel_id, thread_ts=thread_ts)


class LoginRequiredReason(StrEnum):
    """Why a user must log in (again) before the bot can act for them."""

    NOT_LOGGED_IN = "not_logged_in"
    KEY_UNAVAILABLE = "key_unavailable"  # no configured key decrypts the stored secrets
    RENEWAL_FAILED = "renewal_failed"  # the token expired and could not be renewed
