"""The scheduled jobs, in the one module that imports APScheduler.

APScheduler 3's ``AsyncIOScheduler`` with its memory job store runs short, idempotent,
cancel-safe coroutines on the bot's event loop. Jobs keep no state of their own: each takes
its work from the database (watches due, notices pending, tokens expiring), so a restart,
even after SIGKILL, loses nothing and there is nothing to rebuild but this fixed set:

=================  ======  ==========================================================
job                every   what
=================  ======  ==========================================================
``leadership``     5 s     take or keep the leader lease (``bot.store.leadership``)
``watch-sweep``    1 s     poll the watches that are due (``WatchService.sweep``)
``outbox``         1 s     deliver due notices (``NotifyService.deliver_due``); also
                           at once when a poll queues a notice (``deliver_soon``)
``token-renewal``  60 s    renew expiring tokens, resume watches after a new login
``usage-sync``     300 s   merge each user's SCNet instance list into the store (quota),
                           then check the quota alerts on the new figures
``digest``         60 s    queue each team's daily digest once its local time has come
                           (``QuotaNotices.queue_due_digests``; once per local day)
``quota-alerts``   60 s    alert a team's digest channel when usage crosses 80% or 100%
                           of a team limit (``QuotaNotices.check_thresholds``)
``housekeeping``   3600 s  drop settled notices and old event keys (``Upkeep.prune``)
``budget-alerts``  60 s    end the runs of instances gone from the ledger, then alert at
                           80% / 100% of a month's budget (``CostService.check_budgets``)
``balances``       600 s   read each user's SCNet balance, DM below ``LOW_BALANCE_CNY``
                           (``BALANCE_CHECK_SECONDS``; ``CostService.check_balances``)
``approvals``      60 s    expire approval requests past ``APPROVAL_TTL_HOURS`` and update
                           admin messages that lag their request (``ApprovalService``)
``queue-drain``    1 s     create the next queued create of each team whose usage allows
                           it, drop expired ones (``CreateQueue.drain``); also at once
                           after a stop or delete through the bot
=================  ======  ==========================================================

Only the leader runs the work; every replica runs ``leadership`` and takes over within one
interval of the leader's death. More periodic work goes through ``Jobs.every``. A job whose
previous run is still going skips its turn quietly, except the sweep: up to three run at once
(``SWEEPS_AT_ONCE``), since one lasts as long as its slowest read and the next must start on
time for the budget to be used (each sweep skips owners another is reading).
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.services.notify import NotifyService
from bot.services.renewals import RenewalService
from bot.services.watch import WatchService
from bot.store.leadership import Leadership

log = logging.getLogger(__name__)
Work = Callable[[], Awaitable[object]]

LEADERSHIP: Final = "leadership"
WATCH_SWEEP: Final = "watch-sweep"
SWEEPS_AT_ONCE: Final = 3
OUTBOX: Final = "outbox"
TOKEN_RENEWAL: Final = "token-renewal"  # noqa: S105 - a job name, not a token
USAGE_SYNC: Final = "usage-sync"
DIGEST: Final = "digest"
QUOTA_ALERTS: Final = "quota-alerts"
HOUSEKEEPING: Final = "housekeeping"
BUDGET_ALERTS: Final = "budget-alerts"
BALANCES: Final = "balances"
APPROVALS: Final = "approvals"
QUEUE_DRAIN: Final = "queue-drain"


@dataclass(frozen=True, slots=True)
class JobIntervals:
    leadership: float = 5.0  # a follower takes over within this long (plus a sweep tick)
    watch_sweep: float = 1.0
    outbox: float = 1.0
    token_renewal: float = 60.0
    usage_sync: float = 300.0
    digest: float = 60.0  # a digest goes out within this long of its local time
    quota_alerts: float = 60.0
    housekeeping: float = 3600.0
    approvals: float = 60.0  # a request expires within this long of its time
    queue_drain: float = 1.0  # capacity freed -> the next queued create, within this (+ a read)


@dataclass(frozen=True, slots=True)
class _Job:
    seconds: float
    work: Work
    leader_only: bool
    at_start: bool
    overlap: int  # runs of it that may go at once


class Jobs:
    def __init__(
        self,
        *,
        leadership: Leadership,
        leadership_interval: float = 5.0,
    ) -> None:
        self._leadership = leadership
        self._leadership_interval = leadership_interval
        self._on_elected: list[Work] = []
        self._jobs: dict[str, _Job] = {}
        self._running: dict[str, int] = {}
        self._again: set[str] = set()  # asked to run while running: the run goes round again
        self._tasks: set[asyncio.Task[object]] = set()
        self._leader = False
        self._standing_by = False  # told the log that another replica leads
        self._refreshing = False
        self._stopping = False
        self._scheduler: AsyncIOScheduler | None = None

    @property
    def is_leader(self) -> bool:
        return self._leader

    def every(
        self,
        name: str,
        seconds: float,
        work: Work,
        *,
        leader_only: bool = True,
        at_start: bool = True,
        overlap: int = 1,
    ) -> None:
        """Run ``work`` every ``seconds`` (on the leader only, unless told otherwise), the
        first time at start, or after ``seconds`` with ``at_start=False``. A tick while
        ``overlap`` runs are still going is skipped."""
        self._jobs[name] = _Job(seconds, work, leader_only, at_start, overlap)
        if self._scheduler is not None:
            self._schedule(name)

    def when_elected(self, work: Work) -> None:
        """Run ``work`` each time this process becomes the leader, before its jobs do."""
        self._on_elected.append(work)

    def run_soon(self, name: str) -> None:
        """Run job ``name`` now, beside its periodic runs; a no-op when stopped.

        If it is running already, that run goes round once more when it is done instead:
        many polls queueing notices in one sweep cause one more delivery run, not many.
        """
        job = self._jobs.get(name)
        if self._scheduler is None or job is None or (job.leader_only and not self._leader):
            return
        if self._running.get(name, 0):
            self._again.add(name)
            return
        # In an empty context: called from a command, add_job would otherwise hand the
        # command's request id (bot.logs) to the scheduler's timer and so to every later job.
        contextvars.Context().run(
            self._scheduler.add_job,
            self._run,
            args=[name, False],
            id=f"{name}:soon",
            replace_existing=True,
        )

    def deliver_soon(self) -> None:
        """Deliver queued notices now rather than at the next outbox tick."""
        self.run_soon(OUTBOX)

    async def start(self) -> None:
        # APScheduler logs every run and every added job at INFO: several lines a second.
        logging.getLogger("apscheduler").setLevel(logging.WARNING)
        self._scheduler = AsyncIOScheduler(
            timezone=UTC,
            # ``_run`` returns at once when a run is still going, so APScheduler never needs
            # to skip one (and never warns that it did).
            job_defaults={"coalesce": True, "max_instances": 3, "misfire_grace_time": 30},
        )
        await self._refresh_leadership()  # know who leads before the first tick
        self._scheduler.add_job(
            self._refresh_leadership,
            "interval",
            seconds=self._leadership_interval,
            id=LEADERSHIP,
            replace_existing=True,
        )
        for name in self._jobs:
            self._schedule(name)
        self._scheduler.start()

    def _schedule(self, name: str) -> None:
        assert self._scheduler is not None
        job = self._jobs[name]
        first = datetime.now(UTC) + timedelta(seconds=0 if job.at_start else job.seconds)
        self._scheduler.add_job(
            self._run,
            "interval",
            args=[name, True],
            seconds=job.seconds,
            id=name,
            replace_existing=True,
            next_run_time=first,
            max_instances=job.overlap + 1,  # ``_run`` itself skips past ``overlap``
        )

    async def stop(self) -> None:
        """Stop scheduling, cancel running jobs (they are cancel-safe), step down."""
        self._stopping = True
        scheduler, self._scheduler = self._scheduler, None
        if scheduler is not None and scheduler.running:
            scheduler.shutdown(wait=False)
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        await asyncio.sleep(0)  # let the scheduler's own shutdown callback run
        self._leader = False
        await self._leadership.release()

    async def _run(self, name: str, periodic: bool) -> None:
        job = self._jobs[name]
        if job.leader_only and not self._leader:
            return
        running = self._running.get(name, 0)
        if running and not periodic:
            self._again.add(name)
            return  # asked while running: the run goes round again
        if running >= job.overlap:
            return  # the previous runs are still going: skip this turn
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        self._running[name] = self._running.get(name, 0) + 1
        try:
            while True:
                self._again.discard(name)
                await job.work()
                if name not in self._again:
                    break
        except asyncio.CancelledError:
            if not self._stopping:
                raise
            # Cancelled by ``stop``: the work is cancel-safe, so end as a normal run would
            # (APScheduler would log a cancelled run as a failure).
        except Exception:
            log.exception("job %s failed", name)
        finally:
            self._running[name] -= 1
            if task is not None:
                self._tasks.discard(task)

    async def _refresh_leadership(self) -> None:
        # A tick while the last one still runs (a slow database, or the new leader's own
        # preparations) is skipped: two at once would both find the lead new and prepare twice.
        if self._refreshing:
            return
        self._refreshing = True
        try:
            await self._take_or_keep_the_lead()
        finally:
            self._refreshing = False

    async def _take_or_keep_the_lead(self) -> None:
        try:
            held = await self._leadership.refresh()
        except asyncio.CancelledError:
            if not self._stopping:
                raise
            return
        if held and not self._leader:
            log.info("this process is now the leader: it runs the scheduled jobs")
            for work in self._on_elected:
                try:
                    await work()
                except Exception:
                    log.exception("preparing the new leader's work failed")
            self._leader = True
        elif not held and self._leader:
            log.warning("this process lost the leadership: it stops running scheduled jobs")
            self._leader = False
        elif not held and not self._standing_by:
            log.info("another replica is the leader: this one stands by")
        self._standing_by = not held


def define_jobs(
    jobs: Jobs,
    *,
    watcher: WatchService,
    notifier: NotifyService,
    renewals: RenewalService,
    usage_sync: Work | None = None,
    digests: Work | None = None,
    quota_alerts: Work | None = None,
    housekeeping: Work | None = None,
    approvals: Work | None = None,
    queue_drain: Work | None = None,
    intervals: JobIntervals | None = None,
) -> None:
    """The background work of the watch issue, on ``jobs``."""
    every = intervals or JobIntervals()

    async def hurry() -> None:
        # Statuses may have moved while no one polled: look at every watch soon.
        watcher.hurry_after_start()

    jobs.when_elected(hurry)
    # A sweep lasts as long as its slowest read, often longer than a tick: the next one starts
    # on time and reads other owners (a sweep skips owners being read), or the reads that
    # the budget allows would wait for the slowest one of the sweep before.
    jobs.every(WATCH_SWEEP, every.watch_sweep, watcher.sweep, overlap=SWEEPS_AT_ONCE)
    jobs.every(OUTBOX, every.outbox, notifier.deliver_due)
    jobs.every(TOKEN_RENEWAL, every.token_renewal, renewals.run)
    if usage_sync is not None:
        # Not at start: a long write, and a new leader has every watch to poll first.
        jobs.every(USAGE_SYNC, every.usage_sync, usage_sync, at_start=False)
    if digests is not None:
        # At start too: a bot that was down at the digest's time sends it when it is back.
        jobs.every(DIGEST, every.digest, digests)
    if quota_alerts is not None:
        jobs.every(QUOTA_ALERTS, every.quota_alerts, quota_alerts)
    if housekeeping is not None:
        jobs.every(HOUSEKEEPING, every.housekeeping, housekeeping, at_start=False)
    if approvals is not None:
        jobs.every(APPROVALS, every.approvals, approvals)
    if queue_drain is not None:
        jobs.every(QUEUE_DRAIN, every.queue_drain, queue_drain)
