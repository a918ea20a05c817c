"""The composition root: the one place that builds the object graph, for every mode.

Nothing else constructs clients, databases, services, the Bolt app or the scheduler. Every
function takes an ``AsyncExitStack`` that closes what it opened, in reverse order; build
everything inside a running event loop. The pieces, and who uses them:

``open_runtime(settings, stack)`` -> ``Runtime``
    migrate the database, then the SCNet client, vault and use cases, and the
    ``Conversation`` that answers commands, buttons and forms. Alone: ``console``, tests.
``start_background(runtime, sender, stack)`` -> ``Background``
    the scheduler and its jobs (watching, notices through ``sender``, renewals, digests).
``slack_app(runtime)`` -> Bolt ``AsyncApp``; ``slack_sender(settings, stack)`` -> the
    ``NoticeSender`` that posts notices through the Slack Web API.
``open_slack_bot(settings, stack, runtime=None)`` -> ``SlackBot``
    all of the above for Slack: ``run``; the playground, with a demo's runtime.
``console(runtime, terminal)`` -> ``Console``
    the interactive console for one user (its session, and the sender of its notices).
``open_demo(stack)`` -> ``Demo``
    the embedded SCNet simulator with a demo account (both regions, AK/SK known), a SQLite
    database and a fresh key in a temporary folder, and the runtime on them; ``Demo.log_in``
    signs a Slack user in as the demo account. ``demo`` adds the console; the playground
    passes its Slack settings and adds ``open_slack_bot(demo.settings, stack, runtime=...)``.

A playground, for example::

    async with AsyncExitStack() as stack:
        demo = await open_demo(stack, slack_api_url=api, slack_bot_token=bot_token,
                               slack_signing_secret=secret, bot_admins=("U1",))
        await demo.log_in(SlackUser(team, "U1"))
        bot = await open_slack_bot(demo.settings, stack, runtime=demo.runtime)
        ...  # serve bot.app at POST /slack/events (bot.slack.http.events_handler)

Tests and ``bench/`` build the same graph from the same functions with their own settings
(simulator URL, temp database, fake Slack) and an injected clock.
"""

from __future__ import annotations

import os
import random
import socket
import tempfile
from collections.abc import Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from slack_bolt.async_app import AsyncApp

from bot.config import Settings, load_settings
from bot.console.repl import ConsoleSender, ConsoleSession
from bot.console.terminal import Terminal
from bot.domain.i18n import DEFAULT_LOCALE
from bot.domain.identity import SlackUser
from bot.domain.notices import NoticeSender
from bot.domain.secret import Secret
from bot.jobs import BALANCES, BUDGET_ALERTS, QUEUE_DRAIN, JobIntervals, Jobs, define_jobs
from bot.metrics import Metrics
from bot.scnet.budget import RequestBudget
from bot.scnet.client import ClientOptions, ScnetClient
from bot.scnet.retry import RetryPolicy
from bot.scnet.simulator import Delays, ScnetSimulator
from bot.scnet.simulator.billing import DEMO_PRICES
from bot.scnet.simulator.catalog import REGIONS, demo_resource_groups
from bot.services.accounts import AccountPolicy, AccountService
from bot.services.approval_messages import NoBoard
from bot.services.approvals import ApprovalService
from bot.services.audit_log import AuditLog
from bot.services.channels import ChannelChoices
from bot.services.costs import CostService
from bot.services.create_queue import CreateQueue, QueuePolicy
from bot.services.event_ledger import EventLedger
from bot.services.instances import InstanceService, WatchPolicy
from bot.services.notify import DeliveryPolicy, NotifyService
from bot.services.preferences import Preferences
from bot.services.quota import QuotaService
from bot.services.quota_notices import QuotaNotices
from bot.services.renewals import RenewalService
from bot.services.upkeep import Upkeep
from bot.services.watch import WatchService
from bot.services.watch_policy import PollPolicy
from bot.slack.app import STILL_WAITING_AFTER, SlackAdapter, SlackSettings, build_app
from bot.slack.approval_actions import ApprovalActions
from bot.slack.approval_board import SlackApprovalBoard
from bot.slack.conversation import Conversation, Invocation
from bot.slack.people import People
from bot.slack.sender import SlackDelivery
from bot.store.database import Database
from bot.store.keys import generate_key
from bot.store.leadership import leadership_for
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


@dataclass
class Background:
    """The scheduled work of a running bot: watching, delivering notices, renewing tokens."""

    jobs: Jobs
    watcher: WatchService
    notifier: NotifyService
    renewals: RenewalService
    upkeep: Upkeep
    quota_notices: QuotaNotices


def poll_policy(settings: Settings) -> PollPolicy:
    return PollPolicy(
        cadence=settings.cadence,
        reads_per_second=settings.watch_reads_per_second,
        running_interval=settings.watch_running_interval,
        queued_notice_after=settings.watch_queued_notice_after,
        autostop_reminder=timedelta(minutes=settings.autostop_reminder_minutes),
        concurrency=settings.watch_concurrency,
    )


def process_name() -> str:
    """How this process signs its leases: host and pid, readable in the database."""
    return f"{socket.gethostname()}:{os.getpid()}"[:128]


async def start_background(
    runtime: Runtime,
    sender: NoticeSender,
    stack: AsyncExitStack,
    *,
    intervals: JobIntervals | None = None,
    delivery: DeliveryPolicy | None = None,
    rng: random.Random | None = None,
) -> Background:
    """Start the scheduler (its jobs run on the leader only); ``stack`` stops it."""
    every = intervals or JobIntervals()
    jobs = Jobs(leadership=leadership_for(runtime.db), leadership_interval=every.leadership)
    watcher = WatchService(
        db=runtime.db,
        client=runtime.client,
        accounts=runtime.accounts,
        now=runtime.now,
        owner=process_name(),
        policy=poll_policy(runtime.settings),
        rng=rng or random.Random(),
        on_notice=jobs.deliver_soon,
        ledger=runtime.quota.merge_listing,
    )
    notifier = NotifyService(
        db=runtime.db,
        accounts=runtime.accounts,
        client=runtime.client,
        sender=sender,
        now=runtime.now,
        policy=delivery,
        on_sent=runtime.metrics.observe_delivery_lag,
    )
    renewals = RenewalService(
        db=runtime.db, accounts=runtime.accounts, now=runtime.now, on_notice=jobs.deliver_soon
    )
    upkeep = Upkeep(db=runtime.db, now=runtime.now)
    runtime.approvals.on_notice = jobs.deliver_soon
    quota_notices = QuotaNotices(
        db=runtime.db,
        quota=runtime.quota,
        now=runtime.now,
        on_notice=jobs.deliver_soon,
        costs=runtime.costs,
    )
    runtime.costs.on_notice = jobs.deliver_soon

    lately = timedelta(seconds=every.usage_sync)

    async def sync_usage() -> None:
        # Owners the watcher read lately are in the ledger already.
        await runtime.quota.sync_usage(skip=lambda user: watcher.listed_lately(user, within=lately))
        # The sync may have found instances started elsewhere: alert on them now, not later.
        await quota_notices.check_thresholds()

    runtime.queue.set_notice_hook(jobs.deliver_soon)
    runtime.queue.wake = lambda: jobs.run_soon(QUEUE_DRAIN)
    define_jobs(
        jobs,
        watcher=watcher,
        notifier=notifier,
        renewals=renewals,
        usage_sync=sync_usage,
        digests=quota_notices.queue_due_digests,
        quota_alerts=quota_notices.check_thresholds,
        housekeeping=upkeep.prune,
        approvals=runtime.approvals.expire_due,
        queue_drain=runtime.queue.drain,
        intervals=every,
    )
    jobs.every(BUDGET_ALERTS, every.quota_alerts, runtime.costs.check_budgets)
    jobs.every(
        BALANCES,
        runtime.settings.balance_check_seconds,
        runtime.costs.check_balances,
        at_start=False,  # a new leader has its watches to poll first
    )
    await jobs.start()
    stack.push_async_callback(jobs.stop)
    return Background(jobs, watcher, notifier, renewals, upkeep, quota_notices)


def slack_sender(settings: Settings, stack: AsyncExitStack) -> NoticeSender:
    """The sender that posts notices through the Slack Web API at ``SLACK_API_URL``."""
    settings.require("slack_bot_token")
    assert settings.slack_bot_token is not None
    delivery = SlackDelivery(
        token=settings.slack_bot_token.get_secret_value(),
        api_url=settings.slack_api_url,
        command=settings.slash_command,
    )
    stack.push_async_callback(delivery.close)
    return delivery.sender


@dataclass
class SlackBot:
    """A bot serving Slack: the use cases, the Bolt app and the running scheduler."""

    runtime: Runtime
    app: AsyncApp
    background: Background


async def open_slack_bot(
    settings: Settings, stack: AsyncExitStack, *, runtime: Runtime | None = None
) -> SlackBot:
    """Everything ``scnet-bot run`` serves, on ``runtime`` (opened from ``settings`` if None).

    The caller serves ``app`` (HTTP or Socket Mode); the scheduler already runs, its notices
    going to Slack's Web API.
    """
    settings.require("slack_bot_token", "slack_signing_secret", "encryption_keys")
    if runtime is None:
        runtime = await open_runtime(settings, stack)
    background = await start_background(runtime, slack_sender(settings, stack), stack)
    return SlackBot(runtime=runtime, app=slack_app(runtime), background=background)


# The demo's SCNet account: in every region of the simulator, with keys a login form accepts.
DEMO_SCNET_USER = "demo"
DEMO_ACCESS_KEY = "AK-demo"
DEMO_SECRET_KEY = "SK-demo"  # noqa: S105 - the simulator's demo account, printed on purpose
DEMO_BALANCE = "118.00"  # near LOW_BALANCE_CNY: a few minutes of running show its DM


@dataclass
class Demo:
    """A self-contained world: the SCNet simulator, a temporary database, the runtime on them."""

    simulator: ScnetSimulator
    settings: Settings
    runtime: Runtime

    async def log_in(self, user: SlackUser, scnet_user: str = DEMO_SCNET_USER) -> None:
        """Sign ``user`` in to SCNet as ``scnet_user`` (a simulator account), as a token would."""
        token = Secret(self.simulator.issue_token(scnet_user))
        await self.runtime.accounts.login_with_token(user, token)


async def open_demo(stack: AsyncExitStack, *, port: int = 0, **overrides: object) -> Demo:
    """The simulator on loopback (``port`` 0: any free one) with the demo account, and the
    runtime on a SQLite file and a fresh encryption key in a temporary folder, both removed
    by ``stack``. ``overrides`` are ``Settings`` fields (Slack's, ``bot_admins``, ...). They,
    the simulator and the temporary database win over the environment (``.env`` is not read),
    so a demo never touches a real database or SCNet."""
    sim = ScnetSimulator(
        delays=Delays(waiting=3, deploying=4),
        resource_groups=demo_resource_groups(),
        prices=DEMO_PRICES,  # a balance that falls fast enough to see the low-balance DM
    )
    sim.add_user(
        DEMO_SCNET_USER,
        access_key=DEMO_ACCESS_KEY,
        secret_key=DEMO_SECRET_KEY,
        balance=DEMO_BALANCE,
        regions=[region.cluster_id for region in REGIONS],
    )
    base = await sim.start(port=port)
    stack.push_async_callback(sim.stop)
    folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="scnet-bot-demo-"))
    values: dict[str, object] = {
        "scnet_api_url": base,
        "database_url": f"sqlite:///{Path(folder) / 'demo.db'}",
        "encryption_keys": generate_key(),
        "watch_cadence": 2,  # the simulator's instances start in seconds: watch them closely
        "balance_check_seconds": 30,  # and their balances fall in minutes (DEMO_PRICES)
        **overrides,
    }
    settings = load_settings(**values, _env_file=None)
    runtime = await open_runtime(settings, stack)
    return Demo(simulator=sim, settings=settings, runtime=runtime)


# The one user of a console: no Slack workspace behind it.
CONSOLE_USER = SlackUser("console", "you")


@dataclass
class Console:
    """A console at one terminal: ``session.run()`` until the user leaves; ``sender`` prints
    the scheduler's notices for the console user there (pass it to ``start_background``)."""

    session: ConsoleSession
    sender: ConsoleSender
    user: SlackUser
    is_admin: bool


def console(runtime: Runtime, terminal: Terminal, *, user: SlackUser = CONSOLE_USER) -> Console:
    """The console for ``user`` on ``runtime``: an admin when ``BOT_ADMINS`` names them (the
    demo does), in the language ``lang`` chose (English by default)."""
    settings = runtime.settings
    is_admin = user.user_id in settings.bot_admins

    async def invocation() -> Invocation:
        locale = await runtime.preferences.locale(user)
        return Invocation(
            user=user,
            locale=locale or DEFAULT_LOCALE,
            command=settings.slash_command,
            is_admin=is_admin,
        )

    session = ConsoleSession(runtime.conversation, invocation, terminal)
    sender = ConsoleSender(
        user.user_id, command=settings.slash_command, write=terminal.write, render=session.render
    )
    return Console(session=session, sender=sender, user=user, is_admin=is_admin)
