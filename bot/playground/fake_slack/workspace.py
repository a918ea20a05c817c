"""The fake workspace's state: people, conversations, messages, views, triggers, response URLs.

Everything here is synchronous and clock-driven; ``webapi`` and ``response_urls`` read and
change it in answer to requests, and ``FakeSlack`` exposes it to tests.

Slack behaviours kept here:

* ``chat.postMessage`` to a user id (``U…``/``W…``) lands in the app's DM with that user and
  Slack answers with the DM's ``D…`` id; ``chat.update``/``chat.delete`` then need that ``D…``
  id (Slack's docs: "ensure that this value is a DM ID … instead of a User ID").
* A channel may be named (``#general`` or ``general``) when posting.
* Trigger ids expire 3 seconds after Slack issues them and can be exchanged once.
* A response_url takes 5 posts within 30 minutes of its issue.
* Slack fills in what a view or message left out when it stores it: a ``block_id`` on every
  block, an ``action_id`` on every interactive element, ``"emoji": true`` on plain_text and
  ``"verbatim": false`` on mrkdwn text objects. Stored messages and views show that; recorded
  call arguments keep exactly what was sent.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

from .clock import Clock
from .ids import IdSource
from .models import JSON, Channel, Message, Team, User

TRIGGER_LIFETIME = 3.0
RESPONSE_URL_LIFETIME = 30 * 60.0
RESPONSE_URL_USES = 5
VIEW_STACK_LIMIT = 3

_INTERACTIVE = frozenset(
    {
        "button",
        "checkboxes",
        "datepicker",
        "datetimepicker",
        "email_text_input",
        "number_input",
        "overflow",
        "plain_text_input",
        "radio_buttons",
        "rich_text_input",
        "timepicker",
        "url_text_input",
        "static_select",
        "multi_static_select",
        "external_select",
        "multi_external_select",
        "users_select",
        "multi_users_select",
        "conversations_select",
        "multi_conversations_select",
        "channels_select",
        "multi_channels_select",
    }
)


@dataclass(slots=True)
class Trigger:
    id: str
    issued_at: float
    user_id: str | None
    view_id: str | None  # set when the interaction came from inside a modal
    exchanged: bool = False


@dataclass(slots=True)
class ResponseUrl:
    url: str
    path: str
    created_at: float
    channel_id: str | None
    user_id: str | None
    original_ts: str | None  # the message replace_original/delete_original act on
    uses: int = 0


TriggerCheck = Literal["ok", "invalid_trigger_id", "expired_trigger_id", "exchanged_trigger_id"]


class Workspace:
    def __init__(
        self, *, team: Team, ids: IdSource, clock: Clock, strict_channels: bool = False
    ) -> None:
        self.team = team
        self.ids = ids
        self.clock = clock
        self.strict_channels = strict_channels
        self.users: dict[str, User] = {}
        self.channels: dict[str, Channel] = {}
        self.messages: list[Message] = []
        self._posted: dict[tuple[str, str], Message] = {}
        self.views: dict[str, JSON] = {}
        self.view_users: dict[str, str | None] = {}
        self.home_views: dict[str, str] = {}  # user id -> view id
        self.triggers: dict[str, Trigger] = {}
        self.response_urls: dict[str, ResponseUrl] = {}  # path -> state
        self.last_post: dict[str, float] = {}  # channel id -> last accepted postMessage
        self.add_user(
            User(id=team.bot_user_id, name=team.bot_name, real_name=team.bot_name, is_bot=True)
        )

    # -- people and conversations -------------------------------------------------------

    def add_user(self, user: User) -> User:
        self.users[user.id] = user
        return user

    def add_channel(self, channel: Channel) -> Channel:
        if not channel.created:
            channel.created = int(self.clock())
        self.channels[channel.id] = channel
        return channel

    def channel_by_name(self, name: str) -> Channel | None:
        name = name.removeprefix("#")
        return next(
            (ch for ch in self.channels.values() if ch.kind != "im" and ch.name == name), None
        )

    def existing_im(self, user_id: str) -> Channel | None:
        return next(
            (c for c in self.channels.values() if c.kind == "im" and c.im_user == user_id), None
        )

    def im_with(self, user_id: str) -> tuple[Channel, bool]:
        """The app's DM with ``user_id`` and whether it already existed."""
        existing = self.existing_im(user_id)
        if existing is not None:
            return existing, True
        channel = Channel(id=self.ids.object_id("D"), name=user_id, kind="im", im_user=user_id)
        return self.add_channel(channel), False

    def lookup_channel(self, channel_id: str) -> Channel | None:
        """A conversation by id; unknown ``C``/``G`` ids come into being unless strict."""
        channel = self.channels.get(channel_id)
        if channel is not None:
            return channel
        if self.strict_channels or channel_id[:1] not in ("C", "G"):
            return None
        return self.add_channel(Channel(id=channel_id, name=channel_id.lower()))

    def resolve_for_post(self, target: str) -> Channel | None:
        """Where ``chat.postMessage``/``postEphemeral`` with ``channel=target`` lands."""
        if target[:1] in ("U", "W"):
            user = self.users.get(target)
            return None if user is None or user.deleted else self.im_with(target)[0]
        if target.startswith("#") or (target not in self.channels and not _looks_like_id(target)):
            return self.channel_by_name(target)
        return self.lookup_channel(target)

    # -- messages -----------------------------------------------------------------------

    def store(self, message: Message) -> Message:
        self.messages.append(message)
        if message.channel is not None and not message.ephemeral:
            self._posted[(message.channel, message.ts)] = message
        return message

    def posted(self, channel_id: str, ts: str) -> Message | None:
        message = self._posted.get((channel_id, ts))
        return None if message is None or message.deleted else message

    def forget_messages(self) -> None:
        self.messages.clear()
        self._posted.clear()

    # -- triggers and response URLs -------------------------------------------------------

    def new_trigger(self, user_id: str | None, view_id: str | None) -> str:
        trigger = Trigger(self.ids.trigger_id(self.clock()), self.clock(), user_id, view_id)
        self.triggers[trigger.id] = trigger
        return trigger.id

    def exchange_trigger(self, trigger_id: str) -> tuple[TriggerCheck, Trigger | None]:
        parts = trigger_id.split(".")
        if len(parts) != 3 or not (parts[0].isdigit() and parts[1].isdigit() and parts[2]):
            return "invalid_trigger_id", None
        trigger = self.triggers.get(trigger_id)
        if trigger is None or self.clock() - trigger.issued_at > TRIGGER_LIFETIME:
            return "expired_trigger_id", trigger
        if trigger.exchanged:
            return "exchanged_trigger_id", trigger
        trigger.exchanged = True
        return "ok", trigger

    def new_response_url(
        self,
        base_url: str,
        *,
        kind: Literal["commands", "actions"],
        channel_id: str | None,
        user_id: str | None,
        original_ts: str | None,
    ) -> str:
        path = f"/{kind}/{self.team.id}/{self.ids.number(13)}/{self.ids.secret_path()}"
        url = base_url + path
        self.response_urls[path] = ResponseUrl(
            url=url,
            path=path,
            created_at=self.clock(),
            channel_id=channel_id,
            user_id=user_id,
            original_ts=original_ts,
        )
        return url

    # -- views ----------------------------------------------------------------------------

    def user_modals(self, user_id: str | None) -> list[JSON]:
        return [
            view
            for view_id, view in self.views.items()
            if view.get("type") == "modal" and self.view_users.get(view_id) == user_id
        ]

    def close_view(self, view_id: str, *, whole_stack: bool = False) -> None:
        """The user closed a modal (or a submission's answer did): it is gone, as are the
        views pushed above it, or with ``whole_stack`` every view of its stack."""
        view = self.views.get(view_id)
        if view is None:
            return
        root = view["root_view_id"]
        stack = [v["id"] for v in self.views.values() if v.get("root_view_id") == root]
        doomed = stack if whole_stack else stack[stack.index(view_id) :]
        for doomed_id in doomed:
            self.views.pop(doomed_id, None)
            self.view_users.pop(doomed_id, None)

    def stack_depth(self, root_view_id: str) -> int:
        return sum(1 for view in self.views.values() if view.get("root_view_id") == root_view_id)

    def view_by_external_id(self, external_id: str) -> JSON | None:
        return next(
            (v for v in self.views.values() if external_id and v.get("external_id") == external_id),
            None,
        )

    def store_view(
        self,
        view: JSON,
        *,
        user_id: str | None,
        view_id: str | None = None,
        root_view_id: str | None = None,
        previous_view_id: str | None = None,
    ) -> JSON:
        """Slack's stored form of ``view``: ids, hash, defaults and filled-in block ids."""
        view_id = view_id or self.ids.object_id("V")
        stored: JSON = {
            "id": view_id,
            "team_id": self.team.id,
            "type": view.get("type"),
            "blocks": self.normalized_blocks(view.get("blocks", [])),
            "private_metadata": view.get("private_metadata", ""),
            "callback_id": view.get("callback_id", ""),
            "state": {"values": {}},
            "hash": self.ids.view_hash(self.clock()),
            "title": _normalized_text(view.get("title")),
            "clear_on_close": bool(view.get("clear_on_close", False)),
            "notify_on_close": bool(view.get("notify_on_close", False)),
            "close": _normalized_text(view.get("close")),
            "submit": _normalized_text(view.get("submit")),
            "previous_view_id": previous_view_id,
            "root_view_id": root_view_id or view_id,
            "app_id": self.team.app_id,
            "external_id": view.get("external_id", ""),
            "app_installed_team_id": self.team.id,
            "bot_id": self.team.bot_id,
        }
        self.views[view_id] = stored
        self.view_users[view_id] = user_id
        return copy.deepcopy(stored)

    # -- normalisation --------------------------------------------------------------------

    def normalized_blocks(self, blocks: object) -> list[JSON]:
        if not isinstance(blocks, list):
            return []
        result: list[JSON] = copy.deepcopy([b for b in blocks if isinstance(b, dict)])
        for block in result:
            block.setdefault("block_id", self.ids.short_id())
            for element in _elements(block):
                if element.get("type") in _INTERACTIVE:
                    element.setdefault("action_id", self.ids.short_id())
            _normalize_texts(block)
        return result


def _looks_like_id(target: str) -> bool:
    return target[:1] in ("C", "G", "D") and target[1:].isalnum() and target.upper() == target


def _elements(block: JSON) -> Iterator[JSON]:
    for key in ("accessory", "element"):
        if isinstance(block.get(key), dict):
            yield block[key]
    elements = block.get("elements")
    if isinstance(elements, list) and block.get("type") == "actions":
        yield from (e for e in elements if isinstance(e, dict))


def _normalize_texts(node: Any) -> None:
    if isinstance(node, dict):
        if node.get("type") == "plain_text" and isinstance(node.get("text"), str):
            node.setdefault("emoji", True)
        elif node.get("type") == "mrkdwn" and isinstance(node.get("text"), str):
            node.setdefault("verbatim", False)
        for value in node.values():
            _normalize_texts(value)
    elif isinstance(node, list):
        for item in node:
            _normalize_texts(item)


def _normalized_text(obj: object) -> JSON | None:
    if not isinstance(obj, dict):
        return None
    result = copy.deepcopy(obj)
    _normalize_texts(result)
    return result
