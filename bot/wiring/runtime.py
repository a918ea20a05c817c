"""The use cases on one database and one SCNet client (``open_runtime``), and the Bolt app on
them (``slack_app``): the core of the graph every mode builds (``bot.wiring``)."""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from slack_bolt.async_app import AsyncApp

from bot.config import Settings
from bot.metrics import Metrics
from bot.scnet.budget import RequestBudget
from bot.scnet.client import ClientOptions, ScnetClient
from bot.scnet.retry import RetryPolicy
from bot.services.accounts import AccountPolicy, AccountService
from bot.services.approval_messages import NoBoard
from bot.services.approvals import ApprovalService
from bot.services.audit_log import AuditLog
from bot.services.channels import ChannelChoices
from bot.services.costs import CostService
from bot.services.create_queue import CreateQueue, QueuePolicy
from bot.services.event_ledger import EventLedger
from bot.services.instances import InstanceService, WatchPolicy
from bot.services.preferences import Preferences
from bot.services.quota import QuotaService
from bot.slack.app import STILL_WAITING_AFTER, SlackAdapter, SlackSettings, build_app
from bot.slack.approval_actions import ApprovalActions
from bot.slack.approval_board import SlackApprovalBoard
from bot.slack.conversation import Conversation
from bot.slack.people import People
from bot.store.database import Database
from bot.store.migrate import upgrade_database
from bot.store.vault import Vault


def utc_now() -> datetime:
    return datetime.now(UTC)


def process_name() -> str:
    """How this process signs its leases: host and pid, readable in the database."""
    return f"{socket.gethostname()}:{os.getpid()}"[:128]


@dataclass
class Runtime:
    settings: Settings
    db: Database
    vault: Vault
    client: ScnetClient
    accounts: AccountService
    instances: InstanceService
    quota: QuotaService
    costs: CostService  # rates, budgets, spend and balances
    preferences: Preferences
    events: EventLedger
    conversation: Conversation
    now: Callable[[], datetime]
    metrics: Metrics  # this process's registry: every part below reports into it
    # Creates asked of an admin; its board is Slack's once ``slack_app`` built it.
    approvals: ApprovalService
    queue: CreateQueue  # the team's creates waiting for capacity (drained by the leader)


def scnet_client(settings: Settings, *, metrics: Metrics | None = None) -> ScnetClient:
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
        observe=metrics.observe_scnet if metrics is not None else None,
    )


async def open_runtime(
    settings: Settings,
    stack: AsyncExitStack,
    *,
    now: Callable[[], datetime] = utc_now,
    metrics: Metrics | None = None,
) -> Runtime:
    """Migrate the database, then wire everything; ``stack`` closes what was opened.
    ``metrics``: where SCNet calls, commands and renewals are counted (a fresh registry if
    None; ``Runtime.metrics`` either way)."""
    metrics = metrics or Metrics()
    settings.require("encryption_keys")
    await upgrade_database(settings.database_url)
    db = Database.open(settings.database_url)
    stack.push_async_callback(db.close)
    vault = Vault.from_keys([key.get_secret_value() for key in settings.encryption_keys])
    client = await stack.enter_async_context(scnet_client(settings, metrics=metrics))
    accounts = AccountService(
        db=db,
        vault=vault,
        client=client,
        policy=AccountPolicy(
            default_ai_url=settings.scnet_api_url,
            discover_region=settings.scnet_auth_url is not None,
        ),
        now=now,
        on_renewal=metrics.observe_renewal,
    )
    costs = CostService(
        db=db, client=client, accounts=accounts, now=now, low_balance=settings.low_balance_cny
    )
    instances = InstanceService(
        db=db,
        client=client,
        accounts=accounts,
        now=now,
        costs=costs,
        watch_policy=WatchPolicy(
            first_poll_after=timedelta(seconds=min(5.0, settings.cadence)),
            min_interval=timedelta(seconds=settings.cadence),
        ),
    )
    quota = QuotaService(db=db, client=client, accounts=accounts, now=now)
    quota.on_listing = costs.note_listing  # every list the bot merges shows runs to record
    quota.costs = costs  # spend in the quota report; the balances it reads are kept
    approvals = ApprovalService(
        db=db,
        instances=instances,
        quota=quota,
        board=NoBoard(),
        now=now,
        ttl=timedelta(hours=settings.approval_ttl_hours),
    )
    queue = CreateQueue(
        db=db,
        instances=instances,
        quota=quota,
        now=now,
        owner=process_name(),
        policy=QueuePolicy(ttl=timedelta(hours=settings.queue_ttl_hours)),
    )
    # Late-bound: ``start_background`` points ``queue.wake`` at the scheduler's drain job.
    instances.on_capacity_freed = lambda: queue.wake()
    preferences = Preferences(db=db, now=now)
    audit_log = AuditLog(db=db, now=now)
    conversation = Conversation(
        accounts=accounts,
        instances=instances,
        quota=quota,
        preferences=preferences,
        channels=ChannelChoices(db=db, now=now),
        audit_log=audit_log,
        now=now,
        observe_command=metrics.observe_command,
        services={"approvals": approvals, "costs": costs, "queue": queue},
    )
    return Runtime(
        settings=settings,
        db=db,
        vault=vault,
        client=client,
        accounts=accounts,
        instances=instances,
        quota=quota,
        costs=costs,
        preferences=preferences,
        events=EventLedger(db=db, now=now),
        conversation=conversation,
        now=now,
        metrics=metrics,
        approvals=approvals,
        queue=queue,
    )


def slack_app(runtime: Runtime, *, still_waiting_after: float = STILL_WAITING_AFTER) -> AsyncApp:
    """The Bolt app answering ``/scnet``, its buttons, modals and App Home for ``runtime``."""
    settings = runtime.settings
    settings.require("slack_bot_token", "slack_signing_secret")
    assert settings.slack_bot_token is not None
    assert settings.slack_signing_secret is not None
    people = People(preferences=runtime.preferences, admins=frozenset(settings.bot_admins))
    runtime.approvals.use_board(
        SlackApprovalBoard.open(
            token=settings.slack_bot_token.get_secret_value(),
            api_url=settings.slack_api_url,
            people=people,
            bot_admins=frozenset(settings.bot_admins),
            command=settings.slash_command,
        )
    )
    adapter = SlackAdapter(
        conversation=runtime.conversation,
        people=people,
        approvals=ApprovalActions(runtime.approvals, now=runtime.now),
        queue=runtime.queue,
        events=runtime.events,
        command=settings.slash_command,
        still_waiting_after=still_waiting_after,
    )
    return build_app(
        adapter,
        SlackSettings(
            bot_token=settings.slack_bot_token.get_secret_value(),
            signing_secret=settings.slack_signing_secret.get_secret_value(),
            api_url=settings.slack_api_url,
            command=settings.slash_command,
        ),
    )
