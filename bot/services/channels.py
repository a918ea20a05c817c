"""A channel's choices: whether it is told ready instances' full access links.

By default a channel only hears that an instance created from it is ready (DESIGN.md); a team
admin may opt one channel in at a time, typed in that channel. The choice is read when a
"ready" notice is sent (``bot.services.notify``), so it applies to instances already watched.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bot.domain.commands import Links
from bot.domain.identity import SlackUser
from bot.services.errors import AdminOnly, NotInChannel
from bot.store import audit, team_settings
from bot.store.database import Database


class ChannelChoices:
    """What each channel has chosen: for now, whether full access links may be posted there."""

    def __init__(self, *, db: Database, now: Callable[[], datetime]) -> None:
        self._db = db
        self._now = now

    async def shares_links(self, team_id: str, channel_id: str) -> bool:
        """Whether the channel takes full access links."""
        async with self._db.transaction() as session:
            return await team_settings.shares_access_urls(session, team_id, channel_id=channel_id)

    async def share_links(self, team_id: str, channel_id: str, *, enabled: bool) -> None:
        """Let the channel take full access links, or stop it."""
        async with self._db.transaction() as session:
            await team_settings.set_share_access_urls(
                session, team_id, channel_id=channel_id, enabled=enabled, now=self._now()
            )

    async def links(
        self, actor: SlackUser, command: Links, *, channel_id: str | None, is_admin: bool
    ) -> bool:
        """``links [on|off]`` typed in ``channel_id``: whether it shares full links, after
        the change the command asks for (admins only, audited)."""
        if channel_id is None or channel_id.startswith("D"):
            raise NotInChannel()
        if command.enabled is None:
            return await self.shares_links(actor.team_id, channel_id)
        if not is_admin:
            raise AdminOnly()
        enabled = command.enabled
        async with self._db.transaction() as session:
            await team_settings.set_share_access_urls(
                session, actor.team_id, channel_id=channel_id, enabled=enabled, now=self._now()
            )
            await audit.record(
                session,
                actor,
                action="channel_links",
                outcome="ok",
                now=self._now(),
                detail=f"{channel_id} {'on' if enabled else 'off'}",
            )
        return enabled
