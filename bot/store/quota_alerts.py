"""Which quota alert thresholds a team, and each member with limits of their own, stands at,
and how often it crossed each one.

A row per (team, member, resource, percent); ``member_user_id`` ``''`` is the whole team, as
in ``quota_limits``. Functions take ``member_user_id=None`` for the team. Crossing up sets
``reached`` and counts a crossing in one conditional UPDATE, so of two checks racing over the
same crossing exactly one gets its number back and queues the alert; dropping below clears
``reached`` (the alert re-arms).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select, tuple_, union, update

from bot.domain.quota import QUOTA_RESOURCES, QuotaResource
from bot.store.database import Session
from bot.store.tables import QuotaAlertRow, QuotaLimitRow
from bot.store.upserts import insert_for

Threshold = tuple[QuotaResource, int]  # (resource, percent)

_TEAM_WIDE = ""  # member_user_id of the team's own rows, see QuotaAlertRow


def _resource(raw: str) -> QuotaResource | None:
    return next((r for r in QUOTA_RESOURCES if r == raw), None)


async def reached(
    session: Session, team_id: str, *, member_user_id: str | None = None
) -> set[Threshold]:
    """The thresholds the team (or that member) stood at or above when last checked."""
    statement = select(QuotaAlertRow.resource, QuotaAlertRow.percent).where(
        QuotaAlertRow.team_id == team_id,
        QuotaAlertRow.member_user_id == (member_user_id or _TEAM_WIDE),
        QuotaAlertRow.reached.is_(True),
    )
    found: set[Threshold] = set()
    for raw, percent in (await session.execute(statement)).all():
        resource = _resource(raw)
        if resource is not None:
            found.add((resource, percent))
    return found


async def members_reached(session: Session, team_id: str) -> dict[str, set[Threshold]]:
    """Each member of the team standing at some threshold of their own limits, and which."""
    statement = select(
        QuotaAlertRow.member_user_id, QuotaAlertRow.resource, QuotaAlertRow.percent
    ).where(
        QuotaAlertRow.team_id == team_id,
        QuotaAlertRow.member_user_id != _TEAM_WIDE,
        QuotaAlertRow.reached.is_(True),
    )
    found: dict[str, set[Threshold]] = {}
    for member, raw, percent in (await session.execute(statement)).all():
        resource = _resource(raw)
        if resource is not None:
            found.setdefault(member, set()).add((resource, percent))
    return found


async def teams_to_check(session: Session) -> list[str]:
    """Teams with limits, team-wide or only a member's, or standing at some threshold."""
    statement = union(
        select(QuotaLimitRow.team_id),
        select(QuotaAlertRow.team_id).where(QuotaAlertRow.reached.is_(True)),
    )
    return sorted(set((await session.execute(statement)).scalars()))


async def cross_up(
    session: Session,
    team_id: str,
    threshold: Threshold,
    *,
    member_user_id: str | None = None,
    now: datetime,
) -> int | None:
    """Mark ``threshold`` reached: the crossing's number (1, 2, ...), or None when it was
    reached already (another check counted this crossing)."""
    resource, percent = threshold
    member = member_user_id or _TEAM_WIDE
    await session.execute(
        insert_for(session, QuotaAlertRow)
        .values(
            team_id=team_id,
            member_user_id=member,
            resource=resource,
            percent=percent,
            reached=False,
            crossings=0,
            updated_at=now,
        )
        .on_conflict_do_nothing(index_elements=["team_id", "member_user_id", "resource", "percent"])
    )
    statement = (
        update(QuotaAlertRow)
        .where(
            QuotaAlertRow.team_id == team_id,
            QuotaAlertRow.member_user_id == member,
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
    session: Session,
    team_id: str,
    thresholds: Iterable[Threshold],
    *,
    member_user_id: str | None = None,
    now: datetime,
) -> None:
    """Usage dropped below these thresholds: the next crossing alerts again."""
    pairs = list(thresholds)
    if not pairs:
        return
    statement = (
        update(QuotaAlertRow)
        .where(
            QuotaAlertRow.team_id == team_id,
            QuotaAlertRow.member_user_id == (member_user_id or _TEAM_WIDE),
            tuple_(QuotaAlertRow.resource, QuotaAlertRow.percent).in_(pairs),
            QuotaAlertRow.reached.is_(True),
        )
        .values(reached=False, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    await session.execute(statement)
