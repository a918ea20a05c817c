"""Watch operations over many rows at once, next to the per-watch ones in ``watches``.

- ``pause_owner_watches``: the owner must log in again, so every watch of theirs pauses
  (``watches.pause`` does one); the rows stay, with their generation and interval.
- ``resumable_watches``: watches paused for a login whose owner has a usable login again.
- ``replan``: a read saw a change: record the watch's next read (and that the read is of
  the watch's current generation; a stale one changes nothing).
- ``watched_instances``: the watches with their instances, all or those changed lately: what
  the watcher keeps in memory between sweeps.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    ColumnElement,
    Integer,
    String,
    Table,
    and_,
    func,
    literal,
    select,
    union,
    union_all,
    update,
)

from bot.domain.create_queue import WAITING_STATES
from bot.domain.identity import SlackUser
from bot.store.database import Session, affected_rows
from bot.store.instances import TrackedInstance, tracked_record
from bot.store.tables import AccountRow, CreateQueueRow, TrackedInstanceRow, WatchRow
from bot.store.watches import Watch, watch_record

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


async def replan(
    session: Session,
    instance_id: str,
    *,
    generation: int,
    next_poll_at: datetime,
    interval_seconds: float,
    now: datetime,
) -> bool:
    """Record a watch's next poll after a change; False for a stale one (other generation)."""
    statement = (
        update(WatchRow)
        .where(WatchRow.instance_id == instance_id, WatchRow.generation == generation)
        .values(
            next_poll_at=next_poll_at,
            interval_seconds=interval_seconds,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    return affected_rows(await session.execute(statement)) > 0


async def watched_instances(
    session: Session, *, changed_since: datetime | None = None
) -> tuple[list[tuple[Watch, TrackedInstance]], int]:
    """Watches (paused ones too) with their instances, and how many unpaused watches exist.

    ``changed_since``: only those whose watch or instance was written at or after it, so a
    sweep that keeps the rest in memory reads a handful of rows; the count tells it whether
    a watch went away meanwhile (then it reads them all again).
    """
    rows = await _watch_rows(session, changed_since)
    count, _ = await _count_active(session, queued_teams=False)
    return rows, count


async def watch_changes(
    session: Session, *, changed_since: datetime | None, queued_teams: bool
) -> tuple[list[tuple[Watch, TrackedInstance]], int, set[str] | None]:
    """``watched_instances``, and with ``queued_teams`` the teams with creates waiting for
    capacity (whose members' instances the watcher reads often), in the same two statements."""
    rows = await _watch_rows(session, changed_since)
    count, teams = await _count_active(session, queued_teams=queued_teams)
    return rows, count, teams if queued_teams else None


async def _watch_rows(
    session: Session, changed_since: datetime | None
) -> list[tuple[Watch, TrackedInstance]]:
    statement = select(WatchRow, TrackedInstanceRow).join(
        TrackedInstanceRow, TrackedInstanceRow.instance_id == WatchRow.instance_id
    )
    if changed_since is not None:
        # Two index lookups (one per table's updated_at) rather than an OR across the join,
        # which scans every watch: this runs once a second.
        written = union(
            select(WatchRow.instance_id).where(WatchRow.updated_at >= changed_since),
            select(TrackedInstanceRow.instance_id).where(
                TrackedInstanceRow.updated_at >= changed_since
            ),
        ).subquery()
        statement = statement.where(WatchRow.instance_id.in_(select(written.c[0])))
    statement = statement.execution_options(populate_existing=True)
    rows = (await session.execute(statement)).all()
    return [(watch_record(watch), tracked_record(tracked)) for watch, tracked in rows]


async def _count_active(session: Session, *, queued_teams: bool) -> tuple[int, set[str]]:
    active = select(func.count(), literal(None, String)).where(WatchRow.paused.is_(False))
    if not queued_teams:
        return int((await session.execute(active)).one()[0]), set()
    teams = (
        select(literal(None, Integer), CreateQueueRow.team_id)
        .where(CreateQueueRow.state.in_(sorted(WAITING_STATES)))
        .distinct()
    )
    count, found = 0, set()
    for row in (await session.execute(union_all(active, teams))).all():
        team_id: str | None = row[1]  # None on the count's row
        if team_id is None:
            count = int(row[0])
        else:
            found.add(team_id)
    return count, found
