"""Instances the bot tracks: who owns each, where it was asked for, what it holds, its status.

Two ways in: ``track_created`` when a user creates through the bot (we know the Slack
channel and thread to answer in), ``track_synced`` when a sync finds an instance made
elsewhere. When both race for one instance, the bot's record wins, as it knows where to
answer. Rows hold no secret: no access URL, no token, only the spec and status.

``list_for_team(..., active_only=True)`` is what quota arithmetic reads: instances not
deleted and not in a terminal status still hold their CPUs, GPUs and RAM.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import ColumnElement, bindparam, case, exists, func, select, update

from bot.domain.identity import SlackOrigin as SlackOrigin
from bot.domain.instances import (
    TERMINAL_STATUSES,
    Instance,
    InstanceSpec,
    InstanceStatus,
    Resources,
    is_terminal,
)
from bot.store.database import Session, affected_rows
from bot.store.identity import SlackUser
from bot.store.tables import TrackedInstanceRow, UtcDateTime, WatchRow
from bot.store.upserts import insert_for

InstanceSource = Literal["bot", "synced"]


@dataclass(frozen=True, slots=True)
class TrackedInstance:
    instance_id: str
    owner: SlackUser
    origin: SlackOrigin | None
    name: str
    task_type: str
    accelerator: str
    resources: Resources
    resource_group: str
    image_version: str
    status: str  # raw SCNet status, see bot.domain.instances.known_status
    status_changed_at: datetime
    source: InstanceSource
    created_at: datetime
    updated_at: datetime
    ready_at: datetime | None
    deleted_at: datetime | None

    @property
    def is_active(self) -> bool:
        """Still holds resources: not deleted, not finished."""
        return self.deleted_at is None and not is_terminal(self.status)


def tracked_record(row: TrackedInstanceRow) -> TrackedInstance:
    origin = None if row.channel_id is None else SlackOrigin(row.channel_id, row.thread_ts)
    source: InstanceSource = "bot" if row.source == "bot" else "synced"
    return TrackedInstance(
        instance_id=row.instance_id,
        owner=SlackUser(row.team_id, row.owner_user_id),
        origin=origin,
        name=row.name,
        task_type=row.task_type,
        accelerator=row.accelerator,
        resources=Resources(
            cpus=row.cpus, gpus=row.gpus, ram_mb=row.ram_mb, task_number=row.task_number
        ),
        resource_group=row.resource_group,
        image_version=row.image_version,
        status=row.status,
        status_changed_at=row.status_changed_at,
        source=source,
        created_at=row.created_at,
        updated_at=row.updated_at,
        ready_at=row.ready_at,
        deleted_at=row.deleted_at,
    )


def _spec_values(
    *,
    name: str,
    task_type: str,
    accelerator: str,
    resources: Resources,
    resource_group: str,
    image_version: str,
) -> dict[str, object]:
    return {
        "name": name,
        "task_type": task_type,
        "accelerator": accelerator,
        "cpus": resources.cpus,
        "gpus": resources.gpus,
        "ram_mb": resources.ram_mb,
        "task_number": resources.task_number,
        "resource_group": resource_group,
        "image_version": image_version,
    }


async def _get_row(session: Session, instance_id: str) -> TrackedInstanceRow | None:
    statement = (
        select(TrackedInstanceRow)
        .where(TrackedInstanceRow.instance_id == instance_id)
        .execution_options(populate_existing=True)
    )
    return (await session.execute(statement)).scalar_one_or_none()


async def _must_get(session: Session, instance_id: str) -> TrackedInstance:
    row = await _get_row(session, instance_id)
    assert row is not None  # written just before, in this transaction
    return tracked_record(row)


async def track_created(
    session: Session,
    instance_id: str,
    *,
    spec: InstanceSpec,
    owner: SlackUser,
    origin: SlackOrigin | None,
    now: datetime,
    status: str = InstanceStatus.WAITING,
) -> TrackedInstance:
    """Record an instance this bot just created. Idempotent; takes over a synced record."""
    spec_values = _spec_values(
        name=spec.name,
        task_type=spec.task_type,
        accelerator=spec.accelerator,
        resources=spec.resources,
        resource_group=spec.resource_group,
        image_version=spec.version,
    )
    claim: dict[str, object] = {
        "team_id": owner.team_id,
        "owner_user_id": owner.user_id,
        "channel_id": None if origin is None else origin.channel_id,
        "thread_ts": None if origin is None else origin.thread_ts,
        "source": "bot",
        "updated_at": now,
    }
    insert = insert_for(session, TrackedInstanceRow).values(
        instance_id=instance_id,
        status=str(status),
        status_changed_at=now,
        created_at=now,
        **spec_values,
        **claim,
    )
    statement = insert.on_conflict_do_update(index_elements=["instance_id"], set_=claim)
    await session.execute(statement)
    return await _must_get(session, instance_id)


async def track_synced(
    session: Session, instance: Instance, *, owner: SlackUser, now: datetime
) -> TrackedInstance:
    """Record or refresh an instance a sync found; the owner of an existing record stays."""
    spec_values = _listed_spec_values(instance)
    insert = insert_for(session, TrackedInstanceRow).values(
        instance_id=instance.id,
        team_id=owner.team_id,
        owner_user_id=owner.user_id,
        channel_id=None,
        thread_ts=None,
        status=instance.status,
        status_changed_at=now,
        source="synced",
        created_at=instance.created_at or now,
        updated_at=now,
        **spec_values,
    )
    await session.execute(insert.on_conflict_do_nothing(index_elements=["instance_id"]))
    await session.execute(
        update(TrackedInstanceRow)
        .where(TrackedInstanceRow.instance_id == instance.id)
        .values(**spec_values, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    await record_status(session, instance.id, status=instance.status, now=now)
    return await _must_get(session, instance.id)


def sync_changes(tracked: TrackedInstance | None, listed: Instance) -> bool:
    """Whether ``track_synced`` would write anything: the instance is new, or its status or
    a field the sync writes differs from the record."""
    if tracked is None:
        return True
    recorded = _spec_values(
        name=tracked.name,
        task_type=tracked.task_type,
        accelerator=tracked.accelerator,
        resources=tracked.resources,
        resource_group=tracked.resource_group,
        image_version=tracked.image_version,
    )
    return tracked.status != listed.status or recorded != _listed_spec_values(listed)


def _listed_spec_values(instance: Instance) -> dict[str, object]:
    return _spec_values(
        name=instance.name,
        task_type=instance.task_type,
        accelerator=instance.accelerator,
        resources=instance.resources,
        resource_group=instance.resource_group,
        image_version=instance.version,
    )


async def record_status(
    session: Session,
    instance_id: str,
    *,
    status: str,
    now: datetime,
    ready: bool = False,
    generation: int | None = None,
) -> TrackedInstance | None:
    """Store the status last seen, and with ``ready`` that the instance is reachable (kept
    from the first time); the row as it is now, in one statement. ``status_changed_at``
    moves only when the status changed.

    ``generation``: only while the instance's watch is of that generation (the watcher's
    answer to a poll): None, writing nothing, when the watch was restarted or stopped since.
    """
    row = TrackedInstanceRow
    at = bindparam("recorded_at", now, type_=UtcDateTime())
    values: dict[str, object] = {
        "status": status,
        "status_changed_at": case((row.status != status, at), else_=row.status_changed_at),
        "updated_at": at,
    }
    if ready:
        values["ready_at"] = func.coalesce(row.ready_at, at)
    statement = update(row).where(row.instance_id == instance_id)
    if generation is not None:
        statement = statement.where(
            exists().where(
                WatchRow.instance_id == row.instance_id, WatchRow.generation == generation
            )
        )
    statement = (
        statement.values(values)
        .returning(row)
        .execution_options(synchronize_session=False, populate_existing=True)
    )
    found = (await session.execute(statement)).scalar_one_or_none()
    return None if found is None else tracked_record(found)


async def mark_deleted(session: Session, instance_id: str, *, now: datetime) -> bool:
    """Note the deletion (the row stays for the audit trail); True the first time."""
    statement = (
        update(TrackedInstanceRow)
        .where(
            TrackedInstanceRow.instance_id == instance_id,
            TrackedInstanceRow.deleted_at.is_(None),
        )
        .values(deleted_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return affected_rows(await session.execute(statement)) > 0


async def get(session: Session, instance_id: str) -> TrackedInstance | None:
    row = await _get_row(session, instance_id)
    return None if row is None else tracked_record(row)


async def get_many(session: Session, instance_ids: Sequence[str]) -> dict[str, TrackedInstance]:
    """The tracked instances with these ids (unknown ones are left out), in one query."""
    if not instance_ids:
        return {}
    statement = select(TrackedInstanceRow).where(
        TrackedInstanceRow.instance_id.in_(list(instance_ids))
    )
    rows = (await session.execute(statement)).scalars()
    return {row.instance_id: tracked_record(row) for row in rows}


def _filters(*, include_deleted: bool, active_only: bool) -> Iterable[ColumnElement[bool]]:
    if active_only or not include_deleted:
        yield TrackedInstanceRow.deleted_at.is_(None)
    if active_only:
        yield TrackedInstanceRow.status.not_in([str(status) for status in TERMINAL_STATUSES])


async def list_for_team(
    session: Session, team_id: str, *, active_only: bool = False, include_deleted: bool = False
) -> list[TrackedInstance]:
    """A team's instances, oldest first. ``active_only``: those holding resources now."""
    statement = (
        select(TrackedInstanceRow)
        .where(
            TrackedInstanceRow.team_id == team_id,
            *_filters(include_deleted=include_deleted, active_only=active_only),
        )
        .order_by(TrackedInstanceRow.created_at, TrackedInstanceRow.instance_id)
    )
    return [tracked_record(row) for row in (await session.execute(statement)).scalars()]


async def list_for_owner(
    session: Session, owner: SlackUser, *, active_only: bool = False, include_deleted: bool = False
) -> list[TrackedInstance]:
    statement = (
        select(TrackedInstanceRow)
        .where(
            TrackedInstanceRow.team_id == owner.team_id,
            TrackedInstanceRow.owner_user_id == owner.user_id,
            *_filters(include_deleted=include_deleted, active_only=active_only),
        )
        .order_by(TrackedInstanceRow.created_at, TrackedInstanceRow.instance_id)
    )
    return [tracked_record(row) for row in (await session.execute(statement)).scalars()]
