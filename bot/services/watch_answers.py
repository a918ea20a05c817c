"""What a watched instance's new state tells its owner: the notices one answer queues.

Called by the watcher (``bot.services.watch``) inside the transaction that records the answer,
so a notice is queued exactly when the status it announces is written.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.domain.instances import (
    TERMINAL_STATUSES,
    Instance,
    InstanceStatus,
    is_terminal,
    known_status,
    time_left,
)
from bot.services.announce import (
    announce_autostop,
    announce_ended,
    announce_queued,
    announce_ready,
)
from bot.services.watch_policy import PollPolicy, WatchedInstance
from bot.store import watches
from bot.store.database import Session
from bot.store.instances import TrackedInstance


async def announce_answer(
    session: Session,
    policy: PollPolicy,
    item: WatchedInstance,
    tracked: TrackedInstance,
    instance: Instance,
    now: datetime,
) -> int:
    """Queue what ``instance``'s new state tells its owner; how many notices. The link once it
    runs (unless told before this watch), the auto-stop reminder, the end (which also ends the
    watch), the long wait in the queue."""
    status = known_status(instance.status)
    watch, before = item.watch, item.tracked
    generation = watch.generation
    if status == InstanceStatus.RUNNING:
        item.noticed.add("ready")
        # Running, and its owner told so, before this watch began (``watch`` on a running
        # instance): they have the link; the watch is for what comes next.
        told = item.reads == 1 and before.status == instance.status and bool(before.ready_at)
        queued = 0
        if not told:
            queued = await announce_ready(
                session, tracked, instance, generation=generation, now=now
            )
        left = time_left(instance, now)
        reminder = policy.autostop_reminder
        if left is not None and reminder and timedelta(0) < left <= reminder:
            item.noticed.add("autostop")
            queued += await announce_autostop(
                session, tracked, instance, generation=generation, time_left=left, now=now
            )
        return queued
    if status in TERMINAL_STATUSES:
        await watches.stop_watch(session, watch.instance_id)
        # Already over when this watch began (``watch`` on a stopped one): nothing new.
        if item.reads == 1 and is_terminal(before.status):
            return 0
        return await announce_ended(session, tracked, instance, generation=generation, now=now)
    if status == InstanceStatus.WAITING:
        waited = now - tracked.status_changed_at
        if waited.total_seconds() >= policy.queued_notice_after:
            item.noticed.add("queued")
            return await announce_queued(
                session, tracked, instance, generation=generation, waited=waited, now=now
            )
    return 0
