"""Watching instances: poll each watched one until it runs (and on, to see it end).

``sweep`` is what the scheduler runs every second: it leases due watches from the store
(``watches.claim_due``; replicas never poll one instance twice) and polls them concurrently,
at most ``concurrency`` at a time. Each poll is one detail read through the client, so it
waits for the process-wide request budget; the watches longest overdue go first, so when the
budget is short every instance still gets its turn.

The claim's transaction also plans each watch's next poll as if nothing will change, and
the lease ends then: most polls see no change and write nothing at all (the database, not
SCNet, is what limits a sweep). A poll that does see a change commits in one transaction:
the next poll, the new status and the notices the change causes (``bot.services.notify``).
Its first statement re-plans the watch for the generation the poll was claimed under; a
watch restarted or stopped meanwhile matches nothing, and the stale poll changes nothing.

Polling adapts (``PollPolicy``): a first poll soon after create (``InstanceService``), then
intervals growing from ``min_interval`` to ``max_interval``, each up to ``jitter`` early (never
late, so ``max_interval`` bounds the wait); back to ``min_interval`` whenever the status
changes, since changes come in bursts (Waiting → Deploying → Running). A running instance is
polled every ``running_interval``, and also just before its time limit (to remind the owner)
and just after it (to report the end).
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.instances import (
    TERMINAL_STATUSES,
    Instance,
    InstanceStatus,
    is_terminal,
    known_status,
)
from bot.scnet.client import ScnetClient
from bot.scnet.errors import InputError, InstanceNotFound, ScnetError
from bot.scnet.models import parse_timeout
from bot.services.accounts import AccountService, LoginNeeded
from bot.services.notify import (
    announce_autostop,
    announce_ended,
    announce_login_needed,
    announce_queued,
    announce_ready,
)
from bot.services.watch_reads import SweepReads
from bot.store import accounts as stored_accounts
from bot.store import instances, watch_control, watches
from bot.store.database import Database, Session
from bot.store.identity import SlackUser
from bot.store.instances import TrackedInstance
from bot.store.watch_control import PlannedPoll
from bot.store.watches import Watch

log = logging.getLogger(__name__)
Now = Callable[[], datetime]
LOGIN_PAUSE = "login"  # watches.paused_reason of watches waiting for their owner's new login
# ``claim_due`` leases for this long; the same transaction then ends each lease at the
# watch's planned next poll (``watch_control.plan_next_polls``).
CLAIM_LEASE = timedelta(seconds=60)
POLLS_PER_READ_SLOT = 5  # polls claimed per SCNet read slot: room for owners' shared lists


@dataclass(frozen=True, slots=True)
class PollPolicy:
    min_interval: float = 10.0
    max_interval: float = 120.0
    backoff: float = 1.5
    jitter: float = 0.2  # a poll may come up to 20 % early, never late
    running_interval: float = 900.0
    queued_notice_after: float = 600.0
    autostop_reminder: timedelta = timedelta(minutes=15)  # zero: no reminder
    end_grace: float = 30.0  # poll this long after the time limit to see the end
    concurrency: int = 20
    run_budget: float = 20.0  # seconds one sweep keeps claiming more watches


@dataclass(frozen=True, slots=True)
class NextPoll:
    at: datetime
    interval: float  # the interval after that one


class WatchService:
    def __init__(
        self,
        *,
        db: Database,
        client: ScnetClient,
        accounts: AccountService,
        now: Now,
        owner: str,
        policy: PollPolicy | None = None,
        rng: random.Random | None = None,
        on_notice: Callable[[], None] = lambda: None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        """``owner`` names this process in leases; ``on_notice`` runs after notices commit."""
        self._db = db
        self._client = client
        self._accounts = accounts
        self._now = now
        self._owner = owner
        self._policy = policy or PollPolicy()
        self._rng = rng or random.Random()
        self._on_notice = on_notice
        self._monotonic = monotonic
        self._in_flight: set[str] = set()  # instance ids being polled by this process

    @property
    def policy(self) -> PollPolicy:
        return self._policy

    # --- the sweep ---------------------------------------------------------------------------

    async def sweep(self) -> int:
        """Poll every due watch, ``concurrency`` SCNet reads at a time; how many polls ran."""
        started = self._monotonic()
        # Polls in flight may outnumber SCNet reads in flight (``concurrency``, held by
        # ``SweepReads``): an owner's polls claimed together share one list read.
        most = self._policy.concurrency * POLLS_PER_READ_SLOT
        refill = max(1, most // 4)
        reads = SweepReads(
            client=self._client,
            accounts=self._accounts,
            concurrency=self._policy.concurrency,
            monotonic=self._monotonic,
        )
        running: set[asyncio.Task[None]] = set()
        exhausted = False
        polled = 0
        try:
            while True:
                free = most - len(running)
                if not exhausted and (free >= refill or not running):
                    if self._monotonic() - started < self._policy.run_budget:
                        claimed = await self._claim(free)
                        exhausted = len(claimed) < free
                        for watch, tracked in claimed:
                            if watch.instance_id in self._in_flight:
                                continue  # a slow poll outlived its plan; let it finish
                            if tracked is not None:
                                reads.expect(tracked.owner)
                            self._in_flight.add(watch.instance_id)
                            running.add(
                                asyncio.create_task(self._poll_safely(watch, tracked, reads))
                            )
                    else:
                        exhausted = True
                if not running:
                    return polled
                done, running = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
                polled += len(done)
        finally:
            # Cancelled (shutdown): unfinished polls commit nothing; their leases run out.
            for task in running:
                task.cancel()
            if running:
                await asyncio.gather(*running, return_exceptions=True)
            await reads.close()

    async def _claim(self, limit: int) -> list[tuple[Watch, TrackedInstance | None]]:
        """Lease due watches, plan their next polls, read their instances: one transaction."""
        now = self._now()
        async with self._db.transaction() as session:
            claimed = await watches.claim_due(
                session, owner=self._owner, now=now, lease_for=CLAIM_LEASE, limit=limit
            )
            plans = []
            for watch in claimed:
                plan = self._backed_off(watch.interval_seconds, now)
                plans.append(
                    PlannedPoll(watch.instance_id, watch.generation, plan.at, plan.interval)
                )
            await watch_control.plan_next_polls(session, plans, now=now)
            tracked = await instances.get_many(session, [watch.instance_id for watch in claimed])
        return [(watch, tracked.get(watch.instance_id)) for watch in claimed]

    async def _poll_safely(
        self, watch: Watch, tracked: TrackedInstance | None, reads: SweepReads
    ) -> None:
        try:
            await self.poll(watch, tracked, reads=reads)
        except Exception:
            # One bad poll must not stop the sweep. Most likely its result could not be
            # committed (SQLite busy too long): poll again soon rather than at the planned
            # time, which may be WATCH_MAX_INTERVAL away.
            log.exception("polling instance %s failed", watch.instance_id)
            await self._poll_soon(watch)
        finally:
            self._in_flight.discard(watch.instance_id)

    async def _poll_soon(self, watch: Watch) -> None:
        now = self._now()
        try:
            async with self._db.transaction() as session:
                await watch_control.replan(
                    session,
                    watch.instance_id,
                    generation=watch.generation,
                    next_poll_at=now + timedelta(seconds=self._policy.min_interval),
                    interval_seconds=self._policy.min_interval,
                    now=now,
                )
        except Exception as error:
            log.warning("could not replan %s (%s)", watch.instance_id, type(error).__name__)

    # --- one poll ----------------------------------------------------------------------------

    async def poll(
        self,
        watch: Watch,
        tracked: TrackedInstance | None,
        *,
        reads: SweepReads | None = None,
    ) -> None:
        """Read the instance as its owner and commit what changed.

        ``watch`` was claimed by this process (its next poll is planned already);
        ``tracked`` is its instance as the store had it then. ``reads`` is the sweep's way
        to SCNet (shared lists, unlocked tokens).
        """
        if tracked is None or tracked.deleted_at is not None:
            async with self._db.transaction() as session:
                await watches.stop_watch(session, watch.instance_id)
            return
        try:
            reader = reads or SweepReads(client=self._client, accounts=self._accounts)
            instance = await reader.instance(tracked.owner, watch.instance_id)
        except LoginNeeded:
            await self._pause_for_login(tracked.owner)
            return
        except (InstanceNotFound, InputError):
            await self._forget_gone(watch)
            return
        except ScnetError as error:
            # Nothing to record: the next poll, backed off, is planned already.
            log.info("poll of %s failed (%s); later", watch.instance_id, type(error).__name__)
            return
        if self._news(tracked, instance) and await self._record(watch, tracked, instance):
            self._on_notice()

    def _news(self, before: TrackedInstance, instance: Instance) -> bool:
        """Whether the poll has anything to write (the claim planned the rest)."""
        status = known_status(instance.status)
        if instance.status != before.status or status == InstanceStatus.RUNNING:
            return True  # a running one is announced idempotently: see ``_announce``
        if status in TERMINAL_STATUSES:
            return True
        waited = self._now() - before.status_changed_at
        return (
            status == InstanceStatus.WAITING
            and waited.total_seconds() >= self._policy.queued_notice_after
        )

    async def _record(self, watch: Watch, before: TrackedInstance, instance: Instance) -> int:
        """Commit the status, the next poll and the notices; how many notices were queued."""
        now = self._now()
        plan = self.next_poll(watch, previous_status=before.status, instance=instance, now=now)
        async with self._db.transaction() as session:
            # First statement: it takes SQLite's write lock, and a stale poll stops here.
            fresh = await watch_control.replan(
                session,
                watch.instance_id,
                generation=watch.generation,
                next_poll_at=plan.at,
                interval_seconds=plan.interval,
                now=now,
            )
            if not fresh:
                return 0
            tracked: TrackedInstance | None = before
            if instance.status != before.status:
                tracked = await instances.record_status(
                    session, watch.instance_id, status=instance.status, now=now
                )
            if tracked is None:
                return 0
            return await self._announce(session, watch, before, tracked, instance, now)

    async def _announce(
        self,
        session: Session,
        watch: Watch,
        before: TrackedInstance,
        tracked: TrackedInstance,
        instance: Instance,
        now: datetime,
    ) -> int:
        status = known_status(instance.status)
        generation = watch.generation
        if status == InstanceStatus.RUNNING:
            await instances.mark_ready(session, watch.instance_id, now=now)
            queued = await announce_ready(
                session, tracked, instance, generation=generation, now=now
            )
            left = self.time_left(instance, now)
            reminder = self._policy.autostop_reminder
            if left is not None and reminder and timedelta(0) < left <= reminder:
                queued += await announce_autostop(
                    session, tracked, instance, generation=generation, time_left=left, now=now
                )
            return queued
        if status in TERMINAL_STATUSES:
            await watches.stop_watch(session, watch.instance_id)
            # Already over when this watch began (``watch`` on a stopped one): nothing new.
            if watch.attempts == 0 and is_terminal(before.status):
                return 0
            return await announce_ended(session, tracked, instance, generation=generation, now=now)
        if status == InstanceStatus.WAITING:
            waited = now - tracked.status_changed_at
            if waited.total_seconds() >= self._policy.queued_notice_after:
                return await announce_queued(
                    session, tracked, instance, generation=generation, waited=waited, now=now
                )
        return 0

    async def _forget_gone(self, watch: Watch) -> None:
        """SCNet no longer knows the instance (deleted elsewhere): stop watching it."""
        now = self._now()
        async with self._db.transaction() as session:
            if await watch_control.replan(
                session,
                watch.instance_id,
                generation=watch.generation,
                next_poll_at=now,
                interval_seconds=watch.interval_seconds,
                now=now,
            ):
                await instances.mark_deleted(session, watch.instance_id, now=now)
                await watches.stop_watch(session, watch.instance_id)

    async def _pause_for_login(self, owner: SlackUser) -> None:
        now = self._now()
        async with self._db.transaction() as session:
            paused = await watch_control.pause_owner_watches(
                session, owner, reason=LOGIN_PAUSE, now=now
            )
            if not paused:
                return  # paused already, and the user was told then
            summary = await stored_accounts.get_summary(session, owner)
            queued = await announce_login_needed(
                session, owner, episode=login_episode(summary, now), paused=len(paused), now=now
            )
        log.info("paused %d watches of team %s user %s", len(paused), owner.team_id, owner.user_id)
        if queued:
            self._on_notice()

    # --- scheduling --------------------------------------------------------------------------

    def next_poll(
        self, watch: Watch, *, previous_status: str, instance: Instance, now: datetime
    ) -> NextPoll:
        policy = self._policy
        if known_status(instance.status) == InstanceStatus.RUNNING:
            return self._running_poll(instance, now)
        if instance.status != previous_status:
            return self._backed_off(policy.min_interval, now)
        return self._backed_off(watch.interval_seconds, now)

    def _backed_off(self, interval: float, now: datetime) -> NextPoll:
        """Poll after ``interval`` (up to ``jitter`` early), then after a longer one."""
        policy = self._policy
        interval = min(max(interval, policy.min_interval), policy.max_interval)
        delay = interval * (1.0 - policy.jitter * self._rng.random())
        grown = min(policy.max_interval, interval * policy.backoff)
        return NextPoll(now + timedelta(seconds=delay), grown)

    def _running_poll(self, instance: Instance, now: datetime) -> NextPoll:
        policy = self._policy
        candidates = [now + timedelta(seconds=policy.running_interval)]
        left = self.time_left(instance, now)
        if left is not None:
            ends_at = now + left
            remind_at = ends_at - policy.autostop_reminder
            if policy.autostop_reminder and remind_at > now:
                candidates.append(remind_at)
            else:
                candidates.append(ends_at + timedelta(seconds=policy.end_grace))
        soonest = now + timedelta(seconds=policy.min_interval)
        return NextPoll(max(soonest, min(candidates)), policy.running_interval)

    @staticmethod
    def time_left(instance: Instance, now: datetime) -> timedelta | None:
        """Until the time limit stops it: SCNet's remainingTime, else start + timeoutLimit."""
        if instance.remaining:
            try:
                left = parse_timeout(instance.remaining)
            except ValueError:
                left = None
            if left is not None:
                return left
        if instance.timeout_limit is not None and instance.started_at is not None:
            return instance.started_at + instance.timeout_limit - now
        return None

    # --- after a restart of the bot ----------------------------------------------------------

    async def hurry_after_start(self, *, single_process: bool) -> int:
        """Poll every watch soon: statuses may have moved while no one was polling.

        ``single_process`` (SQLite): every lease belongs to a dead predecessor; drop them.
        Polls are spread over ``min_interval`` so a restart does not spend the whole request
        budget in one second.
        """
        now = self._now()
        spread = self._policy.min_interval
        hurried = 0
        async with self._db.transaction() as session:
            if single_process:
                await watch_control.release_leases(session, now=now)
            for watch in await watches.list_watches(session):
                at = now + timedelta(seconds=spread * self._rng.random())
                hurried += await watch_control.bring_forward(
                    session,
                    watch.instance_id,
                    next_poll_at=at,
                    interval_seconds=self._policy.min_interval,
                    now=now,
                )
        return hurried


def login_episode(summary: stored_accounts.AccountSummary | None, now: datetime) -> str:
    """Names one "log in again" episode, so the user hears about it once.

    The expired token's expiry identifies it (the renewal job and a poll agree on it); a user
    without a stored login (logged out) gets one per pause, which happens once per episode.
    """
    if summary is not None and summary.token_expires_at is not None:
        return summary.token_expires_at.isoformat()
    if summary is not None:
        return summary.updated_at.isoformat()
    return now.isoformat()
