"""Requests as Slack would send them to the app, built from the fake's state: a slash command
typed by a user, a button pressed on a recorded message or a view, a form submitted, the App
Home opened; each with a fresh trigger id and, where Slack gives one, a response URL bound
to the user and the conversation (``payloads`` builds the bodies, ``signing`` signs them).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from . import payloads
from .clock import Clock
from .ids import IdSource
from .models import JSON, Channel, Message, Team
from .workspace import Workspace


class Interactions:
    """What users do, as requests to the app. Needs the fake's team, workspace, clock, ids
    and base URL (``FakeSlack`` has them)."""

    team: Team
    workspace: Workspace
    clock: Clock
    base_url: str
    _ids: IdSource

    def dm_channel(self, user_id: str) -> str:
        """The id of the app's DM with ``user_id`` (opened now if need be)."""
        return self.workspace.im_with(user_id)[0].id

    def new_trigger_id(self, user_id: str | None = None, *, view_id: str | None = None) -> str:
        """A trigger id issued now (by the fake's clock); ``view_id`` when the interaction
        happened inside that modal (``views.push`` stacks onto it)."""
        return self.workspace.new_trigger(user_id, view_id)

    def new_response_url(
        self,
        *,
        channel_id: str | None = None,
        user_id: str | None = None,
        message_ts: str | None = None,
        kind: Literal["commands", "actions"] = "commands",
    ) -> str:
        """A response URL on this server, issued now. ``channel_id``/``user_id`` say where
        its posts land and who sees ephemeral ones; ``message_ts`` is the original message
        that ``replace_original``/``delete_original`` act on."""
        return self.workspace.new_response_url(
            self.base_url,
            kind=kind,
            channel_id=channel_id,
            user_id=user_id,
            original_ts=message_ts,
        )

    def actor(self, user_id: str) -> payloads.Actor:
        return payloads.Actor(user_id, self.workspace.users[user_id].name, self.team.id)

    def slash_command(
        self,
        user_id: str,
        text: str,
        *,
        command: str = "/scnet",
        channel_id: str | None = None,
    ) -> payloads.SlackRequest:
        """``command text`` typed by ``user_id`` in ``channel_id`` (default: their DM with
        the app), with a fresh trigger id and response URL bound to them."""
        channel = self._channel_for(user_id, channel_id)
        return payloads.slash_command(
            team=self.team,
            user_id=user_id,
            user_name=self.workspace.users[user_id].name,
            command=command,
            text=text,
            channel_id=channel.id,
            channel_name="directmessage" if channel.kind == "im" else channel.name,
            response_url=self.new_response_url(channel_id=channel.id, user_id=user_id),
            trigger_id=self.new_trigger_id(user_id),
        )

    def block_action(
        self,
        user_id: str,
        action_id: str,
        *,
        message: Message | None = None,
        view_id: str | None = None,
        value: str | Sequence[str] | None = None,
        values: dict[str, Any] | None = None,
        block_id: str | None = None,
    ) -> payloads.SlackRequest:
        """``user_id`` using element ``action_id`` of a recorded ``message`` or of a stored
        view, with a fresh trigger id (and, on a message, a response URL for it).
        ``block_id`` picks the block when several hold the same action_id (a list's rows)."""
        user = self.actor(user_id)
        if view_id is not None:
            view = self.workspace.views[view_id]
            return payloads.block_actions(
                team=self.team,
                user=user,
                actions=[
                    payloads.action_for(view["blocks"], action_id, value=value, block_id=block_id)
                ],
                trigger_id=self.new_trigger_id(
                    user_id, view_id=view_id if view["type"] == "modal" else None
                ),
                view=view,
                values=values,
            )
        if message is None or message.channel is None:
            raise ValueError("give the message (from a conversation) or the view_id")
        channel = self.workspace.channels[message.channel]
        return payloads.block_actions(
            team=self.team,
            user=user,
            actions=[
                payloads.action_for(message.blocks or [], action_id, value=value, block_id=block_id)
            ],
            trigger_id=self.new_trigger_id(user_id),
            message=message.to_slack(self.team),
            channel=(channel.id, "directmessage" if channel.kind == "im" else channel.name),
            is_ephemeral=message.ephemeral,
            response_url=self.new_response_url(
                channel_id=channel.id, user_id=user_id, message_ts=message.ts, kind="actions"
            ),
            values=values,
        )

    def view_submission(
        self, user_id: str, view_id: str, values: dict[str, Any]
    ) -> payloads.SlackRequest:
        return payloads.view_submission(
            team=self.team,
            user=self.actor(user_id),
            view=self.workspace.views[view_id],
            values=values,
            trigger_id=self.new_trigger_id(user_id, view_id=view_id),
        )

    def app_home_opened(self, user_id: str) -> payloads.SlackRequest:
        return payloads.app_home_opened(
            team=self.team,
            user_id=user_id,
            channel_id=self.dm_channel(user_id),
            view=_home_view(self.workspace, user_id),
            event_id=self._ids.event_id(),
            event_time=int(self.clock()),
        )

    def _channel_for(self, user_id: str, channel_id: str | None) -> Channel:
        if channel_id is None:
            return self.workspace.im_with(user_id)[0]
        channel = self.workspace.lookup_channel(channel_id)
        if channel is None:
            raise KeyError(f"unknown channel {channel_id}")
        return channel


def _home_view(workspace: Workspace, user_id: str) -> JSON | None:
    view_id = workspace.home_views.get(user_id)
    return None if view_id is None else workspace.views[view_id]
