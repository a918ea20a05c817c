"""The team's queue of creates waiting for capacity (``bot.domain.create_queue``).

Every change of state is one conditional UPDATE, so two drains (a leader and the one taking
over from it) or a drain and the requester's Cancel can race and exactly one wins:

- ``claim`` takes a queued request, or a claimed one whose lease ran out (its drain died or
  its create's outcome is unknown), and counts one more attempt, before SCNet is called;
- ``finish``, ``hold`` and ``release`` act only for the drain that holds the claim;
- ``cancel`` and ``expire`` act only on a request still queued (one being created is not
  taken away from under its drain).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, func, or_, select, update

from bot.domain.create_queue import QUEUE_STATES, WAITING_STATES, QueuedCreate, QueueState
from bot.domain.identity import SlackOrigin, SlackUser
from bot.domain.instances import Resources
from bot.store.database import Session, affected_rows
from bot.store.tables import AuditRow, CreateQueueRow

_WAITING = tuple(WAITING_STATES)


def _state(raw: str) -> QueueState:
    return next((s for s in QUEUE_STATES if s == raw), "failed")


def _record(row: CreateQueueRow) -> QueuedCreate:
    return QueuedCreate(
        id=row.id,
        requester=SlackUser(row.team_id, row.requester_user_id),
        command_text=row.command_text,
        name=row.name,
        image=row.image,
        resources=Resources(
            cpus=row.cpus, gpus=row.gpus, ram_mb=row.ram_mb, task_number=row.task_number
        ),
        origin=SlackOrigin(row.channel_id, row.thread_ts) if row.channel_id else None,
        locale=row.locale,
        state=_state(row.state),
        attempts=row.attempts,
        created_at=row.created_at,
        updated_at=row.updated_at,
        lease_owner=row.lease_owner,
        lease_until=row.lease_until,
        instance_id=row.instance_id,
        outcome=row.outcome,
        ended_at=row.ended_at,
    )


async def add(
    session: Session,
    requester: SlackUser,
    *,
    command_text: str,
    name: str,
    image: str,
    resources: Resources,
    origin: SlackOrigin | None,
    locale: str | None,
    now: datetime,
) -> QueuedCreate:
    """Queue a request at the end of its team's queue."""
    row = CreateQueueRow(
        team_id=requester.team_id,
        requester_user_id=requester.user_id,
        command_text=command_text,
        name=name[:200],
        image=image[:300],
        cpus=resources.cpus,
        gpus=resources.gpus,
        ram_mb=resources.ram_mb,
        task_number=resources.task_number,
        channel_id=origin.channel_id if origin else None,
        thread_ts=origin.thread_ts if origin else None,
        locale=locale,
        state="queued",
        attempts=0,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    await session.flush()
    return _record(row)


async def get(session: Session, request_id: int) -> QueuedCreate | None:
    row = await session.get(CreateQueueRow, request_id)
    return _record(row) if row is not None else None


async def waiting_for_team(session: Session, team_id: str) -> list[QueuedCreate]:
    """The team's queue in order: queued requests and those being created."""
    statement = (
        select(CreateQueueRow)
        .where(CreateQueueRow.team_id == team_id, CreateQueueRow.state.in_(_WAITING))
        .order_by(CreateQueueRow.id)
    )
    return [_record(row) for row in (await session.scalars(statement)).all()]


async def waiting_for_requester(session: Session, requester: SlackUser) -> list[QueuedCreate]:
    statement = (
        select(CreateQueueRow)
        .where(
            CreateQueueRow.team_id == requester.team_id,
            CreateQueueRow.requester_user_id == requester.user_id,
            CreateQueueRow.state.in_(_WAITING),
        )
        .order_by(CreateQueueRow.id)
    )
    return [_record(row) for row in (await session.scalars(statement)).all()]


async def count_waiting(session: Session, team_id: str) -> int:
    statement = select(func.count()).where(
        CreateQueueRow.team_id == team_id, CreateQueueRow.state.in_(_WAITING)
    )
    return int((await session.execute(statement)).scalar_one())


async def teams_with_queue(session: Session) -> set[str]:
    """The teams with a request waiting (queued, or being created now): the watcher reads
    their members at the short cadence, since any instance of theirs ending frees capacity
    for the queue."""
    statement = select(CreateQueueRow.team_id).where(CreateQueueRow.state.in_(_WAITING)).distinct()
    return set((await session.scalars(statement)).all())


def _claimable(now: datetime) -> ColumnElement[bool]:
    return or_(
        CreateQueueRow.state == "queued",
        and_(CreateQueueRow.state == "claimed", CreateQueueRow.lease_until < now),
    )


async def claimable_again(session: Session, *, now: datetime) -> list[QueuedCreate]:
    """Claimed requests whose lease ran out: their drain died, or their create's outcome
    was unknown. Each is looked for by name before anything is retried."""
    statement = (
        select(CreateQueueRow)
        .where(CreateQueueRow.state == "claimed", CreateQueueRow.lease_until < now)
        .order_by(CreateQueueRow.id)
    )
    return [_record(row) for row in (await session.scalars(statement)).all()]


async def claim(
    session: Session, request_id: int, *, owner: str, now: datetime, lease: timedelta
) -> QueuedCreate | None:
    """Take the request for a create (one more attempt counted); None if another has it or it
    has left the queue."""
    statement = (
        update(CreateQueueRow)
        .where(CreateQueueRow.id == request_id, _claimable(now))
        .values(
            state="claimed",
            lease_owner=owner,
            lease_until=now + lease,
            attempts=CreateQueueRow.attempts + 1,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    if affected_rows(await session.execute(statement)) != 1:
        return None
    return await _fresh(session, request_id)


async def _fresh(session: Session, request_id: int) -> QueuedCreate | None:
    statement = (
        select(CreateQueueRow)
        .where(CreateQueueRow.id == request_id)
        .execution_options(populate_existing=True)
    )
    row = (await session.scalars(statement)).one_or_none()
    return _record(row) if row is not None else None


def _held_by(request_id: int, owner: str) -> Sequence[ColumnElement[bool]]:
    return (
        CreateQueueRow.id == request_id,
        CreateQueueRow.state == "claimed",
        CreateQueueRow.lease_owner == owner,
    )


async def finish(
    session: Session,
    request_id: int,
    *,
    owner: str,
    state: QueueState,
    now: datetime,
    instance_id: str | None = None,
    outcome: str | None = None,
) -> bool:
    """End a claimed request (created or failed); False if the claim is no longer ours."""
    statement = (
        update(CreateQueueRow)
        .where(*_held_by(request_id, owner))
        .values(
            state=state,
            instance_id=instance_id,
            outcome=(outcome or "")[:64] or None,
            lease_owner=None,
            lease_until=None,
            updated_at=now,
            ended_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    return affected_rows(await session.execute(statement)) == 1


async def hold(
    session: Session, request_id: int, *, owner: str, until: datetime, now: datetime
) -> bool:
    """Keep the claim until ``until``, after which the request is claimable again (and is
    looked for by name first): a create whose outcome is unknown waits for SCNet to settle."""
    statement = (
        update(CreateQueueRow)
        .where(*_held_by(request_id, owner))
        .values(lease_until=until, updated_at=now, outcome="outcome_unknown")
        .execution_options(synchronize_session=False)
    )
    return affected_rows(await session.execute(statement)) == 1


async def release(session: Session, request_id: int, *, owner: str, now: datetime) -> bool:
    """Put a claimed request back in its place: no create was sent (a read before it
    failed). Its attempts stay counted, so the next claim still looks for it first."""
    statement = (
        update(CreateQueueRow)
        .where(*_held_by(request_id, owner))
        .values(state="queued", lease_owner=None, lease_until=None, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return affected_rows(await session.execute(statement)) == 1


async def cancel(session: Session, request_id: int, *, now: datetime) -> bool:
    """Take a queued request out of the queue; False unless it was still queued."""
    return await _leave(session, request_id, state="cancelled", now=now)


async def _leave(
    session: Session, request_id: int, *, state: QueueState, now: datetime, outcome: str = ""
) -> bool:
    statement = (
        update(CreateQueueRow)
        .where(CreateQueueRow.id == request_id, CreateQueueRow.state == "queued")
        .values(state=state, outcome=outcome or None, updated_at=now, ended_at=now)
        .execution_options(synchronize_session=False)
    )
    return affected_rows(await session.execute(statement)) == 1


async def queued_before(session: Session, cutoff: datetime) -> list[QueuedCreate]:
    """Requests still queued that were queued before ``cutoff``."""
    statement = (
        select(CreateQueueRow)
        .where(CreateQueueRow.state == "queued", CreateQueueRow.created_at < cutoff)
        .order_by(CreateQueueRow.id)
    )
    return [_record(row) for row in (await session.scalars(statement)).all()]


async def expire(session: Session, request_id: int, *, now: datetime) -> bool:
    """Drop a request still queued (too old); False if it left the queue meanwhile."""
    return await _leave(session, request_id, state="expired", now=now, outcome="ttl")


async def stopped_through_the_bot(session: Session, team_id: str, *, since: datetime) -> set[str]:
    """The team's instances stopped through the bot since ``since`` and not restarted after:
    their capacity is free for the queue at once, before the watcher's next read of their
    owner shows them ended (a delete frees it at once anyway: the ledger forgets them)."""
    statement = (
        select(AuditRow.instance_id, AuditRow.action)
        .where(
            AuditRow.team_id == team_id,
            AuditRow.action.in_(("stop", "restart")),
            AuditRow.outcome == "ok",
            AuditRow.created_at >= since,
            AuditRow.instance_id.is_not(None),
        )
        .order_by(AuditRow.id)
    )
    latest: dict[str, str] = {}
    for instance_id, action in (await session.execute(statement)).all():
        latest[str(instance_id)] = str(action)
    return {instance_id for instance_id, action in latest.items() if action == "stop"}
