"""What the fake knows (workspace, users, channels) and what it saw (calls, messages, posts).

Configuration objects (``Team``, ``User``, ``Channel``) are plain dataclasses a test builds or
gets back from ``FakeSlack.add_user``/``add_channel``. Recorded objects (``Call``,
``Message``, ``ResponsePost``) never hold a token: a call records whether it was authorised,
not with what.
"""

from __future__ import annotations

import copy
import datetime as dt
import zoneinfo
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

JSON = dict[str, Any]

# A pseudo-method name: response_url posts are recorded, waited for and faulted like calls.
RESPONSE_URL = "response_url"


@dataclass(frozen=True, slots=True)
class Team:
    id: str
    domain: str = "scnet-test"
    name: str = "SCNet Test Workspace"
    app_id: str = "A0FAKEAPP01"
    bot_id: str = "B0FAKEBOT01"
    bot_user_id: str = "U0FAKEBOT01"
    bot_name: str = "scnet"
    enterprise_id: str | None = None
    verification_token: str = ""

    @property
    def url(self) -> str:
        return f"https://{self.domain}.slack.com/"


@dataclass(slots=True)
class User:
    """A workspace member as ``users.info`` describes it."""

    id: str
    name: str
    real_name: str = ""
    locale: str = "en-US"
    tz: str = "Asia/Shanghai"
    is_admin: bool = False
    is_owner: bool = False
    is_primary_owner: bool = False
    is_restricted: bool = False
    is_bot: bool = False
    deleted: bool = False
    email: str | None = None

    def tz_fields(self, now: float) -> tuple[str, int]:
        """``(tz_label, tz_offset)`` at ``now``; Slack's label is the zone's long name, we
        give its abbreviation when the system has no long one."""
        try:
            zone = zoneinfo.ZoneInfo(self.tz)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return self.tz, 0
        moment = dt.datetime.fromtimestamp(now, zone)
        offset = moment.utcoffset()
        return moment.tzname() or self.tz, int(offset.total_seconds()) if offset else 0

    def to_slack(self, team: Team, now: float, *, include_locale: bool) -> JSON:
        tz_label, tz_offset = self.tz_fields(now)
        real_name = self.real_name or self.name
        profile: JSON = {
            "real_name": real_name,
            "real_name_normalized": real_name,
            "display_name": self.name,
            "display_name_normalized": self.name,
            "status_text": "",
            "status_emoji": "",
            "avatar_hash": "g0000000000",
            "team": team.id,
        }
        if self.email is not None:
            profile["email"] = self.email
        if self.is_bot:
            profile["bot_id"] = team.bot_id
            profile["api_app_id"] = team.app_id
        user: JSON = {
            "id": self.id,
            "team_id": team.id,
            "name": self.name,
            "deleted": self.deleted,
            "color": "9f69e7",
            "real_name": real_name,
            "tz": self.tz,
            "tz_label": tz_label,
            "tz_offset": tz_offset,
            "profile": profile,
            "is_admin": self.is_admin,
            "is_owner": self.is_owner,
            "is_primary_owner": self.is_primary_owner,
            "is_restricted": self.is_restricted,
            "is_ultra_restricted": False,
            "is_bot": self.is_bot,
            "is_app_user": False,
            "updated": int(now),
        }
        if include_locale:
            user["locale"] = self.locale
        return user


ConversationKind = Literal["channel", "im", "mpim"]


@dataclass(slots=True)
class Channel:
    """A conversation. ``members=None`` means everyone is in it (no membership checks)."""

    id: str
    name: str
    kind: ConversationKind = "channel"
    is_private: bool = False
    is_member: bool = True  # is the bot in it: posting needs that (not_in_channel)
    is_archived: bool = False
    members: set[str] | None = None
    im_user: str | None = None  # for kind == "im": the other party
    created: int = 0
    locale: str = "en-US"

    def has_member(self, user_id: str) -> bool:
        if self.kind == "im":
            return user_id == self.im_user
        return self.members is None or user_id in self.members

    def to_slack(self, *, include_locale: bool, include_num_members: bool) -> JSON:
        if self.kind == "im":
            info: JSON = {
                "id": self.id,
                "created": self.created,
                "is_im": True,
                "is_org_shared": False,
                "user": self.im_user,
                "is_user_deleted": False,
                "priority": 0,
            }
        else:
            info = {
                "id": self.id,
                "name": self.name,
                "is_channel": not self.is_private and self.kind == "channel",
                "is_group": self.is_private and self.kind == "channel",
                "is_im": False,
                "is_mpim": self.kind == "mpim",
                "is_private": self.is_private or self.kind == "mpim",
                "created": self.created,
                "is_archived": self.is_archived,
                "is_general": self.name == "general",
                "unlinked": 0,
                "name_normalized": self.name,
                "is_shared": False,
                "is_org_shared": False,
                "is_ext_shared": False,
                "is_pending_ext_shared": False,
                "is_member": self.is_member,
                "topic": {"value": "", "creator": "", "last_set": 0},
                "purpose": {"value": "", "creator": "", "last_set": 0},
                "previous_names": [],
            }
            if include_num_members:
                info["num_members"] = len(self.members) if self.members is not None else 0
        if include_locale:
            info["locale"] = self.locale
        return info


Via = Literal["chat.postMessage", "chat.postEphemeral", "response_url"]


@dataclass(slots=True)
class Message:
    """A message as it stands now. ``channel`` is the resolved conversation id (a DM's ``D…``
    id when the app posted to a user id); ``ephemeral_to`` is the only user who sees an
    ephemeral message."""

    channel: str | None  # None: a response_url issued without a conversation
    ts: str
    text: str | None
    blocks: list[JSON] | None
    via: Via
    at: float
    ephemeral: bool = False
    ephemeral_to: str | None = None  # None on an ephemeral message: URL issued for nobody
    thread_ts: str | None = None
    attachments: list[JSON] | None = None
    metadata: JSON | None = None
    edited: bool = False
    deleted: bool = False
    history: list[JSON] = field(default_factory=list)  # earlier versions, oldest first

    def all_text(self) -> str:
        """``text`` and every ``text`` string inside blocks and attachments, one per line:
        what a reader could see. Tests search it for words and for leaked secrets."""
        parts = [self.text or ""]
        parts.extend(_texts(self.blocks or []))
        parts.extend(_texts(self.attachments or []))
        return "\n".join(part for part in parts if part)

    def to_slack(self, team: Team) -> JSON:
        """The message object Slack returns (``chat.postMessage``'s ``message``) and puts in
        interaction payloads."""
        message: JSON = {
            "user": team.bot_user_id,
            "type": "message",
            "ts": self.ts,
            "bot_id": team.bot_id,
            "app_id": team.app_id,
            "text": self.text or "",
            "team": team.id,
            "bot_profile": {
                "id": team.bot_id,
                "app_id": team.app_id,
                "name": team.bot_name,
                "deleted": False,
                "team_id": team.id,
            },
        }
        if self.blocks is not None:
            message["blocks"] = copy.deepcopy(self.blocks)
        if self.attachments is not None:
            message["attachments"] = copy.deepcopy(self.attachments)
        if self.thread_ts is not None:
            message["thread_ts"] = self.thread_ts
        if self.metadata is not None:
            message["metadata"] = copy.deepcopy(self.metadata)
        if self.edited:
            message["edited"] = {"user": team.bot_user_id, "ts": self.ts}
        return message


_VISIBLE_KEYS = frozenset({"text", "fallback", "pretext", "title", "alt_text", "footer"})


def _texts(node: object) -> Iterator[str]:
    """Visible strings in Block Kit / attachment JSON (not ids, values or URLs)."""
    if isinstance(node, Mapping):
        for key, value in node.items():
            if isinstance(value, str):
                if key in _VISIBLE_KEYS:
                    yield value
            else:
                yield from _texts(value)
    elif isinstance(node, Sequence) and not isinstance(node, str):
        for item in node:
            yield from _texts(item)


@dataclass(frozen=True, slots=True)
class Call:
    """One request to the Web API (or, with ``method == RESPONSE_URL``, to a response_url).

    ``args`` are parsed as Slack would: query and body merged, JSON-valued form fields
    (``blocks``, ``attachments``, ``view``, ``metadata``) decoded. The token is not kept.
    """

    method: str
    args: Mapping[str, Any]
    at: float
    http_status: int
    response: Mapping[str, Any] | str
    authorized: bool
    transport: Literal["json", "form", "query"]
    url: str = ""

    @property
    def ok(self) -> bool:
        if self.method == RESPONSE_URL:
            return self.http_status == 200
        return (
            self.http_status == 200
            and isinstance(self.response, Mapping)
            and self.response.get("ok") is True
        )

    @property
    def error(self) -> str | None:
        if isinstance(self.response, Mapping):
            error = self.response.get("error")
            return error if isinstance(error, str) else None
        return None if self.ok else self.response


@dataclass(frozen=True, slots=True)
class ResponsePost:
    """One POST to a response_url, as sent (``body``) and as Slack read it."""

    url: str
    body: Mapping[str, Any]
    at: float
    http_status: int
    answer: str  # Slack's plain-text answer: "ok", "used_url", "expired_url", ...

    @property
    def ok(self) -> bool:
        return self.http_status == 200

    @property
    def response_type(self) -> str | None:
        value = self.body.get("response_type")
        return value if isinstance(value, str) else None

    @property
    def replace_original(self) -> bool:
        return _truthy(self.body.get("replace_original"))

    @property
    def delete_original(self) -> bool:
        return _truthy(self.body.get("delete_original"))

    @property
    def text(self) -> str | None:
        value = self.body.get("text")
        return value if isinstance(value, str) else None

    @property
    def blocks(self) -> list[JSON] | None:
        value = self.body.get("blocks")
        return value if isinstance(value, list) else None


def _truthy(value: object) -> bool:
    if isinstance(value, str):
        return value.lower() in ("true", "1")
    return value is True or value == 1
