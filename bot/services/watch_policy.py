"""What the watcher decides without I/O: when an instance needs its owner's list read next, and
whether an answer has anything to write (most have not).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.domain.instances import (
    TERMINAL_STATUSES,
    Instance,
    InstanceStatus,
    is_terminal,
    known_status,
    time_left,
)
from bot.scnet.models import InstanceListing
from bot.store import accounts as stored_accounts
from bot.store.instances import TrackedInstance
from bot.store.watches import Watch


@dataclass(frozen=True, slots=True)
class PollPolicy:
    cadence: float = 3.0  # an owner with an instance not yet running is read this often
    running_interval: float = 45.0  # ...and one whose instances all run, this often at least
    queued_notice_after: float = 600.0
    autostop_reminder: timedelta = timedelta(minutes=15)  # zero: no reminder
    end_grace: float = 30.0  # read this long after the time limit to see the end
    concurrency: int = 20
    reads_per_second: float = 16.0  # the background share of SCNET_MAX_RPS


@dataclass(slots=True)
class WatchedInstance:
    """One watched instance as this process last saw it."""

    watch: Watch
    tracked: TrackedInstance
    next_read: datetime
    reads: int = 0  # reads of this generation by this process
    # "ready", "queued", "autostop": queued already for this generation (by this process; a
    # new one announces again, and the outbox's dedupe key keeps that to one notice)
    noticed: set[str] = field(default_factory=set)

    @property
    def waiting(self) -> bool:
        """Someone waits on it: not running yet, or running and its owner not told so by this
        process (the usage sync may have recorded "Running" before the watcher saw it)."""
        return known_status(self.tracked.status) != InstanceStatus.RUNNING or (
            "ready" not in self.noticed
        )


def next_read(policy: PollPolicy, instance: Instance, now: datetime) -> datetime:
    """When this instance next needs its owner's list read."""
    soonest = now + timedelta(seconds=policy.cadence)
    if known_status(instance.status) != InstanceStatus.RUNNING:
        return soonest
    candidates = [now + timedelta(seconds=policy.running_interval)]
    left = time_left(instance, now)
    if left is not None:
        ends_at = now + left
        remind_at = ends_at - policy.autostop_reminder
        if policy.autostop_reminder and remind_at > now:
            candidates.append(remind_at)
        else:
            candidates.append(ends_at + timedelta(seconds=policy.end_grace))
    return max(soonest, min(candidates))


def has_news(policy: PollPolicy, item: WatchedInstance, instance: Instance, now: datetime) -> bool:
    """Whether the answer has anything to write; most have not."""
    before = item.tracked
    status = known_status(instance.status)
    if instance.status != before.status:
        return True
    if status in TERMINAL_STATUSES:  # the first answer of a watch may find it over already
        return True
    if status == InstanceStatus.RUNNING:
        if "ready" not in item.noticed:
            return True  # the usage sync may have recorded "Running" before we saw it
        left = time_left(instance, now)
        reminder = policy.autostop_reminder
        return (
            "autostop" not in item.noticed
            and left is not None
            and bool(reminder)
            and timedelta(0) < left <= reminder
        )
    return queued_too_long(policy, item, now)


QUIET_STATUSES = frozenset({InstanceStatus.WAITING, InstanceStatus.DEPLOYING})


def quiet_change(item: WatchedInstance, instance: Instance) -> bool:
    """A move between Waiting and Deploying: nothing to tell anyone, nothing to write."""
    return (
        instance.status != item.tracked.status
        and known_status(instance.status) in QUIET_STATUSES
        and known_status(item.tracked.status) in QUIET_STATUSES
    )


def listing_fingerprint(page: InstanceListing, watched: set[str]) -> int:
    """What the usage ledger needs from an owner's list: which instances exist, which still
    hold resources, and the statuses of those nobody watches (the watcher records the
    others' itself). Equal fingerprints: nothing for the ledger."""
    return hash(
        (
            page.total,
            tuple(
                (i, is_terminal(status) if i in watched else status)
                for i, status in page.statuses.items()
            ),
        )
    )


def queued_too_long(policy: PollPolicy, item: WatchedInstance, now: datetime) -> bool:
    """Still Waiting for capacity, past the point where its owner hears so (once)."""
    waited = now - item.tracked.status_changed_at
    return (
        known_status(item.tracked.status) == InstanceStatus.WAITING
        and "queued" not in item.noticed
        and waited.total_seconds() >= policy.queued_notice_after
    )


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
