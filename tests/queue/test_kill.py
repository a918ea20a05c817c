"""kill -9 in the middle of a queued create, and the leader killed among two replicas: real
processes (``replica.py``) against one database, the simulator and the fake Slack. The create
reaches SCNet and its answer never comes back (the simulator creates it, then hangs), the
process dies before writing it down; the next drain must find the instance by name, not
create it a second time, and the queue goes on in order."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bot.config import load_settings
from bot.domain.commands import Create, InstanceRef
from bot.domain.create_queue import QueuedCreate
from bot.domain.identity import SlackUser
from bot.domain.quota import QuotaLimits
from bot.domain.secret import Secret
from bot.scnet.simulator import Delays, ScnetSimulator
from bot.scnet.simulator.wire import AI
from bot.store import create_queue as queue_rows
from bot.store.keys import generate_key
from bot.wiring import Runtime, open_runtime
from tests.fake_slack import FakeSlack
from tests.replica_process import Replica

REPLICA = Path(__file__).with_name("replica.py")
WAIT = 45.0  # generous: real processes on a busy 2-core machine
NEVER = Delays(waiting=86_400, deploying=86_400)  # instances hold their place until deleted
IMAGE = "jupyter:4.4-py3.7-cpu"


@dataclass
class Cluster:
    sim: ScnetSimulator
    slack: FakeSlack
    runtime: Runtime  # the test's own: set-up and inspection; it runs no jobs
    config: dict[str, object]
    alice: SlackUser
    bob: SlackUser
    replicas: list[Replica] = field(default_factory=list)

    async def replica(self) -> Replica:
        started = await Replica.start(REPLICA, self.config, wait=WAIT)
        self.replicas.append(started)
        return started

    def creates(self, name: str | None = None) -> list[str]:
        """The instance name of every create SCNet was sent, in order."""
        names = [
            str(r.body.get("instanceServiceName")) if isinstance(r.body, dict) else "?"
            for r in self.sim.requests.matching("POST", f"{AI}/task")
        ]
        return [n for n in names if name is None or n == name]

    async def request(self, request_id: int) -> QueuedCreate:
        async with self.runtime.db.transaction() as session:
            found = await queue_rows.get(session, request_id)
        assert found is not None
        return found

    async def until(
        self,
        check: Callable[[], Awaitable[bool]],
        timeout: float = WAIT,  # noqa: ASYNC109
    ) -> None:
        async with asyncio.timeout(timeout):
            while True:
                if await check():
                    return
                await asyncio.sleep(0.1)

    async def until_state(self, request_id: int, state: str) -> QueuedCreate:
        async def reached() -> bool:
            return (await self.request(request_id)).state == state

        try:
            await self.until(reached)
        except TimeoutError:
            found = await self.request(request_id)
            lines = [line for r in self.replicas for line in r.lines[-15:]]
            raise AssertionError(f"request {found} never {state}: {lines}") from None
        return await self.request(request_id)

    def sim_instance_id(self, name: str) -> str:
        return next(i.id for i in self.sim.instances.values() if i.spec.name == name)

    async def enqueue(self, user: SlackUser, name: str) -> int:
        command = Create(image=IMAGE, name=name)
        queued = await self.runtime.queue.enqueue(user, command, origin=None, locale="en")
        return queued.request.id

    async def delete(self, user: SlackUser, name: str) -> None:
        await self.runtime.instances.delete(user, InstanceRef("name", name))


@contextlib.asynccontextmanager
async def cluster(database_url: str) -> AsyncIterator[Cluster]:
    sim = ScnetSimulator(delays=NEVER)
    sim.add_user("alice")
    sim.add_user("bob")
    base = await sim.start()
    slack = FakeSlack()
    await slack.start()
    key = generate_key()
    config: dict[str, object] = {
        "database_url": database_url,
        "scnet_url": base,
        "slack_url": slack.api_url,
        "slack_token": slack.bot_token,
        "encryption_key": key,
    }
    settings = load_settings(
        database_url=database_url, scnet_api_url=base, encryption_keys=key, _env_file=None
    )
    group: Cluster | None = None
    try:
        async with contextlib.AsyncExitStack() as stack:
            runtime = await open_runtime(settings, stack)
            alice = SlackUser(slack.team.id, slack.add_user("alice").id)
            bob = SlackUser(slack.team.id, slack.add_user("bob").id)
            for user, name in ((alice, "alice"), (bob, "bob")):
                await runtime.accounts.login_with_token(user, Secret(sim.issue_token(name)))
            await runtime.quota.set_limits(
                slack.team.id, QuotaLimits(instances=1), member_user_id=None
            )
            await runtime.instances.create(alice, Create(image=IMAGE, name="held"), origin=None)
            group = Cluster(sim, slack, runtime, config, alice, bob)
            yield group
    finally:
        if group is not None:
            for replica in group.replicas:
                await replica.kill()
        await slack.stop()
        await sim.stop()


async def _killed_mid_create(group: Cluster, replica: Replica, name: str) -> None:
    """Let the queue's head go (capacity freed), and SIGKILL ``replica`` once SCNet has created
    the instance but before its answer (which hangs) can be written down."""
    group.sim.faults.hang("POST", f"{AI}/task", seconds=120, after_handler=True)
    await group.delete(group.alice, "held")

    async def created_on_scnet() -> bool:
        return any(i.spec.name == name for i in group.sim.instances.values())

    await group.until(created_on_scnet)
    await replica.kill()


async def test_a_drain_killed_mid_create_is_finished_by_the_next_without_a_second_create(
    database_url: str,
) -> None:
    async with cluster(database_url) as group:
        first = await group.enqueue(group.bob, "q1")
        second = await group.enqueue(group.alice, "q2")
        doomed = await group.replica()
        await doomed.wait_for_line("now the leader")
        await _killed_mid_create(group, doomed, "q1")
        claimed = await group.request(first)
        assert claimed.state == "claimed"  # claimed before SCNet was called, never finished
        assert claimed.attempts == 1

        await group.replica()  # the restart
        found = await group.until_state(first, "created")
        assert found.outcome == "reconciled"
        assert found.instance_id == group.sim_instance_id("q1")
        assert group.creates("q1") == ["q1"]  # one create for the request, not two
        assert (await group.request(second)).state == "queued"  # q1 holds the one place

        await group.delete(group.bob, "q1")
        await group.until_state(second, "created")
        assert group.creates() == ["held", "q1", "q2"]


# Several replicas need PostgreSQL; with SQLite the bot runs as one process.
@pytest.mark.postgres
@pytest.mark.parametrize("database_backend", ["postgres"], indirect=True)
async def test_when_the_leader_dies_mid_create_the_other_replica_drains_on_in_order(
    database_url: str,
) -> None:
    async with cluster(database_url) as group:
        ids = [
            await group.enqueue(user, name)
            for user, name in ((group.bob, "q1"), (group.alice, "q2"), (group.bob, "q3"))
        ]
        leader = await group.replica()
        await leader.wait_for_line("now the leader")
        follower = await group.replica()
        await follower.wait_for_line("another replica is the leader")

        await _killed_mid_create(group, leader, "q1")
        await follower.wait_for_line("now the leader")
        first = await group.until_state(ids[0], "created")
        assert first.outcome == "reconciled"
        for done, (user, name) in zip(
            ids[1:], ((group.bob, "q1"), (group.alice, "q2")), strict=True
        ):
            await group.delete(user, name)
            await group.until_state(done, "created")
        assert group.creates() == ["held", "q1", "q2", "q3"]  # in order, each once
        dms = group.slack.messages_to(group.bob.user_id)
        assert sum("q1" in m.text for m in dms) == 1  # q1's "being created" DM, once
