"""Watch operations over many rows at once, next to the per-watch ones in ``watches``.

- ``pause_owner_watches``: the owner must log in again, so every watch of theirs pauses
  (``watches.pause`` does one); the rows stay, with their generation and interval.
- ``resumable_watches``: watches paused for a login whose owner has a usable login again.
- ``plan_next_polls``: right after a claim, in its transaction, set each watch's next poll
  as if nothing will change; a poll that then sees no change needs no write at all.
- ``replan``: a poll saw a change after all: plan its next poll again.
- ``tracked_instances``: the claimed watches' instances, in one query.
- ``bring_forward``: poll a watch sooner (after a restart of the bot), never later.
- ``release_leases``: with SQLite there is one process, so at start every lease is a dead
  predecessor's and can go at once instead of timing out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Table, and_, bindparam, select, update

from bot.store.database import Session, affected_rows
from bot.store.identity import SlackUser
from bot.store.tables import AccountRow, TrackedInstanceRow, WatchRow

_WATCHES: Table = WatchRow.__table__  # type: ignore[assignment]


def _owned_by(owner: SlackUser) -> ColumnElement[bool]:
    return WatchRow.instance_id.in_(
        select(TrackedInstanceRow.instance_id).where(
            TrackedInstanceRow.team_id == owner.team_id,
            TrackedInstanceRow.owner_user_id == owner.user_id,
        )
    )


async def pause_owner_watches(
    session: Session, owner: SlackUser, *, reason: str, now: datetime
) -> list[str]:
    """Pause every unpaused watch of ``owner``'s instances; the ids paused by this call."""
    statement = (
        update(WatchRow)
        .where(_owned_by(owner), WatchRow.paused.is_(False))
        .values(
            paused=True,
            paused_reason=reason[:64],
            lease_owner=None,
            lease_expires_at=None,
            updated_at=now,
        )
        .returning(WatchRow.instance_id)
        .execution_options(synchronize_session=False)
    )
    return sorted((await session.execute(statement)).scalars())


async def resumable_watches(session: Session, *, reason: str) -> list[str]:
    """Watches paused for ``reason`` whose owner is logged in and needs no new login."""
    statement = (
        select(WatchRow.instance_id)
        .join(TrackedInstanceRow, TrackedInstanceRow.instance_id == WatchRow.instance_id)
        .join(
            AccountRow,
            and_(
                AccountRow.team_id == TrackedInstanceRow.team_id,
                AccountRow.user_id == TrackedInstanceRow.owner_user_id,
            ),
        )
        .where(
            WatchRow.paused.is_(True),
            WatchRow.paused_reason == reason[:64],
            AccountRow.needs_login.is_(False),
        )
        .order_by(WatchRow.instance_id)
    )
    return list((await session.execute(statement)).scalars())


async def bring_forward(
    session: Session,
    instance_id: str,
    *,
    next_poll_at: datetime,
    interval_seconds: float,
    now: datetime,
) -> bool:
    """Poll an unpaused watch at ``next_poll_at`` if that is sooner than planned.

    Its lease (which a claim ends at the planned poll) ends then too: call this when no poll
    of this process is under way, such as when it has just become the leader.
    """
    statement = (
        update(WatchRow)
        .where(
            WatchRow.instance_id == instance_id,
            WatchRow.paused.is_(False),
            WatchRow.next_poll_at > next_poll_at,
        )
        .values(
            next_poll_at=next_poll_at,
            lease_expires_at=next_poll_at,
            interval_seconds=interval_seconds,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    return affected_rows(await session.execute(statement)) > 0


async def release_leases(session: Session, *, now: datetime) -> int:
    """Drop every watch lease; only for a single-process database (SQLite) at start."""
    statement = (
        update(WatchRow)
        .where(WatchRow.lease_owner.is_not(None))
        .values(lease_owner=None, lease_expires_at=None, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return affected_rows(await session.execute(statement))


@dataclass(frozen=True, slots=True)
class PlannedPoll:
    instance_id: str
    generation: int
    next_poll_at: datetime
    interval_seconds: float


async def plan_next_polls(session: Session, plans: Sequence[PlannedPoll], *, now: datetime) -> None:
    """Count the attempt and set the next poll of watches claimed in this transaction.

    The claim's lease ends at the planned poll (``lease_expires_at = next_poll_at``): a poll
    that dies is retried then, and one that sees no change leaves the row as it is. One
    statement for all of them (executemany), as a claim is one statement too.
    """
    if not plans:
        return
    statement = (
        update(_WATCHES)
        .where(
            _WATCHES.c.instance_id == bindparam("planned_id"),
            _WATCHES.c.generation == bindparam("planned_generation"),
        )
        .values(
            attempts=_WATCHES.c.attempts + 1,
            next_poll_at=bindparam("planned_at"),
            lease_expires_at=bindparam("planned_at"),
            interval_seconds=bindparam("planned_interval"),
            updated_at=now,
        )
    )
    await session.execute(
        statement,
        [
            {
                "planned_id": plan.instance_id,
                "planned_generation": plan.generation,
                "planned_at": plan.next_poll_at,
                "planned_interval": plan.interval_seconds,
            }
            for plan in plans
        ],
    )


async def replan(
    session: Session,
    instance_id: str,
    *,
    generation: int,
    next_poll_at: datetime,
    interval_seconds: float,
    now: datetime,
) -> bool:
    """Change the next poll a claim planned (a status changed); False for a stale poll.

    It counts no attempt: the claim counted this poll already.
    """
    statement = (
        update(WatchRow)
        .where(WatchRow.instance_id == instance_id, WatchRow.generation == generation)
        .values(
            next_poll_at=next_poll_at,
            lease_expires_at=next_poll_at,
            interval_seconds=interval_seconds,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    return affected_rows(await session.execute(statement)) > 0
