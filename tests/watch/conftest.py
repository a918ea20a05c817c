"""The watcher wired to real things: the simulator and the fake Slack on loopback, a real
database (SQLite and PostgreSQL), the real slack_sdk client, and the simulator's manual clock
as the bot's clock. Tests move time with ``env.run_for`` and never sleep."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import aiohttp
import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.commands import Create
from bot.domain.identity import SlackUser
from bot.domain.secret import Secret
from bot.scnet.client import ScnetClient
from bot.services.accounts import AccountPolicy, AccountService
from bot.services.instances import InstanceService, WatchPolicy
from bot.services.notify import DeliveryPolicy, NotifyService
from bot.services.renewals import RenewalService
from bot.services.watch import Ledger, WatchService
from bot.services.watch_policy import PollPolicy
from bot.slack.sender import SlackSender
from bot.store import outbox
from bot.store.database import Database
from bot.store.instances import SlackOrigin
from bot.store.keys import generate_key
from bot.store.outbox import Notice
from bot.store.vault import Vault
from tests.fake_slack import FakeSlack, Message
from tests.scnet_fixtures import SimulatedScnet

IMAGE = "jupyter:4.4-py3.7-cpu"
THREAD = "1750000000.000100"
POLICY = PollPolicy(
    cadence=10,
    reads_per_second=100,
    running_interval=900,
    queued_notice_after=600,
    autostop_reminder=timedelta(minutes=15),
    concurrency=8,
)
# No pacing: the fake Slack enforces no rate limit unless a test turns it on (and then sets
# its own policy), and real sleeps between posts would only slow the tests down.
DELIVERY = DeliveryPolicy(
    lease=timedelta(seconds=60), backoff_base=5, max_attempts=5, post_interval=0.0
)


@dataclass
class WatchEnv:
    scnet: SimulatedScnet
    db: Database
    vault: Vault
    accounts: AccountService
    instances: InstanceService
    watcher: WatchService
    notifier: NotifyService
    renewals: RenewalService
    slack: FakeSlack
    owner: SlackUser
    channel: str
    kicks: list[int] = field(default_factory=list)

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.scnet.clock(), tz=UTC)

    async def tick(self) -> None:
        """One round of the scheduler's work: poll what is due, deliver what is due."""
        await self.watcher.sweep()
        await self.notifier.deliver_due()

    async def run_for(self, seconds: float, *, step: float = 1.0) -> None:
        """Let ``seconds`` of simulated time pass, ticking every ``step``."""
        passed = 0.0
        while passed < seconds:
            self.scnet.clock.advance(step)
            passed += step
            await self.tick()

    def other_watcher(
        self, client: ScnetClient, *, policy: PollPolicy, ledger: Ledger | None = None
    ) -> WatchService:
        """A watcher over the same database and SCNet with another policy (or a ledger)."""
        return WatchService(
            db=self.db,
            client=client,
            accounts=self.accounts,
            now=self.now,
            owner="other-watcher",
            policy=policy,
            ledger=ledger,
        )

    async def create(
        self,
        name: str,
        *,
        time_limit: timedelta | None = None,
        origin: SlackOrigin | None = None,
    ) -> str:
        where = origin if origin is not None else SlackOrigin(self.channel, THREAD)
        command = Create(image=IMAGE, name=name, timeout=time_limit)
        created = await self.instances.create(self.owner, command, origin=where)
        return created.instance_id

    def access_hex(self, instance_id: str) -> str:
        """The secret part of the instance's access URL (its path segment and token)."""
        return self.scnet.sim.instance(instance_id).access_hex

    def dms(self) -> list[Message]:
        return self.slack.messages_to(self.owner.user_id)

    def channel_posts(self) -> list[Message]:
        return self.slack.public_messages(self.channel)

    async def notice(self, key: str) -> Notice | None:
        async with self.db.transaction() as session:
            return await outbox.get_notice(session, key)


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as fake:
        yield fake


@pytest.fixture
async def slack_client(slack: FakeSlack) -> AsyncIterator[AsyncWebClient]:
    async with aiohttp.ClientSession() as session:
        yield AsyncWebClient(
            token=slack.bot_token, base_url=slack.api_url, session=session, retry_handlers=[]
        )


def build_env(
    *,
    scnet: SimulatedScnet,
    client: ScnetClient,
    database: Database,
    vault: Vault,
    slack: FakeSlack,
    slack_client: AsyncWebClient,
    owner: SlackUser,
    channel: str,
    process: str = "test-process",
) -> WatchEnv:
    """One bot "process" over a shared database: tests build a second one to restart."""

    def now() -> datetime:
        return datetime.fromtimestamp(scnet.clock(), tz=UTC)

    accounts = AccountService(
        db=database,
        vault=vault,
        client=client,
        policy=AccountPolicy(default_ai_url=scnet.base_url, discover_region=True),
        now=now,
    )
    instances = InstanceService(
        db=database,
        client=client,
        accounts=accounts,
        now=now,
        watch_policy=WatchPolicy(
            first_poll_after=timedelta(seconds=5), min_interval=timedelta(seconds=10)
        ),
    )
    kicks: list[int] = []
    watcher = WatchService(
        db=database,
        client=client,
        accounts=accounts,
        now=now,
        owner=process,
        policy=POLICY,
        rng=random.Random(7),
        on_notice=lambda: kicks.append(1),
    )
    notifier = NotifyService(
        db=database,
        accounts=accounts,
        client=client,
        sender=SlackSender(slack_client),
        now=now,
        policy=DELIVERY,
    )
    renewals = RenewalService(db=database, accounts=accounts, now=now)
    return WatchEnv(
        scnet=scnet,
        db=database,
        vault=vault,
        accounts=accounts,
        instances=instances,
        watcher=watcher,
        notifier=notifier,
        renewals=renewals,
        slack=slack,
        owner=owner,
        channel=channel,
        kicks=kicks,
    )


@pytest.fixture
async def env(
    scnet: SimulatedScnet,
    client: ScnetClient,
    database: Database,
    slack: FakeSlack,
    slack_client: AsyncWebClient,
) -> WatchEnv:
    alice = slack.add_user("alice")
    channel = slack.add_channel("ml-team")
    owner = SlackUser(slack.team.id, alice.id)
    built = build_env(
        scnet=scnet,
        client=client,
        database=database,
        vault=Vault.from_keys([generate_key()]),
        slack=slack,
        slack_client=slack_client,
        owner=owner,
        channel=channel.id,
    )
    token = scnet.sim.issue_token("alice", ttl_seconds=30 * 86400)
    await built.accounts.login_with_token(owner, Secret(token))
    return built


def restarted(
    env: WatchEnv,
    client: ScnetClient,
    database: Database,
    slack: FakeSlack,
    slack_client: AsyncWebClient,
) -> WatchEnv:
    """The same bot started again: new services over the same database, SCNet and Slack."""
    return build_env(
        scnet=env.scnet,
        client=client,
        database=database,
        vault=env.vault,
        slack=slack,
        slack_client=slack_client,
        owner=env.owner,
        channel=env.channel,
        process="after-restart",
    )
