"""Watching instances: read each owner's instance list until their instances run (and on).

The unit of work is the owner, not the instance: one read of an owner's list answers every
watched instance of theirs (``OwnerReads``); a detail read is made only where the list cannot
answer (an instance older than its page, or a status we do not know). ``sweep`` is what the
scheduler runs every second:

1. It brings its picture of the watches up to date from the database with one query for the
   rows written since the last sweep (``watch_control.watched_instances``), plus a count; a
   sweep where nothing changed reads a handful of rows and writes nothing.
2. It asks ``OwnerTurns`` which owners are due, most overdue first, within the background
   share of ``SCNET_MAX_RPS``. An owner with an instance not yet running is due every
   ``cadence``; an owner whose instances all run, at the soonest moment one of them needs a
   look: ``running_interval`` (to see it end), just before its time limit (to remind the
   owner) and just after it (to report the end). Owners with nothing watched cost nothing.
3. It reads those owners concurrently and commits, per changed instance, in one transaction:
   the new status and the notices the change causes (``bot.services.announce``). That
   transaction's first statement writes only while the watch is of the generation the sweep
   knew; a watch restarted or stopped meanwhile matches nothing, and the stale answer changes
   nothing. A move between Waiting and Deploying is kept in memory only: it tells no one
   anything, and the usage ledger counts both as holding resources. Notices carry their
   dedupe key, so two leaders overlapping for a moment during a failover still send one.

What the lists show also feeds the usage ledger (``ledger``), when an owner's list changed.

Someone also waits on the owners of a team whose creates are queued for capacity
(``bot.services.create_queue``): any instance of theirs ending lets the next create go, so they
are read every ``cadence`` too, even when their instances all run. Which teams those are is
read with the sweep's picture, at most once a cadence.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from bot.domain.identity import SlackUser
from bot.domain.instances import (
    TERMINAL_STATUSES,
    Instance,
    InstancePage,
    InstanceStatus,
    is_terminal,
    known_status,
)
from bot.scnet.client import ScnetClient
from bot.scnet.errors import InputError, InstanceNotFound, ScnetError
from bot.scnet.models import InstanceListing
from bot.services.accounts import AccountService, LoginNeeded
from bot.services.announce import (
    announce_login_needed,
)
from bot.services.owner_turns import OwnerTurns, TurnFigures
from bot.services.watch_answers import announce_answer
from bot.services.watch_policy import (
    PollPolicy,
    WatchedInstance,
    has_news,
    listing_fingerprint,
    login_episode,
    next_read,
    queued_too_long,
    quiet_change,
)
from bot.services.watch_reads import OwnerReads
from bot.store import accounts as stored_accounts
from bot.store import instances, watch_control, watches
from bot.store.database import Database
from bot.store.instances import TrackedInstance
from bot.store.watches import Watch

log = logging.getLogger(__name__)
Now = Callable[[], datetime]
Ledger = Callable[[SlackUser, InstancePage], Awaitable[object]]
LOGIN_PAUSE = "login"  # watches.paused_reason of watches waiting for their owner's new login
# Rows written this long before the last sweep's newest are read again, for replicas' clocks
# and transactions that commit late. What this still misses shows up elsewhere: a watch added,
# paused, resumed or stopped changes the count of active watches (then everything is read
# again), and a restarted one makes a write of the old generation fail (then so is it).
CHANGES_OVERLAP = timedelta(seconds=2)
SWEEP_SLACK = 0.5  # seconds: half the scheduler's sweep interval


@dataclass(frozen=True, slots=True)
class WatchFigures:
    owners_waiting: int  # owners with an instance not yet running
    owners_running: int  # owners whose watched instances all run
    turns: TurnFigures


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
        ledger: Ledger | None = None,
    ) -> None:
        """``owner`` names this process; ``on_notice`` runs after notices commit; ``ledger``
        takes each owner's list when it changed (the usage ledger of the quota service)."""
        self._db = db
        self._accounts = accounts
        self._now = now
        self._owner = owner
        self._policy = policy or PollPolicy()
        self._rng = rng or random.Random()
        self._on_notice = on_notice
        self._ledger = ledger
        self._reads = OwnerReads(
            client=client, accounts=accounts, concurrency=self._policy.concurrency
        )
        self._turns: OwnerTurns[SlackUser] = OwnerTurns(rate=self._policy.reads_per_second)
        self._watched: dict[str, WatchedInstance] = {}
        self._seen_up_to: datetime | None = None  # newest write the picture includes
        self._listings: dict[SlackUser, int] = {}  # owner -> hash of their last list
        self._listed_at: dict[SlackUser, datetime] = {}  # owner -> last list in the ledger
        self._in_flight: set[SlackUser] = set()
        self._read_at: dict[SlackUser, float] = {}  # owner -> when their list was last asked
        self._queued_teams: set[str] = set()  # teams with creates waiting for capacity
        self._queued_teams_at: float | None = None

    @property
    def policy(self) -> PollPolicy:
        return self._policy

    def listed_lately(self, owner: SlackUser, *, within: timedelta) -> bool:
        """Whether this process read ``owner``'s list within ``within`` and gave it to the
        usage ledger: the usage sync need not read it again."""
        listed = self._listed_at.get(owner)
        return listed is not None and self._now() - listed <= within

    def figures(self) -> WatchFigures:
        owners: dict[SlackUser, bool] = {}
        for item in self._watched.values():
            if not item.watch.paused:
                owners[item.tracked.owner] = owners.get(item.tracked.owner, False) or item.waiting
        waiting = sum(owners.values())
        return WatchFigures(
            owners_waiting=waiting,
            owners_running=len(owners) - waiting,
            turns=self._turns.figures(now=self._now().timestamp()),
        )

    # --- the sweep ---------------------------------------------------------------------------

    async def sweep(self) -> int:
        """Read the owners that are due; how many watched instances the reads answered."""
        now = self._now()
        await self._refresh()
        by_owner: dict[SlackUser, list[WatchedInstance]] = {}
        for item in self._watched.values():
            if not item.watch.paused:
                by_owner.setdefault(item.tracked.owner, []).append(item)
        cadence = self._policy.cadence
        queued = self._queued_teams
        due = [
            (self._due_at(owner, items, queued, cadence), owner)
            for owner, items in by_owner.items()
            if owner not in self._in_flight
        ]
        waiting = {
            owner
            for owner, items in by_owner.items()
            if owner.team_id in queued or any(i.waiting for i in items)
        }
        # Sweeps come a second apart: an owner due before the next one is read now, rather
        # than up to a second late (which made a 3 s cadence about 4 s).
        # Links first: when the budget is short, owners someone waits on go ahead of those
        # whose instances all run (who keep a share of it).
        chosen = self._turns.pick(due, now=now.timestamp() + SWEEP_SLACK, waiting=waiting)
        if not chosen:
            return 0
        self._in_flight.update(chosen)
        for owner in chosen:
            self._read_at[owner] = now.timestamp()
        try:
            answered = await asyncio.gather(
                *(self._read_owner_safely(owner, by_owner[owner]) for owner in chosen)
            )
        finally:
            self._in_flight.difference_update(chosen)
        return sum(answered)

    def _due_at(
        self, owner: SlackUser, items: list[WatchedInstance], queued: set[str], cadence: float
    ) -> float:
        due = min(item.next_read for item in items).timestamp()
        if owner.team_id in queued:  # their instances' ends let a queued create go
            due = min(due, self._read_at.get(owner, 0.0) + cadence)
        return due

    async def _refresh(self) -> None:
        """Bring the picture of the watches up to date: the rows written since last time (and,
        once a cadence, the teams with queued creates)."""
        since = None if self._seen_up_to is None else self._seen_up_to - CHANGES_OVERLAP
        async with self._db.transaction() as session:
            now = self._now().timestamp()
            look = (
                self._queued_teams_at is None or now - self._queued_teams_at >= self._policy.cadence
            )
            rows, active, teams = await watch_control.watch_changes(
                session, changed_since=since, queued_teams=look
            )
            if teams is not None:
                self._queued_teams, self._queued_teams_at = teams, now
            if since is not None:
                self._merge(rows)
                if sum(not item.watch.paused for item in self._watched.values()) == active:
                    return
                # A watch went away (unwatched, or stopped by another replica): read them all.
                rows, active = await watch_control.watched_instances(session)
        present = {watch.instance_id for watch, _ in rows}
        for gone in self._watched.keys() - present:
            del self._watched[gone]
        self._merge(rows)

    def _merge(self, rows: list[tuple[Watch, TrackedInstance]]) -> None:
        for watch, tracked in rows:
            newest = max(watch.updated_at, tracked.updated_at)
            if self._seen_up_to is None or newest > self._seen_up_to:
                self._seen_up_to = newest
            known = self._watched.get(watch.instance_id)
            if known is not None and known.watch.generation == watch.generation:
                known.watch, known.tracked = watch, tracked
                continue
            # New to this process, or restarted: read it when its watch says (soon after a
            # create), and within a cadence at the latest (after a restart of the bot).
            latest = self._now() + timedelta(seconds=self._policy.cadence * self._rng.random())
            first = min(watch.next_poll_at, latest)
            self._watched[watch.instance_id] = WatchedInstance(watch, tracked, first)

    async def _read_owner_safely(self, owner: SlackUser, items: list[WatchedInstance]) -> int:
        try:
            return await self._read_owner(owner, items)
        except Exception:
            # One owner's bad read must not stop the sweep. Most likely its result could not
            # be committed (SQLite busy too long): the next turn reads again.
            log.exception(
                "reading the instances of team %s user %s failed", owner.team_id, owner.user_id
            )
            self._plan(items, self._now())
            return 0

    async def _read_owner(self, owner: SlackUser, items: list[WatchedInstance]) -> int:
        now = self._now()
        try:
            page = await self._reads.listing(owner)
        except LoginNeeded:
            await self._pause_for_login(owner)
            return 0
        except ScnetError as error:
            log.info(
                "list of %s's instances failed (%s); later", owner.user_id, type(error).__name__
            )
            self._plan(items, now)
            return 0
        someone_waits = owner.team_id in self._queued_teams or any(i.waiting for i in items)
        self._turns.read(owner, now=now.timestamp(), waiting=someone_waits)
        answered = 0
        for item in items:
            instance_id = item.watch.instance_id
            status = page.statuses.get(instance_id)
            instance: Instance | None = None
            if status is None or known_status(status) is None:
                try:
                    instance = await self._reads.detail(owner, instance_id)
                except LoginNeeded:
                    await self._pause_for_login(owner)
                    return answered
                except (InstanceNotFound, InputError):
                    await self._forget_gone(item)
                    continue
                except ScnetError as error:
                    log.info("detail of %s failed (%s); later", instance_id, type(error).__name__)
                    self._plan([item], now)
                    continue
                status = instance.status
            answered += 1
            if self._unchanged(item, status, now):
                continue
            instance = instance or page.instance(instance_id)
            assert instance is not None  # read in detail, or listed as its status says
            await self._answer(item, instance, now)
        await self._feed_ledger(owner, page, {item.watch.instance_id for item in items})
        return answered

    def _unchanged(self, item: WatchedInstance, status: str, now: datetime) -> bool:
        """Nothing moved, told by the listed status alone: most answers, taken without
        parsing the item. A running instance read before it is due (for another instance
        of its owner) keeps its turn; a waiting one counts the read as its turn."""
        if item.reads == 0 or status != item.tracked.status:
            return False
        kind = known_status(status)
        if kind == InstanceStatus.RUNNING:
            due = now + timedelta(seconds=SWEEP_SLACK) >= item.next_read
            if due or "ready" not in item.noticed:
                return False  # its time left, or its link, needs the whole item
        elif kind in TERMINAL_STATUSES or queued_too_long(self._policy, item, now):
            return False
        item.reads += 1
        if item.waiting:
            self._plan([item], now)
        return True

    async def _answer(self, item: WatchedInstance, instance: Instance, now: datetime) -> None:
        item.reads += 1
        plan = next_read(self._policy, instance, now)
        if quiet_change(item, instance):
            # Waiting <-> Deploying: no notice and no use for it in the database (the usage
            # ledger counts both as holding), so it stays in this picture, not a transaction.
            item.tracked = replace(item.tracked, status=instance.status, status_changed_at=now)
        elif has_news(self._policy, item, instance, now):
            queued = await self._record(item, instance, plan)
            if queued:
                self._on_notice()
        item.next_read = plan

    async def _feed_ledger(
        self, owner: SlackUser, page: InstanceListing, watched: set[str]
    ) -> None:
        if self._ledger is None:
            return
        # What the ledger needs from this list: which instances exist, which still hold
        # resources, and the statuses of those nobody watches (the watcher records the
        # others' itself). Merging a whole list costs a read of the owner's ledger, so only
        # when that changes; then the usage sync need not read this owner.
        fingerprint = listing_fingerprint(page, watched)
        if self._listings.get(owner) != fingerprint:
            self._listings[owner] = fingerprint
            try:
                await self._ledger(owner, page.page())
            except Exception as error:  # best effort; the usage sync job catches up
                log.warning(
                    "usage ledger update for %s failed (%s)", owner.user_id, type(error).__name__
                )
                self._listings.pop(owner, None)
                self._listed_at.pop(owner, None)
                return
        self._listed_at[owner] = self._now()

    def _plan(self, items: list[WatchedInstance], now: datetime) -> None:
        """Read again after a cadence, whatever the instances' state (no answer, or a
        waiting instance's turn taken by another's read)."""
        for item in items:
            item.next_read = now + timedelta(seconds=self._policy.cadence)

    async def _record(self, item: WatchedInstance, instance: Instance, plan: datetime) -> int:
        """Commit the status, the next poll and the notices; how many notices were queued."""
        now = self._now()
        watch, before = item.watch, item.tracked
        async with self._db.transaction() as session:
            # The first statement takes SQLite's write lock, and is for this watch's generation
            # only: a stale poll stops there.
            tracked: TrackedInstance | None = before
            running = known_status(instance.status) == InstanceStatus.RUNNING
            if instance.status != before.status or (running and before.ready_at is None):
                tracked = await instances.record_status(
                    session,
                    watch.instance_id,
                    status=instance.status,
                    now=now,
                    ready=running,
                    generation=watch.generation,
                )
            elif not await watch_control.replan(
                session,
                watch.instance_id,
                generation=watch.generation,
                next_poll_at=plan,
                interval_seconds=self._policy.cadence,
                now=now,
            ):
                tracked = None
            if tracked is None:
                # Restarted or stopped meanwhile, and the picture missed it: read it again.
                self._watched.pop(watch.instance_id, None)
                self._seen_up_to = None
                return 0
            queued = await announce_answer(session, self._policy, item, tracked, instance, now)
        item.tracked = tracked
        if is_terminal(instance.status):
            self._watched.pop(watch.instance_id, None)
        return queued

    async def _forget_gone(self, item: WatchedInstance) -> None:
        """SCNet no longer knows the instance (deleted elsewhere): stop watching it."""
        now, watch = self._now(), item.watch
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
        self._watched.pop(watch.instance_id, None)

    async def _pause_for_login(self, owner: SlackUser) -> None:
        now = self._now()
        async with self._db.transaction() as session:
            paused = await watch_control.pause_owner_watches(
                session, owner, reason=LOGIN_PAUSE, now=now
            )
            for instance_id in paused:
                if instance_id in self._watched:
                    self._watched[instance_id].watch = _paused(self._watched[instance_id].watch)
            if not paused:
                return  # paused already, and the user was told then
            summary = await stored_accounts.get_summary(session, owner)
            queued = await announce_login_needed(
                session, owner, episode=login_episode(summary, now), paused=len(paused), now=now
            )
        log.info("paused %d watches of team %s user %s", len(paused), owner.team_id, owner.user_id)
        if queued:
            self._on_notice()

    # --- after a restart of the bot ----------------------------------------------------------

    def hurry_after_start(self) -> None:
        """This process just became the leader: statuses may have moved while no one read
        them. Forget the picture; the next sweep reads every watch again and every owner
        within a cadence (spread over it, so the budget is not spent in one second)."""
        self._watched.clear()
        self._seen_up_to = None
        self._queued_teams_at = None


def _paused(watch: Watch) -> Watch:
    return Watch(**{**{f: getattr(watch, f) for f in watch.__slots__}, "paused": True})
