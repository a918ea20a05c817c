"""Services wired to the real client (simulator on loopback) and a real database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from bot.scnet.client import ScnetClient
from bot.services.accounts import AccountPolicy, AccountService
from bot.services.instances import InstanceService
from bot.services.quota import QuotaService
from bot.store.database import Database
from bot.store.identity import SlackUser
from bot.store.keys import generate_key
from bot.store.vault import Vault
from tests.scnet_fixtures import SimulatedScnet

ALICE = SlackUser("T1", "U_ALICE")
BOB = SlackUser("T1", "U_BOB")


@dataclass
class Services:
    accounts: AccountService
    instances: InstanceService
    quota: QuotaService
    scnet: SimulatedScnet
    database: Database
    vault: Vault
    client: ScnetClient  # the one every service above calls SCNet through

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.scnet.clock(), tz=UTC)


@pytest.fixture
async def services(scnet: SimulatedScnet, client: ScnetClient, database: Database) -> Services:
    vault = Vault.from_keys([generate_key()])

    def now() -> datetime:
        return datetime.fromtimestamp(scnet.clock(), tz=UTC)

    accounts = AccountService(
        db=database,
        vault=vault,
        client=client,
        policy=AccountPolicy(default_ai_url=scnet.base_url, discover_region=True),
        now=now,
    )
    instances = InstanceService(db=database, client=client, accounts=accounts, now=now)
    quota = QuotaService(db=database, client=client, accounts=accounts, now=now)
    return Services(accounts, instances, quota, scnet, database, vault, client)
