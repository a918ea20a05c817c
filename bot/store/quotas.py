"""Quota limits a team sets for itself, team-wide or per member. None means no limit.

These are the team's own limits (who may hold how many GPUs of the team's budget), not
SCNet's; ``bot.domain`` does the arithmetic against the instances that are active.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select

from bot.domain.quota import QuotaLimits
from bot.store.database import Session, affected_rows
from bot.store.tables import QuotaLimitRow
from bot.store.upserts import insert_for

_TEAM_WIDE = ""  # member_user_id of the team-wide row, see QuotaLimitRow


@dataclass(frozen=True, slots=True)
class TeamQuota:
    team_id: str
    member_user_id: str | None  # None: the whole team
    limits: QuotaLimits
    updated_at: datetime


def _record(row: QuotaLimitRow) -> TeamQuota:
    return TeamQuota(
        team_id=row.team_id,
        member_user_id=row.member_user_id or None,
        limits=QuotaLimits(
            gpus=row.gpus, cpus=row.cpus, ram_mb=row.ram_mb, instances=row.instances
        ),
        updated_at=row.updated_at,
    )


async def set_limits(
    session: Session,
    team_id: str,
    *,
    limits: QuotaLimits,
    member_user_id: str | None = None,
    now: datetime,
) -> None:
    """Set (replace) the team's limits, or one member's when ``member_user_id`` is given."""
    values = {
        "gpus": limits.gpus,
        "cpus": limits.cpus,
        "ram_mb": limits.ram_mb,
        "instances": limits.instances,
        "updated_at": now,
    }
    insert = insert_for(session, QuotaLimitRow).values(
        team_id=team_id, member_user_id=member_user_id or _TEAM_WIDE, **values
    )
    statement = insert.on_conflict_do_update(
        index_elements=["team_id", "member_user_id"], set_=values
    )
    await session.execute(statement)


async def get_limits(
    session: Session, team_id: str, *, member_user_id: str | None = None
) -> QuotaLimits | None:
    """The limits set for the team (or that member); None when none were set."""
    statement = select(QuotaLimitRow).where(
        QuotaLimitRow.team_id == team_id,
        QuotaLimitRow.member_user_id == (member_user_id or _TEAM_WIDE),
    )
    row = (await session.execute(statement)).scalar_one_or_none()
    return None if row is None else _record(row).limits


async def list_limits(session: Session, team_id: str) -> list[TeamQuota]:
    """The team-wide row first, then members by id."""
    statement = (
        select(QuotaLimitRow)
        .where(QuotaLimitRow.team_id == team_id)
        .order_by(QuotaLimitRow.member_user_id)
    )
    return [_record(row) for row in (await session.execute(statement)).scalars()]


async def clear_limits(
    session: Session, team_id: str, *, member_user_id: str | None = None
) -> bool:
    statement = delete(QuotaLimitRow).where(
        QuotaLimitRow.team_id == team_id,
        QuotaLimitRow.member_user_id == (member_user_id or _TEAM_WIDE),
    )
    return affected_rows(await session.execute(statement)) > 0
