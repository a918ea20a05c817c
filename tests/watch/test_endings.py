"""Every other way a watch ends or speaks up: failed, stopped, completed (with the auto-stop
reminder before), queued for long, deleted elsewhere, and a login that cannot be renewed."""

from __future__ import annotations

import json
from datetime import timedelta

from bot.domain.secret import Secret
from bot.scnet.client import ScnetClient
from bot.services.watch_policy import PollPolicy
from bot.slack.blocks import ids
from bot.store import watches
from tests.watch.conftest import THREAD, WatchEnv

RENEW = "/ac/openapi/v2/tokens/next"


async def is_watched(env: WatchEnv, instance_id: str) -> bool:
    async with env.db.transaction() as session:
        return await watches.get_watch(session, instance_id) is not None


def action_ids(message: object) -> list[str]:
    blocks = json.dumps(getattr(message, "blocks", None))
    return [action for action in (ids.RESTART, ids.SHOW_CARD, ids.OPEN_LOGIN) if action in blocks]


async def test_a_failed_start_tells_owner_and_channel_with_a_restart_button(env: WatchEnv) -> None:
    env.scnet.sim.add_rule("doomed*", fail=True)
    instance_id = await env.create("doomed-1")
    await env.run_for(40)

    [dm] = env.dms()
    [post] = env.channel_posts()
    for message in (dm, post):
        assert "Failed" in message.all_text()  # what SCNet says
        assert ids.RESTART in action_ids(message)
        assert env.access_hex(instance_id) not in json.dumps(message.blocks)
    assert post.thread_ts == THREAD
    assert not await is_watched(env, instance_id)

    await env.run_for(60, step=10)
    assert env.slack.count("chat.postMessage", ok=True) == 2


async def test_a_stop_while_queued_is_reported_once(env: WatchEnv) -> None:
    instance_id = await env.create("stopped")
    await env.run_for(6)
    env.scnet.sim.set_status(instance_id, "Terminated")
    await env.run_for(30)
    [dm] = env.dms()
    assert "Stopped" in dm.all_text()
    assert len(env.channel_posts()) == 1
    assert not await is_watched(env, instance_id)


async def test_auto_stop_is_reminded_before_and_reported_after(env: WatchEnv) -> None:
    instance_id = await env.create("timed", time_limit=timedelta(minutes=20))
    await env.run_for(40)
    assert len(env.dms()) == 1  # ready

    await env.run_for(4 * 60, step=10)  # 15 minutes left only after 5 minutes of running
    assert len(env.dms()) == 1
    await env.run_for(2 * 60, step=10)
    reminder = env.dms()[-1]
    assert "time limit" in reminder.all_text()
    assert "15 min" in reminder.all_text() or "14 min" in reminder.all_text()

    await env.run_for(16 * 60, step=10)  # the limit passes: SCNet completes it
    ended = env.dms()[-1]
    assert "Completed" in ended.all_text()
    assert ids.RESTART in action_ids(ended)
    assert len(env.dms()) == 3
    assert not await is_watched(env, instance_id)


async def test_a_long_queue_gets_one_still_queued_notice_not_a_failure(env: WatchEnv) -> None:
    env.scnet.sim.set_capacity(0)
    instance_id = await env.create("queued")
    await env.run_for(9 * 60, step=10)
    assert env.dms() == []

    await env.run_for(3 * 60, step=10)
    [queued] = env.dms()
    assert "still waiting" in queued.all_text()
    assert env.channel_posts() == []  # the channel only hears outcomes

    await env.run_for(20 * 60, step=30)
    assert len(env.dms()) == 1  # once
    assert await is_watched(env, instance_id)

    env.scnet.sim.set_capacity(None)
    await env.run_for(90, step=2)
    assert len(env.dms()) == 2
    assert env.access_hex(instance_id) in json.dumps(env.dms()[-1].blocks)


async def test_an_instance_deleted_elsewhere_is_dropped_quietly(env: WatchEnv) -> None:
    instance_id = await env.create("gone")
    sibling = await env.create("stays")  # two polls a sweep: read from alice's list
    env.scnet.sim.set_instance_delays(sibling, waiting=3600)
    await env.run_for(6)
    env.scnet.sim.store.delete("alice", [instance_id])
    await env.run_for(60, step=5)
    assert not await is_watched(env, instance_id)  # not in the list, so its detail: unknown
    assert await is_watched(env, sibling)
    assert env.slack.count("chat.postMessage") == 0


async def test_an_unrenewable_token_pauses_watches_and_asks_for_a_new_login(
    env: WatchEnv,
) -> None:
    instance_id = await env.create("paused")
    await env.run_for(6)
    # The token now runs out within the renewal margin, and SCNet refuses to renew it.
    short = env.scnet.sim.issue_token("alice", ttl_seconds=10 * 60)
    await env.accounts.login_with_token(env.owner, Secret(short))
    env.scnet.sim.faults.fail_next("POST", RENEW, code="10008")

    report = await env.renewals.run()
    await env.notifier.deliver_due()
    assert report.need_login == 1
    [login] = env.dms()
    assert "log in again" in login.all_text().lower()
    assert ids.OPEN_LOGIN in action_ids(login)
    async with env.db.transaction() as session:
        watch = await watches.get_watch(session, instance_id)
    assert watch is not None
    assert watch.paused

    await env.run_for(60, step=5)
    assert len(env.dms()) == 1  # no poll while paused, and no second login DM
    await env.renewals.run()
    assert len(env.dms()) == 1

    fresh = env.scnet.sim.issue_token("alice", ttl_seconds=30 * 86400)
    await env.accounts.login_with_token(env.owner, Secret(fresh))
    assert (await env.renewals.run()).resumed == 1
    await env.run_for(10)
    assert env.access_hex(instance_id) in json.dumps(env.dms()[-1].blocks)


async def test_a_poll_that_finds_the_login_gone_pauses_too(env: WatchEnv) -> None:
    instance_id = await env.create("logged-out")
    await env.accounts.logout(env.owner)
    await env.run_for(20)
    [login] = env.dms()
    assert "log in again" in login.all_text().lower()
    async with env.db.transaction() as session:
        watch = await watches.get_watch(session, instance_id)
    assert watch is not None
    assert watch.paused


async def test_a_token_scnet_rejects_mid_watch_is_renewed_and_the_poll_goes_on(
    env: WatchEnv,
) -> None:
    instance_id = await env.create("renewed")
    await env.run_for(6)
    # SCNet now refuses the stored token: the poll renews it once and goes on.
    env.scnet.sim.faults.fail_next("GET", "*/task*", code="10008", times=2)
    await env.run_for(40)
    assert env.scnet.sim.requests.count("POST", RENEW) == 1
    [dm] = env.dms()
    assert env.access_hex(instance_id) in json.dumps(dm.blocks)


async def test_at_the_default_settings_a_running_instance_that_fails_is_reported_in_a_minute(
    env: WatchEnv, client: ScnetClient
) -> None:
    # WATCH_CADENCE 3 s, WATCH_RUNNING_INTERVAL 45 s
    env.watcher = env.other_watcher(client, policy=PollPolicy())
    instance_id = await env.create("long-job", time_limit=timedelta(hours=8))
    await env.run_for(30)
    assert len(env.dms()) == 1  # ready, with its link
    await env.run_for(600, step=15)  # running: read now and then, nothing to say
    assert len(env.dms()) == 1

    env.scnet.sim.set_status(instance_id, "Failed")
    await env.run_for(60)
    ended = env.dms()[-1]
    assert "Failed" in ended.all_text()
    assert not await is_watched(env, instance_id)
