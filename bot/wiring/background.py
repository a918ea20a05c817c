"""The scheduler and its jobs on a runtime (``start_background``): watching, delivering
notices, renewals, digests, alerts, the create queue's drain (``bot.wiring``)."""

from __future__ import annotations

import random
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import timedelta

from bot.config import Settings
from bot.domain.notices import NoticeSender
from bot.jobs import BALANCES, BUDGET_ALERTS, QUEUE_DRAIN, JobIntervals, Jobs, define_jobs
from bot.services.notify import DeliveryPolicy, NotifyService
from bot.services.quota_notices import QuotaNotices
from bot.services.renewals import RenewalService
from bot.services.upkeep import Upkeep
from bot.services.watch import WatchService
from bot.services.watch_policy import PollPolicy
from bot.store.leadership import leadership_for
from bot.wiring.runtime import Runtime, process_name


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
