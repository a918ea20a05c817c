"""Ready: the owner gets the access link by DM exactly once; the channel only hears it runs."""

from __future__ import annotations

import asyncio
import itertools
import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.domain.commands import InstanceRef
from bot.domain.instances import InstanceSpec, Resources
from bot.scnet.client import ScnetClient
from bot.services import watch_reads
from bot.services.quota import QuotaService
from bot.slack.blocks import ids
from bot.store import instances, team_settings, watches
from bot.store.instances import SlackOrigin
from bot.store.tables import Base
from tests.watch.conftest import IMAGE, POLICY, THREAD, WatchEnv

LIST = "/ai/openapi/v2/instance-service/task"
DETAIL = "/ai/openapi/v2/instance-service/{id}/detail"


def everything_sent(env: WatchEnv) -> str:
    """Every argument of every Web API call, buttons' URLs and metadata included."""
    return json.dumps([call.args for call in env.slack.calls()], ensure_ascii=False)


async def test_the_owner_gets_the_link_once_and_the_channel_hears_without_it(
    env: WatchEnv,
) -> None:
    instance_id = await env.create("train")

    await env.run_for(14)  # Waiting 5 s, Deploying 10 s: not running yet
    assert env.dms() == []

    await env.run_for(30)
    secret = env.access_hex(instance_id)
    [dm] = env.dms()
    assert secret in json.dumps(dm.blocks)  # the link and the Open button
    assert "train" in dm.all_text()
    assert ids.OPEN_LINK in json.dumps(dm.blocks)
    assert secret not in (dm.text or "")  # the notification preview shows no URL
    [post] = env.channel_posts()
    assert post.thread_ts == THREAD
    assert "is running" in post.all_text()
    assert dm.metadata is not None
    assert post.metadata is not None

    await env.run_for(120, step=10)  # more polls of the running instance: nothing new
    assert len(env.dms()) == 1
    assert len(env.channel_posts()) == 1
    assert env.slack.count("chat.postMessage", ok=True) == 2
    # Only the owner's DM ever carried the link; no other call did.
    calls_with_secret = [
        call for call in env.slack.calls() if secret in json.dumps(call.args, ensure_ascii=False)
    ]
    assert [call.args["channel"] for call in calls_with_secret] == [dm.channel]
    notice = await env.notice(f"{instance_id}:ready:1")
    assert notice is not None
    assert notice.status == "sent"


async def test_a_channel_that_opted_in_gets_the_full_link(env: WatchEnv) -> None:
    async with env.db.transaction() as session:
        await team_settings.set_share_access_urls(
            session, env.owner.team_id, channel_id=env.channel, enabled=True, now=env.now()
        )
    instance_id = await env.create("shared")
    await env.run_for(40)
    [post] = env.channel_posts()
    assert env.access_hex(instance_id) in json.dumps(post.blocks)


async def test_an_instance_created_in_the_dm_is_announced_there_only(env: WatchEnv) -> None:
    dm_channel = env.slack.dm_channel(env.owner.user_id)
    await env.create("private", origin=SlackOrigin(dm_channel))
    await env.run_for(40)
    assert len(env.dms()) == 1
    assert env.slack.count("chat.postMessage", ok=True) == 1


def console_spec(name: str) -> InstanceSpec:
    """An instance as the SCNet web console would start it, without the bot."""
    return InstanceSpec(
        name=name,
        task_type="jupyter",
        accelerator="gpu",
        resource_group="TeslaM40",
        version=IMAGE,
        image_path=f"10.0.35.26:5000/gpu/admin/base/{IMAGE}",
        resources=Resources(cpus=2, gpus=1, ram_mb=4096),
    )


async def test_watch_adds_an_instance_made_elsewhere(env: WatchEnv, client: ScnetClient) -> None:
    caller = env.scnet.caller("alice")
    instance_id = await client.create_instance(caller, console_spec("web-console"))
    await env.instances.watch(env.owner, InstanceRef("id", instance_id), origin=None)

    await env.run_for(40)
    [dm] = env.dms()
    assert env.access_hex(instance_id) in json.dumps(dm.blocks)
    assert env.channel_posts() == []


async def test_watch_on_an_instance_whose_link_was_sent_does_not_send_it_again(
    env: WatchEnv,
) -> None:
    instance_id = await env.create("delivered")
    await env.run_for(40)
    assert len(env.dms()) == 1  # the link, once
    await env.instances.watch(env.owner, InstanceRef("id", instance_id), origin=None)
    await env.run_for(40)
    assert len(env.dms()) == 1  # watching on: no second link
    env.scnet.sim.set_status(instance_id, "Failed")
    await env.run_for(POLICY.running_interval + POLICY.cadence)
    [_, ended] = env.dms()  # what comes next is still told
    assert "Restart" in json.dumps(ended.blocks)


async def test_a_restart_after_a_failure_sends_the_link_again_and_its_end(env: WatchEnv) -> None:
    """The Restart button on the "ended" DM: the new watch's notices are new notices, though
    the last watch's row went with the failure."""
    instance_id = await env.create("again")
    await env.run_for(40)
    for round_ in range(2):
        env.scnet.sim.set_status(instance_id, "Failed")
        await env.run_for(POLICY.running_interval + POLICY.cadence)
        assert len(env.dms()) == 2 + 2 * round_  # its link, then its end
        await env.instances.restart(env.owner, InstanceRef("id", instance_id))
        await env.run_for(60)
        assert len(env.dms()) == 3 + 2 * round_
        assert env.access_hex(instance_id) in json.dumps(env.dms()[-1].blocks)


async def test_a_restart_sends_the_link_again_though_the_store_still_said_running(
    env: WatchEnv,
) -> None:
    instance_id = await env.create("stale")
    await env.run_for(40)
    ref = InstanceRef("id", instance_id)
    await env.instances.unwatch(env.owner, ref)
    env.scnet.sim.set_status(instance_id, "Failed")  # nobody watched it end
    await env.instances.restart(env.owner, ref)
    await env.run_for(60)
    [_, again] = env.dms()
    assert env.access_hex(instance_id) in json.dumps(again.blocks)


async def test_an_owner_is_read_every_cadence_until_it_runs_then_slowly(env: WatchEnv) -> None:
    created_at = env.scnet.clock()
    instance_id = await env.create("slow")
    env.scnet.sim.set_instance_delays(instance_id, waiting=400, deploying=10)

    await env.run_for(400, step=1)
    reads = [r.at for r in env.scnet.sim.requests.matching("GET", LIST)]
    gaps = [later - earlier for earlier, later in itertools.pairwise(reads)]
    assert reads[0] - created_at <= 5  # the first read comes soon after create
    assert all(gap <= POLICY.cadence + 1 for gap in gaps)  # one read per cadence tick...
    assert len(reads) <= 400 / POLICY.cadence + 1  # ...and not more
    assert env.scnet.sim.requests.count("GET", DETAIL) == 0  # the list answered every time

    await env.run_for(30, step=1)  # Deploying, then Running: the link within a cadence
    assert len(env.dms()) == 1
    env.scnet.sim.requests.clear()
    await env.run_for(POLICY.running_interval, step=30)
    assert env.scnet.sim.requests.count("GET", LIST) <= 2  # all run: read slowly
    async with env.db.transaction() as session:
        watch = await watches.get_watch(session, instance_id)
    assert watch is not None  # still watched, to see it end


async def test_no_table_holds_the_access_url(env: WatchEnv) -> None:
    instance_id = await env.create("train")
    await env.run_for(40)
    assert len(env.dms()) == 1
    secret = env.access_hex(instance_id)
    async with env.db.transaction() as session:
        for table in Base.metadata.sorted_tables:
            rows = (await session.execute(select(table))).all()
            assert secret not in repr(rows), table.name
    assert secret in everything_sent(env)  # ... while the DM did carry it


async def test_one_list_read_answers_all_of_an_owners_instances(env: WatchEnv) -> None:
    for n in range(5):
        await env.create(f"batch-{n}")
    env.scnet.sim.requests.clear()
    await env.run_for(40)
    assert len(env.dms()) == 5
    assert env.scnet.sim.requests.count("GET", DETAIL) == 0
    assert env.scnet.sim.requests.count("GET", LIST) <= 40 / POLICY.cadence + 1


async def test_an_instance_older_than_the_lists_page_is_read_by_its_detail(
    env: WatchEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(watch_reads, "LIST_LIMIT", 1)  # a page of one: the newest only
    older = await env.create("old-one")
    newer = await env.create("new-one")
    await env.run_for(40)
    links = json.dumps([dm.blocks for dm in env.dms()])
    assert env.access_hex(older) in links
    assert env.access_hex(newer) in links
    details = env.scnet.sim.requests.matching("GET", DETAIL)
    assert details
    assert {r.path.rsplit("/", 2)[-2] for r in details} == {older}


async def test_an_owners_list_keeps_the_usage_ledger_current(
    env: WatchEnv, client: ScnetClient
) -> None:
    quota = QuotaService(db=env.db, client=client, accounts=env.accounts, now=env.now)
    env.watcher = env.other_watcher(client, policy=POLICY, ledger=quota.merge_listing)
    await env.create("watched")
    elsewhere = await client.create_instance(
        env.scnet.caller("alice"), console_spec("from-the-console")
    )
    await env.run_for(POLICY.cadence)
    async with env.db.transaction() as session:
        ledger = {t.instance_id for t in await instances.list_for_owner(session, env.owner)}
    assert elsewhere in ledger  # seen by the watcher's read, not by the 5-minute usage sync


async def test_the_link_comes_even_when_the_usage_sync_saw_it_running_first(
    env: WatchEnv, client: ScnetClient
) -> None:
    quota = QuotaService(db=env.db, client=client, accounts=env.accounts, now=env.now)
    instance_id = await env.create("seen-by-sync")
    env.scnet.sim.set_instance_delays(instance_id, waiting=3600)
    await env.run_for(2 * POLICY.cadence)
    env.scnet.sim.set_status(instance_id, "Running")
    await quota.sync_usage()  # records "Running" before the watcher reads the owner again
    async with env.db.transaction() as session:
        tracked = await instances.get(session, instance_id)
    assert tracked is not None
    assert tracked.status == "Running"
    await env.run_for(POLICY.cadence)
    [dm] = env.dms()
    assert env.access_hex(instance_id) in json.dumps(dm.blocks)


async def test_the_usage_sync_leaves_owners_the_watcher_keeps_in_the_ledger(
    env: WatchEnv, client: ScnetClient
) -> None:
    quota = QuotaService(db=env.db, client=client, accounts=env.accounts, now=env.now)
    env.watcher = env.other_watcher(client, policy=POLICY, ledger=quota.merge_listing)
    await env.create("watched")
    elsewhere = await client.create_instance(
        env.scnet.caller("alice"), console_spec("from-the-console")
    )
    env.scnet.sim.set_instance_delays(elsewhere, waiting=3600)
    await env.run_for(POLICY.cadence)
    env.scnet.sim.set_status(elsewhere, "Running")  # nobody watches it
    await env.run_for(POLICY.cadence)
    async with env.db.transaction() as session:
        tracked = await instances.get(session, elsewhere)
    assert tracked is not None
    assert tracked.status == "Running"  # from the watcher's read of alice's list

    def list_reads() -> int:
        return sum(env.scnet.sim.requests.count("GET", route) for route in (LIST, f"{LIST}/list"))

    lists_before = list_reads()
    lately = timedelta(seconds=300)
    report = await quota.sync_usage(
        skip=lambda user: env.watcher.listed_lately(user, within=lately)
    )
    assert (report.skipped, report.accounts) == (1, 0)
    assert list_reads() == lists_before
    env.scnet.clock.advance(301)  # nobody read alice for longer than a sync interval
    report = await quota.sync_usage(
        skip=lambda user: env.watcher.listed_lately(user, within=lately)
    )
    assert (report.skipped, report.accounts) == (0, 1)


async def test_sweeps_at_once_never_read_one_owner_twice(env: WatchEnv) -> None:
    """The scheduler lets a sweep start while the one before still waits for SCNet: the new
    one leaves the owner being read alone."""
    await env.create("slow-list")
    env.scnet.clock.advance(POLICY.cadence)  # the owner is due
    held = env.scnet.sim.faults.hold("GET", LIST)
    first = asyncio.create_task(env.watcher.sweep())
    await env.scnet.sim.requests.wait_for("GET", LIST)
    assert await env.watcher.sweep() == 0  # the owner is being read: nothing to do
    held.release()
    assert await first == 1
    assert env.scnet.sim.requests.count("GET", LIST) == 1
