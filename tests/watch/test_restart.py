"""A restart of the bot: watches and notices live in the database, so a new process (new
services over the same database) carries on where the old one stopped."""

from __future__ import annotations

from slack_sdk.web.async_client import AsyncWebClient

from bot.scnet.client import ScnetClient
from bot.store.database import Database
from tests.fake_slack import FakeSlack
from tests.watch.conftest import POLICY, WatchEnv, restarted

LIST = "/ai/openapi/v2/instance-service/task"


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
    after.watcher.hurry_after_start()
    await after.run_for(40)
    assert len(after.dms()) == 3
    assert len(after.channel_posts()) == 3
    for instance_id in ids:
        notice = await after.notice(f"{instance_id}:ready:1")
        assert notice is not None
        assert notice.status == "sent"


async def test_a_new_process_reads_a_long_queued_owner_within_a_cadence(
    env: WatchEnv,
    client: ScnetClient,
    database: Database,
    slack: FakeSlack,
    slack_client: AsyncWebClient,
) -> None:
    instance_id = await env.create("long-queue")
    env.scnet.sim.set_instance_delays(instance_id, waiting=3600)
    await env.run_for(300, step=5)

    after = restarted(env, client, database, slack, slack_client)
    after.watcher.hurry_after_start()
    env.scnet.sim.requests.clear()
    await after.run_for(POLICY.cadence)
    assert env.scnet.sim.requests.count("GET", LIST) == 1
    env.scnet.sim.set_status(instance_id, "Running")
    await after.run_for(POLICY.cadence)
    [dm] = after.dms()
    assert after.access_hex(instance_id) in str(dm.blocks)
