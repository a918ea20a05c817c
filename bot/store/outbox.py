"""The notification outbox: Slack notices written in the same transaction as their cause.

A watch that finds an instance ready marks it ready *and* enqueues "your instance is ready"
in one commit; a sender then delivers pending notices at least once. The caller picks a
``dedupe_key`` (``"<instance>:ready:<generation>"``): enqueueing the same notice again, say
after a crash between poll and commit, is a no-op, on SQLite and PostgreSQL alike
(``INSERT ... ON CONFLICT DO NOTHING``).

Life of a notice: ``pending`` → ``claim_due`` (leases it: ``next_attempt_at`` moves to the end
of the lease and ``attempts`` goes up, so a crashed sender's notice comes back by itself) →
``mark_sent``, or ``reschedule`` with the error, or ``mark_dead`` after the last attempt;
``postpone`` hands it back untried (its target's pace), without counting the attempt.
``prune_settled`` later drops settled notices; only a pending notice must never be lost.

The payload is what the renderer needs, and never a secret: an access URL goes to its owner
from the instance service at send time, not through this table. ``last_error`` is for
operators; pass an error class or Slack error code, not a text that could quote a token.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Literal

from sqlalchemy import ColumnElement, delete, func, or_, select, update

from bot.domain.identity import NoticeTarget
from bot.store.database import Session, affected_rows, dialect_of
from bot.store.tables import OutboxRow
from bot.store.upserts import insert_for

NoticeStatus = Literal["pending", "sent", "dead"]
ERROR_LIMIT = 500


@dataclass(frozen=True, slots=True)
class Notice:
    id: int
    dedupe_key: str
    team_id: str
    target: NoticeTarget
    kind: str
    payload: Mapping[str, object]
    status: NoticeStatus
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None


def _status(raw: str) -> NoticeStatus:
    if raw == "sent":
        return "sent"
    if raw == "dead":
        return "dead"
    return "pending"


def _record(row: OutboxRow) -> Notice:
    return Notice(
        id=row.id,
        dedupe_key=row.dedupe_key,
        team_id=row.team_id,
        target=NoticeTarget(
            user_id=row.target_user_id, channel_id=row.channel_id, thread_ts=row.thread_ts
        ),
        kind=row.kind,
        payload=MappingProxyType(dict(row.payload)),
        status=_status(row.status),
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        last_error=row.last_error,
        created_at=row.created_at,
        sent_at=row.sent_at,
    )


async def enqueue(
    session: Session,
    dedupe_key: str,
    *,
    team_id: str,
    target: NoticeTarget,
    kind: str,
    payload: Mapping[str, object],
    now: datetime,
    deliver_at: datetime | None = None,
) -> bool:
    """Queue a notice unless one with ``dedupe_key`` exists; True when this call queued it."""
    statement = (
        insert_for(session, OutboxRow)
        .values(
            dedupe_key=dedupe_key,
            team_id=team_id,
            target_user_id=target.user_id,
            channel_id=target.channel_id,
            thread_ts=target.thread_ts,
            kind=kind,
            payload=dict(payload),
            status="pending",
            attempts=0,
            next_attempt_at=deliver_at or now,
            last_error=None,
            created_at=now,
            sent_at=None,
        )
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
    )
    return affected_rows(await session.execute(statement)) > 0


async def get_notice(session: Session, dedupe_key: str) -> Notice | None:
    statement = (
        select(OutboxRow)
        .where(OutboxRow.dedupe_key == dedupe_key)
        .execution_options(populate_existing=True)
    )
    row = (await session.execute(statement)).scalar_one_or_none()
    return None if row is None else _record(row)


def _due(now: datetime) -> tuple[ColumnElement[bool], ...]:
    return (OutboxRow.status == "pending", OutboxRow.next_attempt_at <= now)


async def claim_due(
    session: Session, *, now: datetime, lease_for: timedelta, limit: int = 20
) -> list[Notice]:
    """Lease up to ``limit`` due pending notices, oldest due first; each counts an attempt.

    One UPDATE picks and leases them: on PostgreSQL the pick is ``FOR UPDATE SKIP LOCKED``
    so concurrent senders share the queue; on SQLite writers are serialised anyway. The
    lease ends at ``now + lease_for``; an unacknowledged notice is due again after it.
    """
    due = (
        select(OutboxRow.id)
        .where(*_due(now))
        .order_by(OutboxRow.next_attempt_at, OutboxRow.id)
        .limit(limit)
    )
    if dialect_of(session) == "postgresql":
        due = due.with_for_update(skip_locked=True)
    # A CTE, evaluated once: as an IN-subquery, PostgreSQL may re-run the locking SELECT
    # and take more than ``limit`` rows.
    picked = due.cte("picked").prefix_with("MATERIALIZED")
    statement = (
        update(OutboxRow)
        .where(OutboxRow.id.in_(select(picked.c[0])), *_due(now))
        .values(attempts=OutboxRow.attempts + 1, next_attempt_at=now + lease_for)
        .returning(OutboxRow)
        .execution_options(synchronize_session=False, populate_existing=True)
    )
    rows = (await session.execute(statement)).scalars().all()
    # The lease moved next_attempt_at alike for all; the id keeps first-queued first.
    return sorted((_record(row) for row in rows), key=lambda notice: notice.id)


async def mark_sent(session: Session, notice_id: int, *, now: datetime) -> bool:
    """Slack accepted the notice. False if it was no longer pending (already settled)."""
    statement = (
        update(OutboxRow)
        .where(OutboxRow.id == notice_id, OutboxRow.status == "pending")
        .values(status="sent", sent_at=now, last_error=None)
        .execution_options(synchronize_session=False)
    )
    return affected_rows(await session.execute(statement)) > 0


async def reschedule(
    session: Session, notice_id: int, *, error: str, next_attempt_at: datetime
) -> bool:
    """Sending failed in a way worth retrying: try again at ``next_attempt_at``."""
    statement = (
        update(OutboxRow)
        .where(OutboxRow.id == notice_id, OutboxRow.status == "pending")
        .values(next_attempt_at=next_attempt_at, last_error=error[:ERROR_LIMIT])
        .execution_options(synchronize_session=False)
    )
    return affected_rows(await session.execute(statement)) > 0


async def postpone(session: Session, notice_id: int, *, until: datetime) -> bool:
    """Not tried yet, only put off (the target's rate): the claim's attempt does not count."""
    statement = (
        update(OutboxRow)
        .where(OutboxRow.id == notice_id, OutboxRow.status == "pending")
        .values(next_attempt_at=until, attempts=OutboxRow.attempts - 1)
        .execution_options(synchronize_session=False)
    )
    return affected_rows(await session.execute(statement)) > 0


async def release(session: Session, notice_ids: Sequence[int], *, now: datetime) -> int:
    """Hand back claimed notices untried (the sender shuts down): due now, the claim's
    attempt not counted. Settled ones stay as they are. How many were handed back."""
    if not notice_ids:
        return 0
    statement = (
        update(OutboxRow)
        .where(OutboxRow.id.in_(notice_ids), OutboxRow.status == "pending")
        .values(next_attempt_at=now, attempts=OutboxRow.attempts - 1)
        .execution_options(synchronize_session=False)
    )
    return affected_rows(await session.execute(statement))


async def mark_dead(session: Session, notice_id: int, *, error: str, now: datetime) -> bool:
    """Give up on the notice (permanent Slack error, or attempts exhausted)."""
    statement = (
        update(OutboxRow)
        .where(OutboxRow.id == notice_id, OutboxRow.status == "pending")
        .values(status="dead", last_error=error[:ERROR_LIMIT], next_attempt_at=now)
        .execution_options(synchronize_session=False)
    )
    return affected_rows(await session.execute(statement)) > 0


async def prune_settled(session: Session, *, sent_before: datetime, dead_before: datetime) -> int:
    """Drop notices sent before ``sent_before`` and given up on before ``dead_before``.

    Safe for "exactly once": a dedupe key is only enqueued again by the event that made it
    (a status change of one watch generation, one day's digest), long over by then.
    """
    statement = delete(OutboxRow).where(
        or_(
            (OutboxRow.status == "sent") & (OutboxRow.sent_at < sent_before),
            # A dead notice's next_attempt_at is when it was given up on (``mark_dead``).
            (OutboxRow.status == "dead") & (OutboxRow.next_attempt_at < dead_before),
        )
    )
    return affected_rows(await session.execute(statement))


@dataclass(frozen=True, slots=True)
class OutboxFigures:
    pending: int = 0
    sent: int = 0
    dead: int = 0
    oldest_pending_at: datetime | None = None


async def figures(session: Session) -> OutboxFigures:
    """How many notices are in each state, and since when the oldest pending one waits."""
    statement = select(OutboxRow.status, func.count(), func.min(OutboxRow.created_at)).group_by(
        OutboxRow.status
    )
    counts: dict[str, int] = {}
    oldest: datetime | None = None
    for status, count, earliest in (await session.execute(statement)).all():
        counts[status] = count
        if status == "pending":
            oldest = earliest
    return OutboxFigures(
        pending=counts.get("pending", 0),
        sent=counts.get("sent", 0),
        dead=counts.get("dead", 0),
        oldest_pending_at=oldest,
    )
