"""The team's queue of creates waiting for capacity: queue, show, cancel (the requester's side).

A create the team's limits refuse can wait (``create ... --queue``, or the refusal card's
[Queue it]). Its spec is resolved when it is queued (image, resource group, the instance
name, chosen then if the command names none), so that the drain can check the limits
without asking SCNet, and can find the instance again by that name. The drain, which creates
them as capacity frees, is ``bot.services.create_queue_drain`` (``CreateQueue`` is both).
Every decision is in the audit log: ``queue``, ``dequeue`` (claimed for a create),
``queue_create`` (the auto-create, with its outcome), ``queue_cancel``, ``queue_drop`` and
``queue_fail``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from bot.domain.commands import Create, command_text
from bot.domain.create_queue import (
    QueuedCreate,
    never_fits,
    positions,
)
from bot.domain.identity import SlackOrigin, SlackUser
from bot.services.create_queue_drain import QueueDrain, QueuePolicy, audit_detail
from bot.services.errors import (
    LimitRefusal,
    QueueAlreadyLeft,
    QueueFull,
    QueueNeverFits,
    QueueNotYours,
    QueueRequestUnknown,
)
from bot.services.instances import Created, InstanceService
from bot.services.quota import QuotaReport, QuotaService
from bot.store import audit, quotas
from bot.store import create_queue as rows
from bot.store.database import Database

log = logging.getLogger(__name__)
Now = Callable[[], datetime]


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


class CreateQueue(QueueDrain):
    """The team's create queue: the requester's side here, the drain in ``QueueDrain``."""

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
                session, user, action="queue", outcome="ok", now=now, detail=audit_detail(request)
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
                detail=audit_detail(request),
            )
        return request


__all__ = ["CreateQueue", "Enqueued", "QueuePolicy", "QueueView"]
