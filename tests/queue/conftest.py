"""The create queue wired to real things: the runtime as ``scnet-bot run`` builds it (on a
SQLite file and on PostgreSQL), the simulator and the fake Slack on loopback, and the
simulator's manual clock as the bot's clock. ``tick`` runs one round of the scheduler's work
by hand (watch sweep, queue drain, outbox delivery): no scheduler, no sleeps."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import aiohttp
import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.config import load_settings
from bot.domain.commands import Create
from bot.domain.create_queue import QueuedCreate
from bot.domain.identity import SlackUser
from bot.domain.quota import QuotaLimits
from bot.domain.secret import Secret
from bot.scnet.simulator.wire import AI
from bot.services.create_queue import Enqueued
from bot.services.notify import DeliveryPolicy, NotifyService
from bot.services.watch import WatchService
from bot.slack.sender import SlackSender
from bot.store import audit
from bot.store import create_queue as queue_rows
from bot.store.audit import AuditEntry
from bot.store.keys import generate_key
from bot.wiring import Runtime, open_runtime, poll_policy
from tests.fake_slack import FakeSlack, Message
from tests.scnet_fixtures import SimulatedScnet

ALICE, BOB = "U0ALICE001", "U0BOB00001"
IMAGE = "jupyter:4.4-py3.7-cpu"  # a cpu image: 0 GPUs unless asked
DELIVERY = DeliveryPolicy(
    lease=timedelta(seconds=60), backoff_base=5, max_attempts=5, post_interval=0.0
)


@dataclass
class QueueEnv:
    scnet: SimulatedScnet
    runtime: Runtime
    watcher: WatchService
    notifier: NotifyService
    slack: FakeSlack
    team: str
    alice: SlackUser
    bob: SlackUser

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.scnet.clock(), tz=UTC)

    async def tick(self) -> int:
        """One round of the leader's work: read owners due, drain the queue, deliver."""
        await self.watcher.sweep()
        created = await self.runtime.queue.drain()
        await self.notifier.deliver_due()
        return created

    async def run_for(self, seconds: float, *, step: float = 1.0) -> None:
        passed = 0.0
        while passed < seconds:
            self.scnet.clock.advance(step)
            passed += step
            await self.tick()

    async def limit(
        self,
        *,
        instances: int | None = None,
        gpus: int | None = None,
        user: SlackUser | None = None,
    ) -> None:
        await self.runtime.quota.set_limits(
            self.team,
            QuotaLimits(instances=instances, gpus=gpus),
            member_user_id=user.user_id if user else None,
        )

    async def create(self, user: SlackUser, name: str, **options: object) -> str:
        command = Create(image=IMAGE, name=name, **options)  # type: ignore[arg-type]
        created = await self.runtime.instances.create(user, command, origin=None)
        return created.instance_id

    async def enqueue(self, user: SlackUser, name: str, **options: object) -> Enqueued:
        command = Create(image=IMAGE, name=name, **options)  # type: ignore[arg-type]
        return await self.runtime.queue.enqueue(user, command, origin=None, locale="en")

    async def request(self, request_id: int) -> QueuedCreate:
        async with self.runtime.db.transaction() as session:
            found = await queue_rows.get(session, request_id)
        assert found is not None
        return found

    def creates(self) -> list[str]:
        """The instance name of every create SCNet was sent, in order: one per create, also
        for instances deleted since."""
        return [
            str(r.body.get("instanceServiceName")) if isinstance(r.body, dict) else "?"
            for r in self.scnet.sim.requests.matching("POST", f"{AI}/task")
        ]

    def dms(self, user: SlackUser) -> list[Message]:
        return self.slack.messages_to(user.user_id)

    async def audit(self, user: SlackUser) -> list[AuditEntry]:
        async with self.runtime.db.transaction() as session:
            return await audit.latest(session, user.team_id, limit=200)


async def open_env(
    scnet: SimulatedScnet,
    database_url: str,
    stack: AsyncExitStack,
    *,
    process: str = "p1",
    slack: FakeSlack | None = None,
    key: str | None = None,
    **overrides: object,
) -> QueueEnv:
    """One bot process over ``database_url``; a second call with the same database, Slack
    and key is a restarted (or another) process."""
    if slack is None:
        slack = await stack.enter_async_context(FakeSlack())
    settings = load_settings(
        **{
            "scnet_api_url": scnet.base_url,
            "database_url": database_url,
            "encryption_keys": key or generate_key(),
            "slack_api_url": slack.api_url,
            "slack_bot_token": slack.bot_token,
            "slack_signing_secret": slack.signing_secret,
            "scnet_read_attempts": 2,
            "_env_file": None,
            **overrides,
        }
    )

    def now() -> datetime:
        return datetime.fromtimestamp(scnet.clock(), tz=UTC)

    runtime = await open_runtime(settings, stack, now=now)
    runtime.queue.set_owner(process)
    watcher = WatchService(
        db=runtime.db,
        client=runtime.client,
        accounts=runtime.accounts,
        now=now,
        owner=process,
        policy=poll_policy(settings),
        rng=random.Random(7),
        ledger=runtime.quota.merge_listing,
    )
    http = await stack.enter_async_context(aiohttp.ClientSession())
    slack_client = AsyncWebClient(
        token=slack.bot_token, base_url=slack.api_url, session=http, retry_handlers=[]
    )
    notifier = NotifyService(
        db=runtime.db,
        accounts=runtime.accounts,
        client=runtime.client,
        sender=SlackSender(slack_client),
        now=now,
        policy=DELIVERY,
    )
    team = slack.team.id
    for name, user_id in (("alice", ALICE), ("bob", BOB)):
        if user_id not in slack.workspace.users:
            slack.add_user(name, id=user_id)
    return QueueEnv(
        scnet=scnet,
        runtime=runtime,
        watcher=watcher,
        notifier=notifier,
        slack=slack,
        team=team,
        alice=SlackUser(team, ALICE),
        bob=SlackUser(team, BOB),
    )


async def log_in(env: QueueEnv, user: SlackUser, scnet_user: str) -> None:
    token = Secret(env.scnet.sim.issue_token(scnet_user))
    await env.runtime.accounts.login_with_token(user, token)


@pytest.fixture
async def env(scnet: SimulatedScnet, database_url: str) -> AsyncIterator[QueueEnv]:
    async with AsyncExitStack() as stack:
        opened = await open_env(scnet, database_url, stack)
        await log_in(opened, opened.alice, "alice")
        await log_in(opened, opened.bob, "bob")
        yield opened
