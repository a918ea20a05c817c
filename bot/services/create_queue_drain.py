"""The create queue's drain: the leader creates queued requests as capacity frees.

``drain`` (a leader-only job every second, and at once after a stop or delete through the bot)
walks each team's queue in order (``bot.domain.create_queue.next_to_create``: first come first
served, except that a request held up only by its member's own limit does not hold up anyone
else's) and, for the first request that fits:

1. claims it in one conditional UPDATE, counting one more attempt, BEFORE calling SCNet;
2. if an earlier attempt began (a crash, kill -9, a leader that died, a create whose outcome
   was unknown), lists the requester's instances and adopts the one with the request's name
   instead of creating: never two creates for one request;
3. otherwise creates it with the requester's own token through ``InstanceService.create``
   (which tracks and watches it as any create; the limit check it just did is skipped),
   marks it created and DMs the requester.

An unknown outcome keeps the claim for ``unknown_settle`` (SCNet may still be registering
it), after which step 2 decides. A requester who has logged out, an image that is gone, or
any other refusal by SCNet fails the request with a DM. Requests older than
``QUEUE_TTL_HOURS`` are dropped with a DM. Part of ``CreateQueue``
(``bot.services.create_queue``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.commands import Create, parse_command
from bot.domain.create_queue import (
    QueuedCreate,
    TeamCapacity,
    blocking_excess,
    next_to_create,
)
from bot.domain.identity import NoticeTarget
from bot.domain.notices import NoticeKind
from bot.scnet.errors import CreateOutcomeUnknown, ScnetError, TransientError
from bot.services.errors import (
    ImageUnknown,
    LoginNeeded,
    ServiceError,
)
from bot.services.instances import InstanceService
from bot.services.quota import QuotaService
from bot.store import audit, outbox, quotas
from bot.store import create_queue as rows
from bot.store.database import Database, Session

log = logging.getLogger(__name__)
ROUND_LIMIT = 50  # creates one drain round makes for one team at most; the next round goes on
# A found instance created this long before its request was queued is not the request's: a
# clock skew allowance, since a name the user had already was refused when it was queued.
FOUND_SKEW = timedelta(minutes=5)
# An instance stopped through the bot counts as free this long, until the watcher's read of its
# owner (every few seconds while the team has a queue) shows it ended in the ledger.
STOPPED_FREES_FOR = timedelta(minutes=2)


@dataclass(frozen=True, slots=True)
class QueuePolicy:
    ttl: timedelta = timedelta(hours=72)  # QUEUE_TTL_HOURS
    lease: timedelta = timedelta(minutes=2)  # a create and its reads take 20 s at most
    unknown_settle: timedelta = timedelta(seconds=15)  # before an unknown create is looked for
    per_requester: int = 20  # requests one member may have waiting at once


class QueueDrain:
    """The drain of ``CreateQueue`` (which sets these attributes)."""

    _db: Database
    _instances: InstanceService
    _quota: QuotaService
    _now: Callable[[], datetime]
    _owner: str
    _on_notice: Callable[[], None]
    policy: QueuePolicy

    async def drain(self) -> int:
        """One round: drop expired requests, then create what fits, team by team; how many
        requests were created (or found created)."""
        now = self._now()
        async with self._db.transaction() as session:  # one read a second when all is quiet
            old = await rows.queued_before(session, now - self.policy.ttl)
            teams = await rows.teams_with_queue(session)
        if old:
            await self._drop(old, now)
        created = 0
        for team_id in sorted(teams):
            try:
                created += await self._drain_team(team_id)
            except Exception:  # one team's trouble must not stop the others' queues
                log.exception("the create queue's drain failed for a team")
        return created

    async def _drain_team(self, team_id: str) -> int:
        created = 0
        for _ in range(ROUND_LIMIT):
            now = self._now()
            async with self._db.transaction() as session:
                waiting = await rows.waiting_for_team(session, team_id)
                capacity = await self._capacity(session, team_id)
            stale = [
                r
                for r in waiting
                if r.state == "claimed" and r.lease_until is not None and r.lease_until < now
            ]
            request = stale[0] if stale else next_to_create(waiting, capacity)
            if request is None:
                return created
            others = [r for r in waiting if r.state == "claimed" and r.id != request.id]
            async with self._db.transaction() as session:
                claimed = await rows.claim(
                    session, request.id, owner=self._owner, now=now, lease=self.policy.lease
                )
                if claimed is not None:
                    await audit.record(
                        session,
                        claimed.requester,
                        action="dequeue",
                        outcome="claimed",
                        now=now,
                        detail=f"#{claimed.id} attempt {claimed.attempts}",
                    )
            if claimed is None:
                continue  # another drain took it, or it was cancelled: look again
            outcome = await self._serve(claimed, capacity, others)
            if outcome == "created":
                created += 1
            elif outcome == "wait":
                return created
        return created

    async def _capacity(self, session: Session, team_id: str) -> TeamCapacity:
        limits = await quotas.list_limits(session, team_id)
        stopped = await rows.stopped_through_the_bot(
            session, team_id, since=self._now() - STOPPED_FREES_FOR
        )
        holdings = await self._quota.holdings(team_id)
        return TeamCapacity(
            holdings=[h for h in holdings if h.instance_id not in stopped],
            team_limits=next((r.limits for r in limits if r.member_user_id is None), None),
            member_limits={r.member_user_id: r.limits for r in limits if r.member_user_id},
        )

    async def _serve(
        self, request: QueuedCreate, capacity: TeamCapacity, others: list[QueuedCreate]
    ) -> str:
        """Create (or find) the claimed ``request``: "created", "failed", "wait" (put back or
        held: nothing more for this team this round) or "next"."""
        user = request.requester
        if request.attempts > 1:
            # An earlier attempt began and its outcome was never recorded: SCNet's list says
            # whether it created the instance. Only then may a create be tried again.
            try:
                found = await self._instances.find_named(user, request.name)
            except LoginNeeded as error:
                await self._fail(request, error)
                return "failed"
            except (ScnetError, ServiceError):
                await self._hold(request)
                return "wait"
            if found is not None and (
                found.created_at is None or found.created_at >= request.created_at - FOUND_SKEW
            ):
                await self._instances.adopt(
                    user, found, origin=request.origin, detail=f"queued #{request.id}"
                )
                await self._created(request, found.id, outcome="reconciled")
                return "created"
            if blocking_excess(request, capacity, claimed=others) is not None:
                await self._release(request)  # a stale claim, and its turn has not come
                return "wait"
        command = parse_command(request.command_text)
        if not isinstance(command, Create) or command.image is None:
            await self._fail(request, None, reason="unreadable")
            return "failed"
        try:
            created = await self._instances.create(
                user, command, origin=request.origin, quota_checked=True
            )
        except CreateOutcomeUnknown:
            await self._hold(request)
            return "wait"
        except TransientError:
            # Nothing usable came back (SCNet down, say): try again after the settle time,
            # not at every tick, and look for it by name first, as for an unknown outcome.
            await self._hold(request)
            return "wait"
        except (LoginNeeded, ImageUnknown, ScnetError, ServiceError) as error:
            await self._fail(request, error)
            return "failed"
        await self._created(request, created.instance_id, outcome="ok")
        return "created"

    async def _created(self, request: QueuedCreate, instance_id: str, *, outcome: str) -> None:
        now = self._now()
        async with self._db.transaction() as session:
            if not await rows.finish(
                session,
                request.id,
                owner=self._owner,
                state="created",
                now=now,
                instance_id=instance_id,
                outcome=outcome,
            ):
                log.warning("a queued create finished after its claim was lost")
            await audit.record(
                session,
                request.requester,
                action="queue_create",
                outcome=outcome,
                now=now,
                instance_id=instance_id,
                detail=audit_detail(request),
            )
            await self._tell(
                session, request, "created", now=now, extra={"instance_id": instance_id}
            )
        self._on_notice()

    async def _fail(
        self, request: QueuedCreate, error: Exception | None, *, reason: str = ""
    ) -> None:
        now = self._now()
        reason = reason or _reason(error)
        extra: dict[str, object] = {"reason": reason}
        if isinstance(error, ServiceError | ScnetError):
            extra["message_key"] = error.message_key
            extra["params"] = {k: str(v) for k, v in _params(error).items()}
        async with self._db.transaction() as session:
            await rows.finish(
                session,
                request.id,
                owner=self._owner,
                state="failed",
                now=now,
                outcome=type(error).__name__ if error is not None else reason,
            )
            await audit.record(
                session,
                request.requester,
                action="queue_fail",
                outcome=reason,
                now=now,
                detail=audit_detail(request),
            )
            await self._tell(session, request, "failed", now=now, extra=extra)
        self._on_notice()

    async def _hold(self, request: QueuedCreate) -> None:
        now = self._now()
        async with self._db.transaction() as session:
            await rows.hold(
                session,
                request.id,
                owner=self._owner,
                until=now + self.policy.unknown_settle,
                now=now,
            )
            await audit.record(
                session,
                request.requester,
                action="queue_create",
                outcome="unknown",
                now=now,
                detail=audit_detail(request),
            )

    async def _release(self, request: QueuedCreate) -> None:
        async with self._db.transaction() as session:
            await rows.release(session, request.id, owner=self._owner, now=self._now())

    async def _drop(self, old: list[QueuedCreate], now: datetime) -> int:
        """Drop requests queued longer than the TTL, each with a DM (audited)."""
        dropped = 0
        for request in old:
            async with self._db.transaction() as session:
                if not await rows.expire(session, request.id, now=now):
                    continue
                await audit.record(
                    session,
                    request.requester,
                    action="queue_drop",
                    outcome="expired",
                    now=now,
                    detail=audit_detail(request),
                )
                hours = self.policy.ttl.total_seconds() / 3600
                await self._tell(
                    session, request, "expired", now=now, extra={"hours": f"{hours:g}"}
                )
                dropped += 1
        if dropped:
            self._on_notice()
        return dropped

    async def _tell(
        self,
        session: Session,
        request: QueuedCreate,
        event: str,
        *,
        now: datetime,
        extra: Mapping[str, object],
    ) -> None:
        payload: dict[str, object] = {
            "owner": request.requester.user_id,
            "queue": {
                "event": event,
                "id": request.id,
                "name": request.name,
                "image": request.image,
                "command_text": request.command_text[:2000],
                **extra,
            },
        }
        if request.locale:
            payload["locale"] = request.locale
        await outbox.enqueue(
            session,
            f"queue:{request.id}:{event}",
            team_id=request.team_id,
            target=NoticeTarget.dm(request.requester.user_id),
            kind=NoticeKind.QUEUE,
            payload=payload,
            now=now,
        )


def audit_detail(request: QueuedCreate) -> str:
    """How a request reads in the audit log."""
    r = request.resources
    return f"#{request.id} {request.name} {request.image} gpus={r.total_gpus} cpus={r.total_cpus}"


def _reason(error: Exception | None) -> str:
    if isinstance(error, LoginNeeded):
        return "login"
    if isinstance(error, ImageUnknown):
        return "image"
    return "refused" if error is not None else "unreadable"


def _params(error: ServiceError | ScnetError) -> Mapping[str, object]:
    params = getattr(error, "params", None)
    return params if isinstance(params, Mapping) else {}
