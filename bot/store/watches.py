"""Watch state: when to poll an instance next, how often, and who holds the poll right now.

This table, not the scheduler, is what remembers the watches: the leader's sweep reads what
changed in it every second, so nothing is lost on a restart. ``next_poll_at`` is when a new
watch is first read (soon after a create); later reads are planned by the watcher in memory,
per owner, and written here only with a change. ``generation`` goes up each time a watch is
(re)started: a late poll of an earlier generation matches nothing when it writes
(``watch_control.replan``), and notices carry it in their dedupe key
(``"<instance>:ready:<generation>"``) so a restarted watch may notify again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select, update

from bot.store.database import Session, affected_rows
from bot.store.tables import TrackedInstanceRow, WatchRow
from bot.store.upserts import insert_for


@dataclass(frozen=True, slots=True)
class Watch:
    instance_id: str
    next_poll_at: datetime
    attempts: int
    interval_seconds: float
    paused: bool
    paused_reason: str | None
    generation: int
    created_at: datetime
    updated_at: datetime


def watch_record(row: WatchRow) -> Watch:
    return Watch(
        instance_id=row.instance_id,
        next_poll_at=row.next_poll_at,
        attempts=row.attempts,
        interval_seconds=row.interval_seconds,
        paused=row.paused,
        paused_reason=row.paused_reason,
        generation=row.generation,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


async def get_watch(session: Session, instance_id: str) -> Watch | None:
    statement = (
        select(WatchRow)
        .where(WatchRow.instance_id == instance_id)
        .execution_options(populate_existing=True)
    )
    row = (await session.execute(statement)).scalar_one_or_none()
    return None if row is None else watch_record(row)


async def start_watch(
    session: Session,
    instance_id: str,
    *,
    first_poll_at: datetime,
    interval_seconds: float,
    now: datetime,
) -> Watch:
    """Start watching a tracked instance, or restart a watch: a new generation, from zero.

    The instance must be tracked first (``instances.track_*``): a watch references its row
    and goes away with it.
    """
    # The instance's own count of watches: a watch row goes when it ends, so the next one's
    # generation (and with it its notices' dedupe keys) must not start again from 1.
    counted = await session.execute(
        update(TrackedInstanceRow)
        .where(TrackedInstanceRow.instance_id == instance_id)
        .values(watch_generations=TrackedInstanceRow.watch_generations + 1)
        .returning(TrackedInstanceRow.watch_generations)
        .execution_options(synchronize_session=False)
    )
    generation = counted.scalar_one_or_none()
    if generation is None:
        raise LookupError(f"instance {instance_id} is not tracked")
    fresh: dict[str, object] = {
        "next_poll_at": first_poll_at,
        "attempts": 0,
        "interval_seconds": interval_seconds,
        "paused": False,
        "paused_reason": None,
        "updated_at": now,
        "generation": generation,
    }
    insert = insert_for(session, WatchRow).values(instance_id=instance_id, created_at=now, **fresh)
    statement = insert.on_conflict_do_update(index_elements=["instance_id"], set_=fresh)
    await session.execute(statement)
    watch = await get_watch(session, instance_id)
    assert watch is not None  # written just above, in this transaction
    return watch


async def pause(session: Session, instance_id: str, *, reason: str, now: datetime) -> bool:
    """Stop polling without forgetting (e.g. the owner must log in again)."""
    statement = (
        update(WatchRow)
        .where(WatchRow.instance_id == instance_id)
        .values(
            paused=True,
            paused_reason=reason[:64],
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    return affected_rows(await session.execute(statement)) > 0


async def resume(
    session: Session, instance_id: str, *, next_poll_at: datetime, now: datetime
) -> bool:
    statement = (
        update(WatchRow)
        .where(WatchRow.instance_id == instance_id)
        .values(paused=False, paused_reason=None, next_poll_at=next_poll_at, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return affected_rows(await session.execute(statement)) > 0


async def stop_watch(session: Session, instance_id: str) -> bool:
    """The instance is ready, gone or no longer of interest: forget its watch."""
    statement = (
        delete(WatchRow)
        .where(WatchRow.instance_id == instance_id)
        .execution_options(synchronize_session=False)
    )
    return affected_rows(await session.execute(statement)) > 0


async def list_watches(session: Session, *, include_paused: bool = False) -> list[Watch]:
    """Every watch (unpaused unless asked), next poll first."""
    statement = select(WatchRow).order_by(WatchRow.next_poll_at, WatchRow.instance_id)
    if not include_paused:
        statement = statement.where(WatchRow.paused.is_(False))
    return [watch_record(row) for row in (await session.execute(statement)).scalars()]


async def count_by_state(session: Session) -> tuple[int, int]:
    """How many watches are active and how many paused (waiting for their owner's login)."""
    statement = select(WatchRow.paused, func.count()).group_by(WatchRow.paused)
    counts = {bool(paused): count for paused, count in (await session.execute(statement)).all()}
    return counts.get(False, 0), counts.get(True, 0)
