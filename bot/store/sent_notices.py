"""The outbox's sent notices as ``GET /metrics`` reads them: when each was due, when sent.

A notice is due when it is queued (``created_at``; nothing queues one for later) and sent when
Slack accepted it (``sent_at``, written right after), so the difference is its delivery lag,
Slack's rate limits, retries and the pacing of a busy channel included.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from bot.store.database import Session
from bot.store.tables import OutboxRow


async def sent_after(
    session: Session, after: datetime, *, limit: int = 5000
) -> list[tuple[datetime, datetime]]:
    """(due, sent) of the notices sent after ``after``, earliest sent first."""
    statement = (
        select(OutboxRow.created_at, OutboxRow.sent_at)
        .where(OutboxRow.status == "sent", OutboxRow.sent_at > after)
        .order_by(OutboxRow.sent_at)
        .limit(limit)
    )
    return [
        (due, sent) for due, sent in (await session.execute(statement)).all() if sent is not None
    ]
