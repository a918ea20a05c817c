"""Upkeep: what operators need from the watcher's tables.

``prune`` (an hourly job) forgets what nothing needs any more, so the outbox and the
idempotency keys do not grow without end. ``figures`` is read by ``GET /metrics``: a pending
notice that grows old, or many dead ones, is what to alert on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.store import deliveries, outbox, watches
from bot.store.database import Database

log = logging.getLogger(__name__)

SENT_KEPT = timedelta(days=7)
DEAD_KEPT = timedelta(days=30)  # long enough for an operator to read last_error
EVENT_KEYS_KEPT = timedelta(hours=1)  # Slack retries an event within minutes


@dataclass(frozen=True, slots=True)
class Pruned:
    notices: int
    event_keys: int


@dataclass(frozen=True, slots=True)
class WatcherFigures:
    active_watches: int
    paused_watches: int
    pending_notices: int
    sent_notices: int
    dead_notices: int
    oldest_pending_seconds: float  # 0 when nothing is pending


class Upkeep:
    def __init__(self, *, db: Database, now: Callable[[], datetime]) -> None:
        self._db = db
        self._now = now

    async def prune(self) -> Pruned:
        now = self._now()
        async with self._db.transaction() as session:
            notices = await outbox.prune_settled(
                session, sent_before=now - SENT_KEPT, dead_before=now - DEAD_KEPT
            )
            keys = await deliveries.prune_deliveries(session, older_than=now - EVENT_KEYS_KEPT)
        if notices or keys:
            log.info("pruned %d settled notices and %d event keys", notices, keys)
        return Pruned(notices, keys)

    async def figures(self) -> WatcherFigures:
        async with self._db.transaction() as session:
            active, paused = await watches.count_by_state(session)
            notices = await outbox.figures(session)
        oldest = notices.oldest_pending_at
        waited = 0.0 if oldest is None else max(0.0, (self._now() - oldest).total_seconds())
        return WatcherFigures(
            active_watches=active,
            paused_watches=paused,
            pending_notices=notices.pending,
            sent_notices=notices.sent,
            dead_notices=notices.dead,
            oldest_pending_seconds=waited,
        )
