"""Slack retries an event it thinks went unanswered; the ledger makes the retry a no-op."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bot.store import deliveries
from bot.store.database import Database


class EventLedger:
    """Which Slack deliveries have been handled, in the database every replica shares."""

    def __init__(self, *, db: Database, now: Callable[[], datetime]) -> None:
        self._db = db
        self._now = now

    async def first_delivery(self, key: str) -> bool:
        """True the first time ``key`` (a Slack event or trigger id) is seen, in every replica."""
        async with self._db.transaction() as session:
            return await deliveries.claim_delivery(session, key, now=self._now())
