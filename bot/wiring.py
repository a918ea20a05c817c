"""The composition root: builds the object graph once from ``Settings``.

Nothing else constructs clients, databases or services; tests build the same graph from the
same functions with their own settings (simulator URL, temp database, fake Slack).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import UTC, datetime

from bot.config import Settings
from bot.scnet.budget import RequestBudget
from bot.scnet.client import ClientOptions, ScnetClient
from bot.scnet.retry import RetryPolicy
from bot.services.accounts import AccountPolicy, AccountService
from bot.services.instances import InstanceService
from bot.services.quota import QuotaService
from bot.slack.conversation import Conversation
from bot.store.database import Database
from bot.store.migrate import upgrade_database
from bot.store.vault import Vault


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Runtime:
    settings: Settings
    db: Database
    vault: Vault
    client: ScnetClient
    accounts: AccountService
    instances: InstanceService
    quota: QuotaService
    conversation: Conversation
    now: Callable[[], datetime]


def scnet_client(settings: Settings) -> ScnetClient:
    return ScnetClient(
        ClientOptions(
            api_url=settings.scnet_api_url,
            auth_url=settings.auth_base_url,
            timeout=settings.scnet_timeout,
            retry=RetryPolicy(
                attempts=settings.scnet_read_attempts, deadline=settings.scnet_read_deadline
            ),
            list_variant=settings.scnet_list_variant,
            images_variant=settings.scnet_images_variant,
        ),
        budget=RequestBudget(settings.scnet_max_rps),
    )


async def open_runtime(
    settings: Settings, stack: AsyncExitStack, *, now: Callable[[], datetime] = utc_now
) -> Runtime:
    """Migrate the database, then wire everything; ``stack`` closes what was opened."""
    settings.require("encryption_keys")
    await upgrade_database(settings.database_url)
    db = Database.open(settings.database_url)
    stack.push_async_callback(db.close)
    vault = Vault.from_keys([key.get_secret_value() for key in settings.encryption_keys])
    client = await stack.enter_async_context(scnet_client(settings))
    accounts = AccountService(
        db=db,
        vault=vault,
        client=client,
        policy=AccountPolicy(
            default_ai_url=settings.scnet_api_url,
            discover_region=settings.scnet_auth_url is not None,
        ),
        now=now,
    )
    instances = InstanceService(db=db, client=client, accounts=accounts, now=now)
    quota = QuotaService(db=db, client=client, accounts=accounts, now=now)
    conversation = Conversation(db=db, accounts=accounts, instances=instances, quota=quota, now=now)
    return Runtime(settings, db, vault, client, accounts, instances, quota, conversation, now)
