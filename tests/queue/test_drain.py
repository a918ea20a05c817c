"""The drain: queued creates go first come first served as the team's instances end, with
the requester's own login, a DM, the audit log; never two creates for one request."""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack
from datetime import timedelta

import pytest

from bot.domain.commands import InstanceRef
from bot.domain.quota import QuotaLimits
from bot.scnet.simulator.wire import AI
from bot.services.errors import QueueAlreadyLeft, QueueNeverFits, QueueNotYours
from tests.fake_slack import FakeSlack
from tests.queue.conftest import QueueEnv, log_in, open_env
from tests.scnet_fixtures import SimulatedScnet

RUNNING_READ = 50  # seconds: past WATCH_RUNNING_INTERVAL (45), so every owner has been read


async def _fill(env: QueueEnv, count: int) -> list[str]:
    """Alice holds ``count`` instances, which fill a team limit of ``count`` instances."""
    await env.limit(instances=count)
    return [await env.create(env.alice, f"held-{n}") for n in range(count)]


async def test_queued_creates_go_in_order_as_the_teams_instances_end(env: QueueEnv) -> None:
    held = await _fill(env, 2)
    first = await env.enqueue(env.alice, "q1")
    second = await env.enqueue(env.bob, "q2")
    third = await env.enqueue(env.alice, "q3")
    assert (first.position, second.position, third.position) == (1, 2, 3)
    assert third.length == 3

    await env.run_for(RUNNING_READ)
    assert env.creates() == ["held-0", "held-1"]  # nothing fits yet

    env.scnet.sim.set_status(held[0], "Failed")
    await env.run_for(RUNNING_READ)
    assert env.creates() == ["held-0", "held-1", "q1"]
    assert (await env.request(first.request.id)).state == "created"
    assert (await env.request(second.request.id)).state == "queued"

    env.scnet.sim.set_status(held[1], "Completed")
    await env.run_for(RUNNING_READ)
    assert env.creates() == ["held-0", "held-1", "q1", "q2"]
    # Bob's was created with Bob's own login: it is his on SCNet.
    q2 = next(i for i in env.scnet.sim.instances.values() if i.spec.name == "q2")
    assert q2.owner == "bob"
    assert any("q2" in m.text for m in env.dms(env.bob))
    assert (await env.request(third.request.id)).state == "queued"
    actions = [(e.action, e.outcome) for e in await env.audit(env.alice)]
    assert ("queue", "ok") in actions
    assert ("dequeue", "claimed") in actions
    assert ("queue_create", "ok") in actions


async def test_a_stop_through_the_bot_frees_capacity_at_once(env: QueueEnv) -> None:
    await _fill(env, 1)
    queued = await env.enqueue(env.bob, "next")
    await env.runtime.instances.stop(env.alice, InstanceRef("name", "held-0"))
    # No clock moved and no owner was read: the stop itself lets the next create go.
    assert await env.runtime.queue.drain() == 1
    assert (await env.request(queued.request.id)).state == "created"


async def test_a_request_held_up_by_its_members_own_limit_does_not_hold_up_others(
    env: QueueEnv,
) -> None:
    await env.limit(instances=3)
    await env.limit(instances=1, user=env.bob)
    await env.create(env.bob, "bobs")
    bobs = await env.enqueue(env.bob, "bob-more")
    alices = await env.enqueue(env.alice, "alice-next")

    await env.tick()
    assert (await env.request(alices.request.id)).state == "created"
    assert (await env.request(bobs.request.id)).state == "queued"


async def test_a_request_waiting_for_team_capacity_holds_up_everyone_behind_it(
    env: QueueEnv,
) -> None:
    await env.runtime.quota.set_limits(env.team, QuotaLimits(cpus=8), member_user_id=None)
    held = await env.create(env.alice, "half", cpus=4)
    big = await env.enqueue(env.bob, "big", cpus=8)
    small = await env.enqueue(env.alice, "small", cpus=4)

    await env.tick()
    assert (await env.request(small.request.id)).state == "queued"  # it would fit, but waits

    env.scnet.sim.set_status(held, "Failed")
    await env.run_for(RUNNING_READ)
    assert (await env.request(big.request.id)).state == "created"
    assert (await env.request(small.request.id)).state == "queued"


async def test_a_create_larger_than_the_limit_itself_is_not_queued(env: QueueEnv) -> None:
    await env.runtime.quota.set_limits(env.team, QuotaLimits(cpus=8), member_user_id=None)
    with pytest.raises(QueueNeverFits):
        await env.enqueue(env.alice, "huge", cpus=16)
    assert (await env.runtime.queue.team_queue(env.team)).requests == ()


async def test_only_the_requester_cancels_and_only_once(env: QueueEnv) -> None:
    held = await _fill(env, 1)
    queued = await env.enqueue(env.alice, "later")
    with pytest.raises(QueueNotYours):
        await env.runtime.queue.cancel(env.bob, queued.request.id)
    await env.runtime.queue.cancel(env.alice, queued.request.id)
    with pytest.raises(QueueAlreadyLeft):
        await env.runtime.queue.cancel(env.alice, queued.request.id)

    env.scnet.sim.set_status(held[0], "Failed")
    await env.run_for(RUNNING_READ)
    assert env.creates() == ["held-0"]
    assert (await env.request(queued.request.id)).state == "cancelled"
    assert ("queue_cancel", "ok") in [(e.action, e.outcome) for e in await env.audit(env.alice)]


async def test_a_request_older_than_the_ttl_is_dropped_with_a_dm(env: QueueEnv) -> None:
    await _fill(env, 1)
    queued = await env.enqueue(env.bob, "patient")
    env.scnet.clock.advance(timedelta(hours=71).total_seconds())
    await env.tick()
    assert (await env.request(queued.request.id)).state == "queued"

    env.scnet.clock.advance(timedelta(hours=1, seconds=1).total_seconds())
    await env.tick()
    assert (await env.request(queued.request.id)).state == "expired"
    dm = env.dms(env.bob)[-1]
    assert "patient" in dm.text
    assert "72" in dm.text
    assert ("queue_drop", "expired") in [(e.action, e.outcome) for e in await env.audit(env.bob)]


async def test_a_requester_logged_out_at_drain_time_fails_with_a_dm(env: QueueEnv) -> None:
    await _fill(env, 1)
    queued = await env.enqueue(env.bob, "orphan")
    await env.runtime.accounts.logout(env.bob)
    await env.runtime.instances.delete(env.alice, InstanceRef("name", "held-0"))

    await env.tick()
    failed = await env.request(queued.request.id)
    assert failed.state == "failed"
    assert "orphan" not in env.creates()
    assert "login" in env.dms(env.bob)[-1].text
    assert ("queue_fail", "login") in [(e.action, e.outcome) for e in await env.audit(env.bob)]


async def test_an_image_gone_at_drain_time_fails_with_a_dm(env: QueueEnv) -> None:
    await _fill(env, 1)
    queued = await env.enqueue(env.bob, "imageless")
    sim = env.scnet.sim
    sim.images[:] = [i for i in sim.images if i.version != "jupyter:4.4-py3.7-cpu"]
    await env.runtime.instances.delete(env.alice, InstanceRef("name", "held-0"))

    await env.tick()
    assert (await env.request(queued.request.id)).state == "failed"
    assert "jupyter:4.4-py3.7-cpu" in env.dms(env.bob)[-1].text


async def test_a_create_whose_outcome_is_unknown_is_found_by_name_not_made_twice(
    scnet: SimulatedScnet, database_url: str
) -> None:
    async with AsyncExitStack() as stack:
        env = await open_env(scnet, database_url, stack, scnet_timeout=0.5)
        await log_in(env, env.alice, "alice")
        await log_in(env, env.bob, "bob")
        await _create_once_despite_no_answer(env)


async def _create_once_despite_no_answer(env: QueueEnv) -> None:
    await _fill(env, 1)
    queued = await env.enqueue(env.bob, "maybe")
    # SCNet creates it, but its answer never arrives: the client times out.
    env.scnet.sim.faults.hang("POST", f"{AI}/task", seconds=30, after_handler=True)
    await env.runtime.instances.delete(env.alice, InstanceRef("name", "held-0"))
    await env.tick()
    held = await env.request(queued.request.id)
    assert held.state == "claimed"
    assert held.outcome == "outcome_unknown"
    assert env.creates() == ["held-0", "maybe"]

    await env.run_for(20)  # past the settle time: it is looked for, and found
    found = await env.request(queued.request.id)
    assert found.state == "created"
    assert found.outcome == "reconciled"
    assert env.creates() == ["held-0", "maybe"]  # one create, not two
    assert found.instance_id == next(
        i.id for i in env.scnet.sim.instances.values() if i.spec.name == "maybe"
    )
    assert any("maybe" in m.text for m in env.dms(env.bob))


async def test_the_queue_survives_a_restart_and_drains_in_order(
    scnet: SimulatedScnet, database_url: str
) -> None:
    async with AsyncExitStack() as outer:
        slack = await outer.enter_async_context(FakeSlack())
        first_stack = AsyncExitStack()
        first = await open_env(scnet, database_url, first_stack, process="before", slack=slack)
        key = first.runtime.settings.encryption_keys[0].get_secret_value()
        await log_in(first, first.alice, "alice")
        await log_in(first, first.bob, "bob")
        held = await _fill(first, 1)
        a = await first.enqueue(first.bob, "after-1")
        b = await first.enqueue(first.alice, "after-2")
        await first_stack.aclose()

        second = await open_env(scnet, database_url, outer, process="after", slack=slack, key=key)
        scnet.sim.set_status(held[0], "Failed")
        await second.run_for(RUNNING_READ)
        assert second.creates() == ["held-0", "after-1"]
        assert (await second.request(a.request.id)).state == "created"
        assert (await second.request(b.request.id)).state == "queued"


async def test_a_limit_raised_lets_the_next_request_go(env: QueueEnv) -> None:
    await _fill(env, 1)
    queued = await env.enqueue(env.bob, "roomier")
    await env.tick()
    assert (await env.request(queued.request.id)).state == "queued"
    await env.limit(instances=2)
    await env.tick()
    assert (await env.request(queued.request.id)).state == "created"


async def test_two_drains_at_once_create_each_request_once(
    scnet: SimulatedScnet, database_url: str
) -> None:
    async with AsyncExitStack() as stack:
        slack = await stack.enter_async_context(FakeSlack())
        first = await open_env(scnet, database_url, stack, process="one", slack=slack)
        key = first.runtime.settings.encryption_keys[0].get_secret_value()
        second = await open_env(scnet, database_url, stack, process="two", slack=slack, key=key)
        await log_in(first, first.alice, "alice")
        await log_in(first, first.bob, "bob")
        held = await _fill(first, 3)
        requests = [await first.enqueue(first.bob, f"race-{n}") for n in range(3)]
        for instance_id in held:
            await first.runtime.instances.delete(first.alice, InstanceRef("id", instance_id))
        # A leader and the one taking over, both draining the same queue at the same moment.
        await asyncio.gather(first.runtime.queue.drain(), second.runtime.queue.drain())
        names = [n for n in first.creates() if n.startswith("race-")]
        assert sorted(names) == ["race-0", "race-1", "race-2"]  # each once
        for queued in requests:
            assert (await first.request(queued.request.id)).state == "created"


async def test_scnet_down_at_drain_time_waits_and_creates_once_it_answers(env: QueueEnv) -> None:
    await _fill(env, 1)
    queued = await env.enqueue(env.bob, "patient")
    await env.runtime.instances.delete(env.alice, InstanceRef("name", "held-0"))
    env.scnet.sim.faults.http_error("*", f"{AI}/*", 503, times=None)  # SCNet answers nothing
    await env.tick()
    await env.tick()  # not retried at every tick: it waits out the settle time
    held = await env.request(queued.request.id)
    assert held.state == "claimed"
    assert held.attempts == 1
    env.scnet.sim.faults.clear()
    await env.run_for(20)
    assert (await env.request(queued.request.id)).state == "created"
    assert env.creates().count("patient") == 1
