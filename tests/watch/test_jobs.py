"""The scheduler (APScheduler behind ``Jobs``) and the leader lease.

These run the real scheduler on the real clock with short intervals; they wait for
outcomes (an event set by a job), never for a time.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text

from bot.jobs import Jobs
from bot.store.database import Database
from bot.store.leadership import AdvisoryLockLeader, SoleLeader, leadership_for

WAIT = 10.0


class Switch:
    """A leadership the test hands out and takes back."""

    def __init__(self, held: bool) -> None:
        self.held = held

    async def refresh(self) -> bool:
        return self.held

    async def release(self) -> None:
        self.held = False


@pytest.fixture
async def stoppable() -> AsyncIterator[list[Jobs]]:
    started: list[Jobs] = []
    yield started
    for jobs in started:
        await jobs.stop()


async def test_jobs_run_on_the_leader_and_can_be_run_at_once(stoppable: list[Jobs]) -> None:
    runs: list[str] = []
    ran = asyncio.Event()

    async def work() -> None:
        runs.append("tick")
        ran.set()

    jobs = Jobs(leadership=SoleLeader(), leadership_interval=0.05)
    jobs.every("work", 3600, work)  # far apart: the second run is run_soon's
    stoppable.append(jobs)
    await jobs.start()
    await asyncio.wait_for(ran.wait(), WAIT)
    ran.clear()
    jobs.run_soon("work")
    await asyncio.wait_for(ran.wait(), WAIT)
    assert runs == ["tick", "tick"]


async def test_a_job_overlaps_itself_up_to_its_limit_and_no_further(
    stoppable: list[Jobs],
) -> None:
    going = 0
    most = 0
    ticks_while_full = 0
    release = asyncio.Event()
    full = asyncio.Event()

    async def slow() -> None:
        nonlocal going, most
        going += 1
        most = max(most, going)
        if going == 2:
            full.set()
        try:
            await release.wait()
        finally:
            going -= 1

    ticked = asyncio.Event()

    async def counter() -> None:
        nonlocal ticks_while_full
        if full.is_set():
            ticks_while_full += 1
            if ticks_while_full >= 5:
                ticked.set()

    jobs = Jobs(leadership=SoleLeader(), leadership_interval=0.05)
    jobs.every("slow", 0.05, slow, overlap=2)
    jobs.every("counter", 0.05, counter)
    stoppable.append(jobs)
    await jobs.start()
    await asyncio.wait_for(full.wait(), WAIT)  # the second run started while the first went
    await asyncio.wait_for(ticked.wait(), WAIT)  # several ticks pass with both still going
    assert most == 2
    release.set()


async def test_a_follower_runs_nothing_until_it_becomes_the_leader(
    stoppable: list[Jobs],
) -> None:
    switch = Switch(held=False)
    order: list[str] = []
    ran = asyncio.Event()

    async def elected() -> None:
        order.append("elected")

    async def work() -> None:
        order.append("work")
        ran.set()

    jobs = Jobs(leadership=switch, leadership_interval=0.05)
    jobs.when_elected(elected)
    jobs.every("work", 0.05, work)
    stoppable.append(jobs)
    await jobs.start()
    jobs.run_soon("work")  # not the leader: ignored
    await asyncio.sleep(0)
    assert not jobs.is_leader

    switch.held = True
    await asyncio.wait_for(ran.wait(), WAIT)
    assert jobs.is_leader
    assert order[:2] == ["elected", "work"]


async def test_a_new_leader_prepares_once_even_when_preparing_outlasts_a_tick(
    stoppable: list[Jobs],
) -> None:
    switch = Switch(held=False)
    prepared: list[str] = []
    done = asyncio.Event()

    async def slow_preparation() -> None:
        prepared.append("hurry")
        for _ in range(10):  # several leadership ticks go by meanwhile
            await asyncio.sleep(0.05)
        done.set()

    jobs = Jobs(leadership=switch, leadership_interval=0.02)
    jobs.when_elected(slow_preparation)
    stoppable.append(jobs)
    await jobs.start()
    switch.held = True  # the lead comes on a scheduled tick
    await asyncio.wait_for(done.wait(), WAIT)
    assert jobs.is_leader
    assert prepared == ["hurry"]


async def test_stop_cancels_a_running_job_and_steps_down() -> None:
    started = asyncio.Event()
    cancelled = asyncio.Event()

    async def endless() -> None:
        started.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cancelled.set()
            raise

    switch = Switch(held=True)
    jobs = Jobs(leadership=switch, leadership_interval=0.05)
    jobs.every("endless", 0.05, endless)
    await jobs.start()
    await asyncio.wait_for(started.wait(), WAIT)
    await jobs.stop()
    assert cancelled.is_set()
    assert not switch.held  # released


async def test_a_failing_job_is_logged_and_runs_again(
    stoppable: list[Jobs], caplog: pytest.LogCaptureFixture
) -> None:
    attempts: list[int] = []
    second = asyncio.Event()

    async def flaky() -> None:
        attempts.append(1)
        if len(attempts) == 1:
            raise RuntimeError("boom")
        second.set()

    jobs = Jobs(leadership=SoleLeader(), leadership_interval=0.05)
    jobs.every("flaky", 0.05, flaky)
    stoppable.append(jobs)
    await jobs.start()
    await asyncio.wait_for(second.wait(), WAIT)
    assert "job flaky failed" in caplog.text


# --- the leader lease on PostgreSQL ------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.parametrize("database_backend", ["postgres"], indirect=True)
async def test_one_leader_at_a_time_and_a_takeover_when_it_goes(database: Database) -> None:
    first = AdvisoryLockLeader(database)
    second = AdvisoryLockLeader(database)
    try:
        assert await first.refresh()
        assert await first.refresh()  # keeps it
        assert not await second.refresh()
        await first.release()
        assert await second.refresh()
        assert not await first.refresh()
    finally:
        await first.release()
        await second.release()


@pytest.mark.postgres
@pytest.mark.parametrize("database_backend", ["postgres"], indirect=True)
async def test_a_leader_whose_session_died_knows_it_lost(database: Database) -> None:
    key = 4242  # advisory lock keys below 2**32 show as objid, in this database only
    leader = AdvisoryLockLeader(database, key=key)
    other = AdvisoryLockLeader(database, key=key)
    try:
        assert await leader.refresh()
        async with database.engine.connect() as connection:  # the server drops its session
            await connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_locks"
                    " WHERE locktype = 'advisory' AND objid = :key AND granted"
                    " AND database = (SELECT oid FROM pg_database"
                    " WHERE datname = current_database())"
                ),
                {"key": key},
            )
            await connection.commit()
        assert not await leader.refresh()
        assert await other.refresh()
    finally:
        await leader.release()
        await other.release()


async def test_sqlite_is_always_its_own_leader(database: Database) -> None:
    leadership = leadership_for(database)
    if database.dialect == "sqlite":
        assert isinstance(leadership, SoleLeader)
    else:
        assert isinstance(leadership, AdvisoryLockLeader)
    assert await leadership.refresh()
    await leadership.release()
