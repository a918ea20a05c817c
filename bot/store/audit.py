"""The audit log: who did what to which instance, and how it ended, per team.

Written for every state-changing command (create, restart, stop, delete, login, logout) so a
team can answer "who stopped my instance". ``detail`` is a short, non-secret note (an SCNet
error code, a spec summary); it is cut to fit rather than refused, as an audit write must
never be the thing that fails a command. ``request_id`` is the id of the Slack request that
caused the row (``bot.logs``: every log line of that command carries it), read from the
context unless given; None for what scheduled jobs write.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from bot.domain.identity import SlackUser
from bot.logs import request_id as current_request_id
from bot.store.database import Session
from bot.store.tables import AuditRow

DETAIL_LIMIT = 300


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    actor: SlackUser
    action: str
    instance_id: str | None
    outcome: str
    detail: str
    created_at: datetime
    request_id: str | None = None


def _record(row: AuditRow) -> AuditEntry:
    return AuditEntry(
        id=row.id,
        actor=SlackUser(row.team_id, row.user_id),
        action=row.action,
        instance_id=row.instance_id,
        outcome=row.outcome,
        detail=row.detail,
        created_at=row.created_at,
        request_id=row.request_id,
    )


async def record(
    session: Session,
    actor: SlackUser,
    *,
    action: str,
    outcome: str,
    now: datetime,
    instance_id: str | None = None,
    detail: str = "",
    request_id: str | None = None,
) -> None:
    session.add(
        AuditRow(
            team_id=actor.team_id,
            user_id=actor.user_id,
            action=action[:64],
            instance_id=instance_id,
            outcome=outcome[:32],
            detail=detail[:DETAIL_LIMIT],
            created_at=now,
            request_id=(request_id or current_request_id.get() or None),
        )
    )
    await session.flush()


async def latest(session: Session, team_id: str, *, limit: int = 20) -> list[AuditEntry]:
    """The team's newest ``limit`` entries, newest first."""
    statement = (
        select(AuditRow)
        .where(AuditRow.team_id == team_id)
        .order_by(AuditRow.created_at.desc(), AuditRow.id.desc())
        .limit(limit)
    )
    return [_record(row) for row in (await session.execute(statement)).scalars()]
