"""The audit log as the entry points see it: record an action, list the latest ones."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bot.domain.identity import SlackUser
from bot.services.errors import AdminOnly
from bot.store import audit
from bot.store.audit import AuditEntry as AuditEntry
from bot.store.database import Database


class AuditLog:
    """Who did what, for a team's admins to read."""

    def __init__(self, *, db: Database, now: Callable[[], datetime]) -> None:
        self._db = db
        self._now = now

    async def record(self, user: SlackUser, action: str, *, detail: str = "") -> None:
        """Note that ``user`` did ``action`` (successfully)."""
        async with self._db.transaction() as session:
            await audit.record(
                session, user, action=action, outcome="ok", now=self._now(), detail=detail
            )

    async def latest_for(self, actor: SlackUser, *, limit: int, is_admin: bool) -> list[AuditEntry]:
        """``audit [n]``: the team's latest entries, for admins only."""
        if not is_admin:
            raise AdminOnly()
        return await self.latest(actor.team_id, limit=limit)

    async def latest(self, team_id: str, *, limit: int) -> list[AuditEntry]:
        """The team's latest ``limit`` entries, newest first."""
        async with self._db.transaction() as session:
            return await audit.latest(session, team_id, limit=limit)
