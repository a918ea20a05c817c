"""A restart of the bot: watches and notices live in the database, so a new process (new
services over the same database) carries on where the old one stopped."""

from __future__ import annotations

from datetime import timedelta

from slack_sdk.web.async_client import AsyncWebClient

from bot.scnet.client import ScnetClient
from bot.store import watches
from bot.store.database import Database
from tests.fake_slack import FakeSlack
from tests.watch.conftest import WatchEnv, restarted


async def test_pending_watches_are_picked_up_after_a_restart(
    env: WatchEnv,
    client: ScnetClient,
    database: Database,
    slack: FakeSlack,
    slack_client: AsyncWebClient,
) -> None:
    ids = [await env.create(f"train-{n}") for n in range(3)]
    await env.run_for(6)  # polled once each: Deploying
    assert env.dms() == []

    after = restarted(env, client, database, slack, slack_client)
    await after.watcher.hurry_after_start(single_process=database.dialect == "sqlite")
    await after.run_for(40)
    assert len(after.dms()) == 3
    assert len(after.channel_posts()) == 3
    for instance_id in ids:
        notice = await after.notice(f"{instance_id}:ready:1")
        assert notice is not None
        assert notice.status == "sent"


async def test_leases_of_a_dead_process_are_freed_at_once_only_on_sqlite(
    env: WatchEnv,
    client: ScnetClient,
    database: Database,
    slack: FakeSlack,
    slack_client: AsyncWebClient,
) -> None:
    await env.create("orphan")
    env.scnet.clock.advance(20)  # Running by now
    async with database.transaction() as session:  # a process leases the poll, then dies
        leased = await watches.claim_due(
            session, owner="dead", now=env.now(), lease_for=timedelta(seconds=60)
        )
    assert len(leased) == 1

    after = restarted(env, client, database, slack, slack_client)
    single_process = database.dialect == "sqlite"
    await after.watcher.hurry_after_start(single_process=single_process)
    await after.run_for(5)
    # SQLite has one process: the lease was a dead one's. PostgreSQL may have live peers.
    assert len(after.dms()) == (1 if single_process else 0)
    await after.run_for(60)
    assert len(after.dms()) == 1


async def test_a_restart_polls_backed_off_watches_soon(env: WatchEnv) -> None:
    instance_id = await env.create("long-queue")
    env.scnet.sim.set_instance_delays(instance_id, waiting=3600)
    await env.run_for(300, step=5)  # backed off to the 60 s maximum
    async with env.db.transaction() as session:
        before = await watches.get_watch(session, instance_id)
    assert before is not None
    assert before.interval_seconds == 60

    assert await env.watcher.hurry_after_start(single_process=False) == 1
    async with env.db.transaction() as session:
        hurried = await watches.get_watch(session, instance_id)
    assert hurried is not None
    assert hurried.next_poll_at <= env.now() + timedelta(seconds=10)
    assert hurried.interval_seconds == 10
