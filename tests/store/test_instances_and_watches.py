"""Tracked instances and their watches: ownership, status history, leases, generations."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, select

from bot.domain.instances import Instance, InstanceSpec, InstanceStatus, Resources
from bot.store import instances, watch_control, watches
from bot.store.database import Database, Session
from bot.store.instances import SlackOrigin
from bot.store.tables import TrackedInstanceRow, WatchRow
from tests.store.fakes import ALICE, BOB, CAROL_ELSEWHERE, NOW

LEASE = timedelta(minutes=1)
SPEC = InstanceSpec(
    name="train-llm",
    task_type="jupyter",
    accelerator="gpu",
    resource_group="kshdtest",
    version="pytorch:2.1.0-py3.10",
    image_path="registry.example.invalid/pytorch:2.1.0",
    resources=Resources(cpus=8, gpus=2, ram_mb=32_768, task_number=2),
)
ORIGIN = SlackOrigin("C0CHAN", "1700000000.000100")


def _found(instance_id: str, *, status: str = "Running", name: str = "found") -> Instance:
    return Instance(
        id=instance_id,
        name=name,
        status=status,
        task_type="ssh",
        accelerator="dcu",
        resources=Resources(cpus=4, gpus=1, ram_mb=16_384),
        resource_group="rg",
        version="ubuntu:22.04",
    )


async def _create(session: Session, instance_id: str, **overrides: object) -> None:
    arguments: dict[str, object] = {"spec": SPEC, "owner": ALICE, "origin": ORIGIN, "now": NOW}
    arguments.update(overrides)
    await instances.track_created(session, instance_id, **arguments)  # type: ignore[arg-type]


async def test_a_created_instance_keeps_owner_origin_and_spec(database: Database) -> None:
    async with database.transaction() as session:
        tracked = await instances.track_created(
            session, "i-1", spec=SPEC, owner=ALICE, origin=ORIGIN, now=NOW
        )
        again = await instances.track_created(
            session, "i-1", spec=SPEC, owner=ALICE, origin=ORIGIN, now=NOW + timedelta(seconds=1)
        )
    async with database.transaction() as session:
        loaded = await instances.get(session, "i-1")

    assert loaded == again
    assert tracked.owner == ALICE
    assert tracked.origin == ORIGIN
    assert tracked.source == "bot"
    assert tracked.resources == SPEC.resources
    assert tracked.resources.total_gpus == 4
    assert (tracked.status, tracked.status_changed_at) == (InstanceStatus.WAITING, NOW)
    assert tracked.image_version == SPEC.version
    assert tracked.is_active


async def test_status_changes_move_the_change_time_only_when_it_changes(
    database: Database,
) -> None:
    async with database.transaction() as session:
        await _create(session, "i-1")
        deploying = await instances.record_status(
            session, "i-1", status="Deploying", now=NOW + timedelta(seconds=10)
        )
        same = await instances.record_status(
            session, "i-1", status="Deploying", now=NOW + timedelta(seconds=20)
        )
        unknown = await instances.record_status(session, "i-404", status="Running", now=NOW)

    assert deploying is not None
    assert same is not None
    assert deploying.status_changed_at == NOW + timedelta(seconds=10)
    assert same.status_changed_at == NOW + timedelta(seconds=10)
    assert unknown is None


async def test_ready_and_deleted_are_noted_once(database: Database) -> None:
    async with database.transaction() as session:
        await _create(session, "i-1")
        first_ready = await instances.record_status(
            session, "i-1", status="Running", now=NOW + timedelta(minutes=1), ready=True
        )
        second_ready = await instances.record_status(
            session, "i-1", status="Running", now=NOW + timedelta(minutes=2), ready=True
        )
        first_delete = await instances.mark_deleted(session, "i-1", now=NOW + timedelta(hours=1))
        second_delete = await instances.mark_deleted(session, "i-1", now=NOW + timedelta(hours=2))
        tracked = await instances.get(session, "i-1")

    assert first_ready is not None
    assert second_ready is not None
    assert first_ready.ready_at == second_ready.ready_at == NOW + timedelta(minutes=1)
    assert (first_delete, second_delete) == (True, False)
    assert tracked is not None
    assert tracked.ready_at == NOW + timedelta(minutes=1)
    assert tracked.deleted_at == NOW + timedelta(hours=1)
    assert not tracked.is_active


async def test_sync_adds_unknown_instances_and_refreshes_known_ones(database: Database) -> None:
    async with database.transaction() as session:
        await _create(session, "i-bot")
        found = await instances.track_synced(session, _found("i-new"), owner=BOB, now=NOW)
        refreshed = await instances.track_synced(
            session,
            _found("i-bot", status="Running", name="renamed"),
            owner=BOB,
            now=NOW + timedelta(minutes=3),
        )

    assert (found.source, found.owner, found.origin) == ("synced", BOB, None)
    assert found.status == "Running"
    # A known instance keeps its owner, origin and source; status and spec follow SCNet.
    assert (refreshed.source, refreshed.owner, refreshed.origin) == ("bot", ALICE, ORIGIN)
    assert refreshed.name == "renamed"
    assert refreshed.status == "Running"
    assert refreshed.status_changed_at == NOW + timedelta(minutes=3)


async def test_the_bot_takes_over_an_instance_a_sync_found_first(database: Database) -> None:
    async with database.transaction() as session:
        await instances.track_synced(session, _found("i-1"), owner=ALICE, now=NOW)
        tracked = await instances.track_created(
            session, "i-1", spec=SPEC, owner=ALICE, origin=ORIGIN, now=NOW
        )

    assert tracked.source == "bot"
    assert tracked.origin == ORIGIN
    assert tracked.status == "Running"  # what SCNet said stays


async def test_team_listing_and_active_instances(database: Database) -> None:
    async with database.transaction() as session:
        await _create(session, "i-1")
        await _create(session, "i-2", owner=BOB, now=NOW + timedelta(seconds=1))
        await _create(session, "i-3", now=NOW + timedelta(seconds=2))
        await _create(session, "i-4", now=NOW + timedelta(seconds=3))
        await _create(session, "i-other", owner=CAROL_ELSEWHERE)
        await instances.record_status(session, "i-3", status="Completed", now=NOW)
        await instances.mark_deleted(session, "i-4", now=NOW)

    async with database.transaction() as session:
        team = await instances.list_for_team(session, ALICE.team_id)
        active = await instances.list_for_team(session, ALICE.team_id, active_only=True)
        everything = await instances.list_for_team(session, ALICE.team_id, include_deleted=True)
        alices = await instances.list_for_owner(session, ALICE, active_only=True)

    assert [t.instance_id for t in team] == ["i-1", "i-2", "i-3"]
    assert [t.instance_id for t in active] == ["i-1", "i-2"]
    assert [t.instance_id for t in everything] == ["i-1", "i-2", "i-3", "i-4"]
    assert [t.instance_id for t in alices] == ["i-1"]


async def test_the_watchers_picture_reads_all_watches_or_those_written_lately(
    database: Database,
) -> None:
    later = NOW + timedelta(minutes=5)
    async with database.transaction() as session:
        await _create(session, "i-1")
        await _create(session, "i-2")
        await watches.start_watch(session, "i-1", first_poll_at=NOW, interval_seconds=10, now=NOW)
        await watches.start_watch(session, "i-2", first_poll_at=NOW, interval_seconds=10, now=NOW)
        await watches.pause(session, "i-2", reason="login", now=later)

    async with database.transaction() as session:
        everything, active = await watch_control.watched_instances(session)
        lately, _ = await watch_control.watched_instances(session, changed_since=later)

    assert sorted(w.instance_id for w, _ in everything) == ["i-1", "i-2"]
    assert active == 1  # the paused one is listed, not counted
    assert [(w.instance_id, w.paused, t.instance_id) for w, t in lately] == [("i-2", True, "i-2")]


async def test_a_restart_bumps_the_generation_and_stale_polls_cannot_replan(
    database: Database,
) -> None:
    async with database.transaction() as session:
        await _create(session, "i-1")
        await watches.start_watch(session, "i-1", first_poll_at=NOW, interval_seconds=10, now=NOW)
        restarted = await watches.start_watch(
            session, "i-1", first_poll_at=NOW, interval_seconds=10, now=NOW + timedelta(hours=1)
        )
        stale = await watch_control.replan(
            session, "i-1", generation=1, next_poll_at=NOW, interval_seconds=99, now=NOW
        )
        current = await watches.get_watch(session, "i-1")

    assert (restarted.generation, restarted.attempts, restarted.interval_seconds) == (2, 0, 10)
    assert restarted.created_at == NOW
    assert not stale
    assert current is not None
    assert current.interval_seconds == 10


async def test_a_status_for_a_stale_generation_writes_nothing(database: Database) -> None:
    later = NOW + timedelta(minutes=1)
    async with database.transaction() as session:
        await _create(session, "i-1")
        await watches.start_watch(session, "i-1", first_poll_at=NOW, interval_seconds=10, now=NOW)
        await watches.start_watch(session, "i-1", first_poll_at=NOW, interval_seconds=10, now=NOW)
        stale = await instances.record_status(
            session, "i-1", status="Running", now=later, ready=True, generation=1
        )
        unchanged = await instances.get(session, "i-1")
        current = await instances.record_status(
            session, "i-1", status="Running", now=later, ready=True, generation=2
        )
        await watches.stop_watch(session, "i-1")
        unwatched = await instances.record_status(
            session, "i-1", status="Failed", now=later, generation=2
        )

    assert stale is None
    assert unchanged is not None
    assert (unchanged.status, unchanged.ready_at) == (InstanceStatus.WAITING, None)
    assert current is not None
    assert (current.status, current.ready_at) == (InstanceStatus.RUNNING, later)
    assert unwatched is None


async def test_paused_watches_are_listed_only_when_asked_until_resumed(
    database: Database,
) -> None:
    async with database.transaction() as session:
        await _create(session, "i-1")
        await watches.start_watch(session, "i-1", first_poll_at=NOW, interval_seconds=10, now=NOW)
        assert await watches.pause(session, "i-1", reason="needs_login", now=NOW)
        listed = await watches.list_watches(session)
        listed_all = await watches.list_watches(session, include_paused=True)
        assert await watches.resume(session, "i-1", next_poll_at=NOW, now=NOW)
        resumed = await watches.list_watches(session)

    assert listed == []
    assert [(w.paused, w.paused_reason) for w in listed_all] == [(True, "needs_login")]
    assert [w.instance_id for w in resumed] == ["i-1"]


async def test_stopping_a_watch_and_deleting_its_instance(database: Database) -> None:
    async with database.transaction() as session:
        await _create(session, "i-1")
        await _create(session, "i-2")
        await watches.start_watch(session, "i-1", first_poll_at=NOW, interval_seconds=10, now=NOW)
        await watches.start_watch(session, "i-2", first_poll_at=NOW, interval_seconds=10, now=NOW)
        assert await watches.stop_watch(session, "i-1")
        assert not await watches.stop_watch(session, "i-1")

    # Foreign keys are on (SQLite too): a watch goes with its instance row.
    async with database.transaction() as session:
        await session.execute(
            delete(TrackedInstanceRow).where(TrackedInstanceRow.instance_id == "i-2")
        )
    async with database.transaction() as session:
        left = (await session.scalars(select(WatchRow.instance_id))).all()

    assert left == []
