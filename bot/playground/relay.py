"""What the page's clicks become: Slack's requests to the bot, and Slack's reading of the acks.

Each interaction is built from the fake Slack's state, the way Slack builds it (fresh trigger
id, response URL bound to the user and conversation, the stored message or view with its
state), signed with the workspace's signing secret and POSTed to the bot's real
``/slack/events``. The ack is then read as Slack reads it:

* a slash command's ack body, if it has text or blocks, is shown to the user (ephemeral
  unless ``response_type`` is ``in_channel``); a non-200 answer or one after 3 s shows
  Slackbot's "failed with the error" line, only to that user;
* a ``view_submission`` ack may carry ``response_action``: ``errors`` keeps the modal open
  with the messages under their inputs, ``update``/``push`` replace or stack a view, ``clear``
  closes them all; an empty ack closes the submitted view;
* a ``block_actions`` ack body is ignored, as Slack ignores it.

``visible_to`` is the single place that decides what a user sees in a conversation: public
messages, and ephemeral ones addressed to that user only.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import aiohttp

from bot.playground.fake_slack import Message, post_signed
from bot.playground.fake_slack.models import JSON
from bot.playground.fake_slack.payloads import SlackRequest
from bot.playground.fake_slack.workspace import Workspace
from bot.playground.world import World

ACK_DEADLINE = 3.0  # Slack gives up on an app's answer after three seconds


@dataclass(slots=True)
class Note:
    """A line the playground itself shows one user (Slack's own words, not the bot's)."""

    user_id: str
    channel: str
    ts: str
    text: str
    kind: str  # "command": what they typed; "slackbot": Slack's error line


class Relay:
    def __init__(self, world: World, session: aiohttp.ClientSession) -> None:
        self.world = world
        self._session = session
        self._notes: list[Note] = []
        self._errors: dict[str, dict[str, str]] = {}  # view id -> block id -> message

    # -- requests to the bot ------------------------------------------------------------

    async def _send(self, request: SlackRequest) -> tuple[int, str]:
        try:
            async with asyncio.timeout(ACK_DEADLINE):
                answer = await post_signed(
                    self._session,
                    f"{self.world.bot_url}/slack/events",
                    request.body,
                    request.content_type,
                    self.world.slack.signing_secret,
                )
        except TimeoutError:
            return 0, "operation_timeout"
        return answer.status, answer.text

    async def command(self, user_id: str, channel_id: str, text: str) -> None:
        slack = self.world.slack
        command = self.world.command
        self._note(user_id, channel_id, f"{command} {text}".strip(), "command")
        escaped = escape_command_text(text, slack.workspace)
        request = slack.slash_command(user_id, escaped, command=command, channel_id=channel_id)
        status, body = await self._send(request)
        if status != 200:
            error = body if status == 0 else "dispatch_failed"
            self._note(
                user_id, channel_id, f"{command} failed with the error “{error}”", "slackbot"
            )
        else:
            self._show_ack(user_id, channel_id, body)
        await slack.touch()

    def _show_ack(self, user_id: str, channel_id: str, body: str) -> None:
        answer = _json_object(body)
        if answer is None or not (answer.get("text") or answer.get("blocks")):
            return
        slack = self.world.slack
        ws = slack.workspace
        public = answer.get("response_type") == "in_channel"
        ws.store(
            Message(
                channel=channel_id,
                ts=ws.ids.ts(ws.clock()),
                text=answer.get("text") if isinstance(answer.get("text"), str) else None,
                blocks=ws.normalized_blocks(answer["blocks"]) if "blocks" in answer else None,
                via="response_url",
                at=ws.clock(),
                ephemeral=not public,
                ephemeral_to=None if public else user_id,
            )
        )

    async def action(
        self,
        user_id: str,
        *,
        action_id: str,
        block_id: str | None,
        value: str | Sequence[str] | None = None,
        channel_id: str | None = None,
        ts: str | None = None,
        view_id: str | None = None,
        values: dict[str, Any] | None = None,
    ) -> None:
        slack = self.world.slack
        if view_id is not None:
            request = slack.block_action(
                user_id, action_id, view_id=view_id, value=value, values=values, block_id=block_id
            )
        else:
            if channel_id is None or ts is None:
                raise ValueError("an action happens on a message (channel and ts) or in a view")
            message = self._message(user_id, channel_id, ts)
            request = slack.block_action(
                user_id, action_id, message=message, value=value, block_id=block_id
            )
        status, _ = await self._send(request)
        if status != 200 and channel_id is not None:
            self._note(user_id, channel_id, "This app did not respond to that click.", "slackbot")
        await slack.touch()

    async def submit(self, user_id: str, view_id: str, values: dict[str, Any]) -> None:
        slack = self.world.slack
        ws = slack.workspace
        request = slack.view_submission(user_id, view_id, values)
        status, body = await self._send(request)
        self._errors.pop(view_id, None)
        answer = _json_object(body) if status == 200 else None
        if status != 200:
            self._errors[view_id] = {"": "We had some trouble connecting. Try again?"}
        elif answer is None or not answer.get("response_action"):
            ws.close_view(view_id)
        else:
            self._follow(user_id, view_id, answer)
        await slack.touch()

    def _follow(self, user_id: str, view_id: str, answer: JSON) -> None:
        ws = self.world.slack.workspace
        action = answer.get("response_action")
        view = answer.get("view")
        current = ws.views[view_id]
        if action == "errors" and isinstance(answer.get("errors"), dict):
            self._errors[view_id] = {str(k): str(v) for k, v in answer["errors"].items()}
        elif action == "update" and isinstance(view, dict):
            ws.store_view(
                view,
                user_id=user_id,
                view_id=view_id,
                root_view_id=current["root_view_id"],
                previous_view_id=current["previous_view_id"],
            )
        elif action == "push" and isinstance(view, dict):
            ws.store_view(
                view,
                user_id=user_id,
                root_view_id=current["root_view_id"],
                previous_view_id=view_id,
            )
        elif action == "clear":
            ws.close_view(view_id, whole_stack=True)

    async def close(self, user_id: str, view_id: str) -> None:
        if self.world.slack.workspace.view_users.get(view_id) == user_id:
            self.world.slack.workspace.close_view(view_id)
            self._errors.pop(view_id, None)
        await self.world.slack.touch()

    async def open_home(self, user_id: str) -> None:
        await self._send(self.world.slack.app_home_opened(user_id))
        await self.world.slack.touch()

    # -- what a user sees -----------------------------------------------------------------

    def visible_to(self, user_id: str, channel_id: str) -> list[JSON]:
        """The conversation ``channel_id`` as ``user_id`` sees it, oldest first."""
        slack = self.world.slack
        team = slack.team
        conversation = slack.workspace.channels.get(channel_id)
        if conversation is None or not conversation.has_member(user_id):
            return []  # someone else's DM, or a channel they are not in
        items: list[tuple[str, JSON]] = []
        for message in slack.messages():
            if message.channel != channel_id:
                continue
            if message.ephemeral and message.ephemeral_to != user_id:
                continue
            shown = message.to_slack(team)
            shown["ephemeral"] = message.ephemeral
            shown["author"] = "bot"
            items.append((message.ts, shown))
        for note in self._notes:
            if note.user_id == user_id and note.channel == channel_id:
                shown = {"ts": note.ts, "text": note.text, "ephemeral": True, "author": note.kind}
                items.append((note.ts, shown))
        items.sort(key=lambda item: _ts_key(item[0]))
        return [shown for _, shown in items]

    def state(self, user_id: str) -> JSON:
        world = self.world
        slack = world.slack
        me = world.user(user_id)
        conversations = [
            {"id": world.channel.id, "name": world.channel.name, "kind": "channel"},
            {"id": slack.dm_channel(user_id), "name": slack.team.bot_name, "kind": "im"},
        ]
        modals = slack.open_modals(user_id)
        top = modals[-1] if modals else None
        return {
            "version": slack.changes,
            "me": _person(me.slack.id, me.slack.real_name, me.admin),
            "users": [
                {**_person(u.slack.id, u.slack.real_name, u.admin), "token": u.token}
                for u in world.users
            ],
            "bot": {"id": slack.bot_user_id, "name": slack.team.bot_name},
            "command": world.command,
            "conversations": [
                {**c, "messages": self.visible_to(user_id, c["id"])} for c in conversations
            ],
            "home": slack.home_view(user_id),
            "modal": None if top is None else {**top, "errors": self._errors.get(top["id"], {})},
            "names": {u.id: u.real_name or u.name for u in slack.workspace.users.values()}
            | {c.id: c.name for c in slack.workspace.channels.values() if c.kind == "channel"},
        }

    # -- helpers --------------------------------------------------------------------------

    def _message(self, user_id: str, channel_id: str, ts: str) -> Message:
        for message in self.world.slack.messages():
            if message.channel == channel_id and message.ts == ts:
                if message.ephemeral and message.ephemeral_to != user_id:
                    break  # nobody can press what they were never shown
                return message
        raise KeyError(f"no message {ts} for this user in {channel_id}")

    def _note(self, user_id: str, channel_id: str, text: str, kind: str) -> None:
        ws = self.world.slack.workspace
        self._notes.append(Note(user_id, channel_id, ws.ids.ts(ws.clock()), text, kind))


def escape_command_text(text: str, workspace: Workspace) -> str:
    """The command text as Slack sends it for a command with ``should_escape: true`` (as in
    ``deploy/slack-app-manifest.yml``): ``&``, ``<`` and ``>`` as entities, and a typed
    ``@name`` or ``#channel`` that names a member or channel as ``<@U…|name>`` /
    ``<#C…|name>``, as Slack's composer turns a chosen mention into one."""
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    users = {u.name: u.id for u in workspace.users.values() if not u.is_bot}
    channels = {c.name: c.id for c in workspace.channels.values() if c.kind == "channel"}

    def mention(match: re.Match[str]) -> str:
        sigil, name = match.group(1), match.group(2)
        found = (users if sigil == "@" else channels).get(name)
        return match.group(0) if found is None else f"<{sigil}{found}|{name}>"

    return _MENTION.sub(mention, escaped)


_MENTION = re.compile(r"(?<![\w<])([@#])([a-z0-9][a-z0-9._-]*)")


def _person(user_id: str, name: str, admin: bool) -> JSON:
    return {"id": user_id, "name": name, "admin": admin}


def _ts_key(ts: str) -> tuple[int, int]:
    seconds, _, sequence = ts.partition(".")
    return int(seconds), int(sequence or 0)


def _json_object(body: str) -> JSON | None:
    if not body.strip():
        return None
    try:
        value = json.loads(body)
    except json.JSONDecodeError:
        return None
    return value if isinstance(value, dict) else None
