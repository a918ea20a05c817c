"""Idempotency keys: Slack retries an event it thinks we missed; we handle it once.

Slack redelivers events (``X-Slack-Retry-Num``) and users double-click buttons. The handler
calls ``claim_delivery`` with the event id (or a command's own key) before doing anything;
only the first caller gets True. The claim commits with the work it guards when both share
a transaction. ``prune_deliveries`` drops keys older than Slack's retry window.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete

from bot.store.database import Session, affected_rows
from bot.store.tables import ProcessedDeliveryRow
from bot.store.upserts import insert_for


async def claim_delivery(session: Session, key: str, *, now: datetime) -> bool:
    """True if ``key`` was not seen before (and is now recorded), False for a repeat."""
    statement = (
        insert_for(session, ProcessedDeliveryRow)
        .values(key=key, created_at=now)
        .on_conflict_do_nothing(index_elements=["key"])
    )
    return affected_rows(await session.execute(statement)) > 0


async def prune_deliveries(session: Session, *, older_than: datetime) -> int:
    """Forget keys recorded before ``older_than``; returns how many were dropped."""
    statement = delete(ProcessedDeliveryRow).where(ProcessedDeliveryRow.created_at < older_than)
    return affected_rows(await session.execute(statement))
