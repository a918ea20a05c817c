"""Which quota alert thresholds a team stands at, and how often it crossed each one.

A row per (team, resource, percent). Crossing up sets ``reached`` and counts a crossing in
one conditional UPDATE, so of two checks racing over the same crossing exactly one gets its
number back and queues the alert; dropping below clears ``reached`` (the alert re-arms).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select, tuple_, update

from bot.domain.quota import QUOTA_RESOURCES, QuotaResource
from bot.store.database import Session
from bot.store.tables import QuotaAlertRow
from bot.store.upserts import insert_for

Threshold = tuple[QuotaResource, int]  # (resource, percent)


def _resource(raw: str) -> QuotaResource | None:
    return next((r for r in QUOTA_RESOURCES if r == raw), None)


async def reached(session: Session, team_id: str) -> set[Threshold]:
    """The thresholds the team stood at or above when last checked."""
    statement = select(QuotaAlertRow.resource, QuotaAlertRow.percent).where(
        QuotaAlertRow.team_id == team_id, QuotaAlertRow.reached.is_(True)
    )
    found: set[Threshold] = set()
    for raw, percent in (await session.execute(statement)).all():
        resource = _resource(raw)
        if resource is not None:
            found.add((resource, percent))
    return found


async def teams_with_reached(session: Session) -> list[str]:
    """Teams standing at some threshold: a team whose limits were removed is among them."""
    statement = (
        select(QuotaAlertRow.team_id)
        .where(QuotaAlertRow.reached.is_(True))
        .distinct()
        .order_by(QuotaAlertRow.team_id)
    )
    return list((await session.execute(statement)).scalars())


async def cross_up(
    session: Session, team_id: str, threshold: Threshold, *, now: datetime
) -> int | None:
    """Mark ``threshold`` reached: the crossing's number (1, 2, ...), or None when it was
    reached already (another check counted this crossing)."""
    resource, percent = threshold
    await session.execute(
        insert_for(session, QuotaAlertRow)
        .values(
            team_id=team_id,
            resource=resource,
            percent=percent,
            reached=False,
            crossings=0,
            updated_at=now,
        )
        .on_conflict_do_nothing(index_elements=["team_id", "resource", "percent"])
    )
    statement = (
        update(QuotaAlertRow)
        .where(
            QuotaAlertRow.team_id == team_id,
            QuotaAlertRow.resource == resource,
            QuotaAlertRow.percent == percent,
            QuotaAlertRow.reached.is_(False),
        )
        .values(reached=True, crossings=QuotaAlertRow.crossings + 1, updated_at=now)
        .returning(QuotaAlertRow.crossings)
        .execution_options(synchronize_session=False)
    )
    crossings: int | None = (await session.execute(statement)).scalar_one_or_none()
    return crossings


async def cross_down(
    session: Session, team_id: str, thresholds: Iterable[Threshold], *, now: datetime
) -> None:
    """Usage dropped below these thresholds: the next crossing alerts again."""
    pairs = list(thresholds)
    if not pairs:
        return
    statement = (
        update(QuotaAlertRow)
        .where(
            QuotaAlertRow.team_id == team_id,
            tuple_(QuotaAlertRow.resource, QuotaAlertRow.percent).in_(pairs),
            QuotaAlertRow.reached.is_(True),
        )
        .values(reached=False, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    await session.execute(statement)
