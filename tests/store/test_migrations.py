"""Migrations: from empty to head, idempotent, reversible, and equal to the ORM models."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from bot.store.database import open_engine
from bot.store.migrate import (
    current_revision,
    downgrade_database,
    head_revision,
    upgrade_database,
)
from bot.store.tables import Base

REVISIONS = [f"{n:04d}" for n in range(1, 11)]  # oldest first: 0001 ... 0010


async def _table_names(url: str) -> set[str]:
    engine = open_engine(url)
    try:
        async with engine.connect() as connection:
            return set(await connection.run_sync(lambda c: inspect(c).get_table_names()))
    finally:
        await engine.dispose()


async def test_upgrade_from_empty_then_again_changes_nothing(database_url: str) -> None:
    assert await current_revision(database_url) is None

    assert await upgrade_database(database_url) == REVISIONS
    assert head_revision() == REVISIONS[-1]
    assert await current_revision(database_url) == head_revision()
    assert await upgrade_database(database_url) == []
    assert await current_revision(database_url) == head_revision()


async def test_schema_matches_metadata(database_url: str) -> None:
    await upgrade_database(database_url)

    def diff(connection: Connection) -> list[object]:
        return list(compare_metadata(MigrationContext.configure(connection), Base.metadata))

    engine = open_engine(database_url)
    try:
        async with engine.connect() as connection:
            assert await connection.run_sync(diff) == []
    finally:
        await engine.dispose()


async def test_downgrade_to_base_drops_everything_and_upgrade_restores_it(
    database_url: str,
) -> None:
    await upgrade_database(database_url)
    assert set(Base.metadata.tables) <= await _table_names(database_url)

    assert await downgrade_database(database_url, revision="base") == REVISIONS[::-1]
    assert await _table_names(database_url) <= {"alembic_version"}
    assert await current_revision(database_url) is None

    assert await upgrade_database(database_url) == REVISIONS


async def test_a_digest_channel_set_before_0002_gets_the_default_schedule(
    database_url: str,
) -> None:
    await upgrade_database(database_url, revision="0001")
    engine = open_engine(database_url)
    try:
        async with engine.begin() as connection:
            await connection.exec_driver_sql(
                "INSERT INTO team_settings (team_id, digest_channel_id, updated_at) "
                "VALUES ('T1', 'C1', '2026-01-01 00:00:00.000000')"
            )
    finally:
        await engine.dispose()
    assert await upgrade_database(database_url, revision="0002") == ["0002"]
    engine = open_engine(database_url)
    try:
        async with engine.connect() as connection:
            row = (
                await connection.exec_driver_sql(
                    "SELECT digest_channel_id, digest_time, digest_timezone, digest_hours "
                    "FROM team_settings"
                )
            ).one()
    finally:
        await engine.dispose()
    assert tuple(row) == ("C1", "09:00", "Asia/Shanghai", 24)
    assert await downgrade_database(database_url, revision="0001") == ["0002"]


async def _execute(url: str, statement: str) -> list[tuple[object, ...]]:
    """Run ``statement`` in a transaction of its own; the rows it returned, if any."""
    engine = open_engine(url)
    try:
        async with engine.begin() as connection:
            result = await connection.exec_driver_sql(statement)
            return [tuple(row) for row in result.all()] if result.returns_rows else []
    finally:
        await engine.dispose()


ALERT_STATE = "SELECT team_id, member_user_id, resource, percent, crossings FROM quota_alerts"


async def test_0003_keeps_the_teams_alert_state_and_adds_the_members(database_url: str) -> None:
    await upgrade_database(database_url, revision="0002")
    await _execute(
        database_url,
        "INSERT INTO quota_alerts (team_id, resource, percent, reached, crossings, updated_at) "
        "VALUES ('T1', 'gpus', 80, true, 3, '2026-01-01 00:00:00.000000')",
    )
    assert await upgrade_database(database_url, revision="0003") == ["0003"]
    # The team's row carries on with its counter (and so its alerts' dedupe keys); a member
    # may now stand at the same threshold beside it, and the new key still refuses a twin.
    member = (
        "INSERT INTO quota_alerts "
        "(member_user_id, team_id, resource, percent, reached, crossings, updated_at) "
        "VALUES ('U1', 'T1', 'gpus', 80, true, 1, '2026-01-01 00:00:00.000000')"
    )
    await _execute(database_url, member)
    with pytest.raises(IntegrityError):
        await _execute(database_url, member)
    assert sorted(await _execute(database_url, ALERT_STATE)) == [
        ("T1", "", "gpus", 80, 3),
        ("T1", "U1", "gpus", 80, 1),
    ]

    assert await downgrade_database(database_url, revision="0002") == ["0003"]
    state = await _execute(
        database_url, "SELECT team_id, resource, percent, crossings FROM quota_alerts"
    )
    assert state == [("T1", "gpus", 80, 3)]  # the members' rows go, the team's stays
    assert await upgrade_database(database_url, revision="0003") == ["0003"]
    assert await _execute(database_url, ALERT_STATE) == [("T1", "", "gpus", 80, 3)]


async def test_scripts_are_found_from_any_working_directory(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)

    assert await upgrade_database(database_url) == REVISIONS


async def test_sqlite_file_and_its_directory_are_created_on_first_start(tmp_path: Path) -> None:
    path = tmp_path / "new" / "dir" / "bot.db"

    await upgrade_database(f"sqlite:///{path}")

    assert path.is_file()
    engine = open_engine(f"sqlite:///{path}")
    try:
        async with engine.connect() as connection:
            journal = (await connection.exec_driver_sql("PRAGMA journal_mode")).scalar()
            foreign_keys = (await connection.exec_driver_sql("PRAGMA foreign_keys")).scalar()
            busy = (await connection.exec_driver_sql("PRAGMA busy_timeout")).scalar()
    finally:
        await engine.dispose()
    assert (journal, foreign_keys) == ("wal", 1)
    assert busy
    assert busy > 0


TRACKED = (
    "INSERT INTO tracked_instances (instance_id, team_id, owner_user_id, name, task_type, "
    "accelerator, cpus, gpus, ram_mb, task_number, resource_group, image_version, status, "
    "status_changed_at, source, created_at, updated_at) VALUES ('{id}', 'T1', 'U1', 'n', "
    "'jupyter', 'gpu', 1, 1, 1024, 1, 'g', 'v', 'Running', '2026-01-01 00:00:00.000000', "
    "'bot', '2026-01-01 00:00:00.000000', '2026-01-01 00:00:00.000000')"
)


async def test_0006_continues_each_instances_watch_generations(database_url: str) -> None:
    await upgrade_database(database_url, revision="0005")
    for instance_id in ("watched", "ended"):
        await _execute(database_url, TRACKED.format(id=instance_id))
    await _execute(
        database_url,
        "INSERT INTO watches (instance_id, next_poll_at, attempts, interval_seconds, paused, "
        "generation, created_at, updated_at) VALUES ('watched', '2026-01-01 00:00:00.000000', "
        "0, 3, false, 3, '2026-01-01 00:00:00.000000', '2026-01-01 00:00:00.000000')",
    )
    assert await upgrade_database(database_url, revision="0006") == ["0006"]
    rows = await _execute(
        database_url,
        "SELECT instance_id, watch_generations FROM tracked_instances ORDER BY instance_id",
    )
    # A watch on now carries on; one whose watch rows are gone starts past any it had.
    assert rows == [("ended", 1000), ("watched", 3)]
