"""The team's queue of creates waiting for capacity: queue, show, cancel, drain, expire.

A create the team's limits refuse can wait (``create ... --queue``, or the refusal card's
[Queue it]). Its spec is resolved when it is queued (image, resource group, the instance
name, chosen then if the command names none), so that the drain can check the limits
without asking SCNet, and can find the instance again by that name.

The drain (``drain``, a leader-only job every second, and at once after a stop or delete
through the bot) walks each team's queue in order (``bot.domain.create_queue.next_to_create``:
first come first served, except that a request held up only by its member's own limit does
not hold up anyone else's) and, for the first request that fits:

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
``QUEUE_TTL_HOURS`` are dropped with a DM. Every decision is in the audit log: ``queue``,
``dequeue`` (claimed for a create), ``queue_create`` (the auto-create, with its outcome),
``queue_cancel``, ``queue_drop`` and ``queue_fail``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from bot.domain.commands import Create, command_text, parse_command
from bot.domain.create_queue import (
    QueuedCreate,
    TeamCapacity,
    blocking_excess,
    never_fits,
    next_to_create,
    positions,
)
from bot.domain.identity import NoticeTarget, SlackOrigin, SlackUser
from bot.domain.notices import NoticeKind
from bot.scnet.errors import CreateOutcomeUnknown, ScnetError, TransientError
from bot.services.errors import (
    ImageUnknown,
    LimitRefusal,
    LoginNeeded,
    QueueAlreadyLeft,
    QueueFull,
    QueueNeverFits,
    QueueNotYours,
    QueueRequestUnknown,
    ServiceError,
)
from bot.services.instances import Created, InstanceService
from bot.services.quota import QuotaReport, QuotaService
from bot.store import audit, outbox, quotas
from bot.store import create_queue as rows
from bot.store.database import Database, Session

log = logging.getLogger(__name__)
Now = Callable[[], datetime]
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


@dataclass(frozen=True, slots=True)
class QueueView:
    """A team's queue as ``/scnet queue`` shows it: requests in order, with their places."""

    requests: tuple[QueuedCreate, ...]
    positions: Mapping[int, int]
    viewer: SlackUser | None = None  # who looks: their own rows get a Cancel button


@dataclass(frozen=True, slots=True)
class Enqueued:
    request: QueuedCreate
    position: int
    length: int


def _ignore() -> None:
    return None


class CreateQueue:
    def __init__(
        self,
        *,
        db: Database,
        instances: InstanceService,
        quota: QuotaService,
        now: Now,
        owner: str,
        policy: QueuePolicy | None = None,
        on_notice: Callable[[], None] = _ignore,
    ) -> None:
        self._db = db
        self._instances = instances
        self._quota = quota
        self._now = now
        self._owner = owner
        self.policy = policy or QueuePolicy()
        self._on_notice = on_notice
        # Set by the composition root to run the drain now (``Jobs.run_soon``): a stop or a
        # delete through the bot frees capacity at once.
        self.wake: Callable[[], None] = _ignore

    def set_owner(self, owner: str) -> None:
        """The name this process signs its claims with (the watcher's, in ``wiring``)."""
        self._owner = owner

    def set_notice_hook(self, on_notice: Callable[[], None]) -> None:
        self._on_notice = on_notice

    # --- the requester's side ---------------------------------------------------------------

    async def enqueue(
        self,
        user: SlackUser,
        command: Create,
        *,
        origin: SlackOrigin | None,
        locale: str | None,
    ) -> Enqueued:
        """Queue ``command`` for ``user``: its spec resolved now (as a create would, minus the
        team's limits); refused when it could never fit, or the member has too many waiting."""
        spec = await self._instances.resolve(user, command)
        async with self._db.transaction() as session:
            team_limits = await quotas.get_limits(session, user.team_id)
            member_limits = await quotas.get_limits(
                session, user.team_id, member_user_id=user.user_id
            )
            if never_fits(spec.resources, team=team_limits, member=member_limits):
                raise QueueNeverFits()
            mine = await rows.waiting_for_requester(session, user)
            if len(mine) >= self.policy.per_requester:
                raise QueueFull(limit=self.policy.per_requester)
            plain = replace(command, name=spec.name, force=False, public=False, ask=False)
            text = command_text(replace(plain, queue=False))
            now = self._now()
            request = await rows.add(
                session,
                user,
                command_text=text,
                name=spec.name,
                image=spec.version or command.image or "",
                resources=spec.resources,
                origin=origin,
                locale=locale,
                now=now,
            )
            waiting = await rows.waiting_for_team(session, user.team_id)
            await audit.record(
                session, user, action="queue", outcome="ok", now=now, detail=_detail(request)
            )
        self.wake()
        places = positions(waiting)
        return Enqueued(request, position=places.get(request.id, len(waiting)), length=len(waiting))

    async def create_or_queue(
        self,
        user: SlackUser,
        command: Create,
        *,
        origin: SlackOrigin | None,
        locale: str | None,
        is_admin: bool = False,
    ) -> Created | Enqueued:
        """``create ... --queue`` (and the refusal card's [Queue it]): created at once when
        nobody of the team waits and it fits; otherwise it joins the end of the team's queue,
        so that a ``--queue`` never overtakes those already waiting. A refusal that freed
        capacity cannot cure (a budget spent, ``queueable`` False) is raised as it is."""
        command = replace(command, queue=False)
        if await self.length(user.team_id) == 0:
            try:
                return await self._instances.create(user, command, origin=origin, is_admin=is_admin)
            except LimitRefusal as refusal:
                if not refusal.queueable:
                    raise
        return await self.enqueue(user, command, origin=origin, locale=locale)

    async def with_length(self, report: QuotaReport, team_id: str) -> QuotaReport:
        """``/scnet quota``'s report with the team's queue length in it."""
        return replace(report, queue_length=await self.length(team_id))

    async def team_queue(self, team_id: str) -> QueueView:
        async with self._db.transaction() as session:
            waiting = await rows.waiting_for_team(session, team_id)
        return QueueView(tuple(waiting), positions(waiting))

    async def view_for(self, user: SlackUser) -> QueueView:
        """``/scnet queue``: the team's queue as ``user`` sees it."""
        view = await self.team_queue(user.team_id)
        return replace(view, viewer=user)

    async def mine(self, user: SlackUser) -> QueueView:
        """The user's own waiting requests, with their places in the team's queue."""
        view = await self.team_queue(user.team_id)
        own = tuple(r for r in view.requests if r.requester == user)
        return QueueView(own, view.positions, viewer=user)

    async def length(self, team_id: str) -> int:
        async with self._db.transaction() as session:
            return await rows.count_waiting(session, team_id)

    async def cancel_pressed(self, user: SlackUser, request_id: int) -> QueuedCreate | None:
        """A request's Cancel button: None, and nothing done, when the request is not of the
        presser's team (a button seen from another workspace does nothing)."""
        async with self._db.transaction() as session:
            request = await rows.get(session, request_id)
        if request is None or request.team_id != user.team_id:
            return None
        return await self.cancel(user, request_id)

    async def cancel(self, user: SlackUser, request_id: int) -> QueuedCreate:
        """The requester takes their request out of the queue (audited)."""
        async with self._db.transaction() as session:
            request = await rows.get(session, request_id)
            if request is None or request.team_id != user.team_id:
                raise QueueRequestUnknown()
            if request.requester != user:
                raise QueueNotYours()
            now = self._now()
            if not await rows.cancel(session, request_id, now=now):
                current = await rows.get(session, request_id)
                raise QueueAlreadyLeft(state=(current or request).state, name=request.name)
            await audit.record(
                session,
                user,
                action="queue_cancel",
                outcome="ok",
                now=now,
                detail=_detail(request),
            )
        return request

    # --- the drain --------------------------------------------------------------------------

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
                detail=_detail(request),
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
                detail=_detail(request),
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
                detail=_detail(request),
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
                    detail=_detail(request),
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


def _detail(request: QueuedCreate) -> str:
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
