"""Owners of a team with queued creates are read every cadence: their instances' ends free
the capacity the queue waits for (issue 16's "capacity freed -> next create" within seconds)."""

from __future__ import annotations

from bot.domain.identity import SlackUser
from bot.domain.instances import Resources
from bot.store import create_queue
from tests.watch.conftest import IMAGE, POLICY, WatchEnv

LIST = "/ai/openapi/v2/instance-service/task"


async def _queue_a_create(env: WatchEnv, requester: SlackUser) -> int:
    async with env.db.transaction() as session:
        queued = await create_queue.add(
            session,
            requester,
            command_text=f"create {IMAGE} name=later",
            name="later",
            image=IMAGE,
            resources=Resources(cpus=1, gpus=1, ram_mb=1024),
            origin=None,
            locale=None,
            now=env.now(),
        )
    return queued.id


async def _list_reads_over_a_running_interval(env: WatchEnv) -> int:
    env.scnet.sim.requests.clear()
    await env.run_for(POLICY.running_interval, step=POLICY.cadence)
    return env.scnet.sim.requests.count("GET", LIST)


async def test_a_running_owner_is_read_every_cadence_while_their_team_has_a_queue(
    env: WatchEnv,
) -> None:
    await env.create("running")
    await env.run_for(40)
    assert len(env.dms()) == 1  # Running, link sent: from now on read slowly
    assert await _list_reads_over_a_running_interval(env) <= 2

    # A teammate's create waits for capacity: this owner's instance ending would free it.
    teammate = SlackUser(env.owner.team_id, "U0TEAMMATE")
    request_id = await _queue_a_create(env, teammate)
    reads = await _list_reads_over_a_running_interval(env)
    assert reads >= 0.9 * POLICY.running_interval / POLICY.cadence

    async with env.db.transaction() as session:
        assert await create_queue.cancel(session, request_id, now=env.now())
    await env.run_for(2 * POLICY.cadence, step=POLICY.cadence)  # the next look at the queue
    assert await _list_reads_over_a_running_interval(env) <= 2


async def test_another_teams_queue_does_not_hurry_this_owner(env: WatchEnv) -> None:
    await env.create("running")
    await env.run_for(40)
    await _queue_a_create(env, SlackUser("T0OTHER", "U0OTHER"))
    await env.run_for(2 * POLICY.cadence, step=POLICY.cadence)
    assert await _list_reads_over_a_running_interval(env) <= 2
