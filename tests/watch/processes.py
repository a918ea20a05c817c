"""Bot processes for the kill -9 tests: start ``replica.py``, read its output, SIGKILL it.

The simulator and the fake Slack run in the test's own event loop (on loopback), so the
children talk to them while the test awaits their output; the simulator uses the real
clock here, as the children's clocks are real, and statuses are set by hand.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

from bot.config import load_settings
from bot.domain.commands import Create
from bot.domain.identity import SlackUser
from bot.domain.secret import Secret
from bot.scnet.simulator import Delays, ScnetSimulator
from bot.store import outbox
from bot.store.instances import SlackOrigin
from bot.store.keys import generate_key
from bot.store.outbox import Notice
from bot.wiring import Runtime, open_runtime
from tests.fake_slack import FakeSlack
from tests.replica_process import Replica

REPLICA = Path(__file__).with_name("replica.py")
WAIT = 30.0  # generous: these are real processes on a busy 2-core machine
NEVER = Delays(waiting=86_400, deploying=86_400)  # statuses move only when the test says
THREAD = "1750000000.000200"


@dataclass
class Cluster:
    """What the replicas share: the database, the simulator, the fake Slack, the key."""

    sim: ScnetSimulator
    slack: FakeSlack
    runtime: Runtime  # the test's own, for set-up and inspection; it runs no jobs
    config: dict[str, object]
    owner: SlackUser
    channel: str
    replicas: list[Replica] = field(default_factory=list)

    async def replica(self, *, hang_on: tuple[str, ...] = ()) -> Replica:
        started = await Replica.start(REPLICA, {**self.config, "hang_on": list(hang_on)}, wait=WAIT)
        self.replicas.append(started)
        return started

    async def create(self, name: str) -> str:
        created = await self.runtime.instances.create(
            self.owner, Create(image="jupyter:4.4-py3.7-cpu", name=name), origin=self.origin
        )
        return created.instance_id

    @property
    def origin(self) -> SlackOrigin:
        return SlackOrigin(self.channel, THREAD)

    async def notice(self, key: str) -> Notice | None:
        async with self.runtime.db.transaction() as session:
            return await outbox.get_notice(session, key)

    async def wait_until_sent(self, keys: list[str], timeout: float = WAIT) -> None:  # noqa: ASYNC109
        """Until every notice is marked sent (after which nothing can resend it)."""
        async with asyncio.timeout(timeout):
            while True:
                notices = [await self.notice(key) for key in keys]
                if all(n is not None and n.status == "sent" for n in notices):
                    return
                await asyncio.sleep(0.1)

    def delivered_keys(self) -> list[str]:
        """The dedupe key of every message Slack accepted, once per message."""
        keys = []
        for call in self.slack.calls("chat.postMessage", ok=True):
            metadata = call.args.get("metadata") or {}
            keys.append(str(metadata.get("event_payload", {}).get("key")))
        return keys


@contextlib.asynccontextmanager
async def cluster(database_url: str) -> AsyncIterator[Cluster]:
    sim = ScnetSimulator(delays=NEVER)
    sim.add_user("alice")
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
            alice = slack.add_user("alice")
            channel = slack.add_channel("ml-team")
            owner = SlackUser(slack.team.id, alice.id)
            await runtime.accounts.login_with_token(owner, Secret(sim.issue_token("alice")))
            group = Cluster(sim, slack, runtime, config, owner, channel.id)
            yield group
    finally:
        if group is not None:
            for replica in group.replicas:
                await replica.kill()
        await slack.stop()
        await sim.stop()
