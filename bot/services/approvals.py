"""Asking an admin: a create past the team's limits, approved or denied from a message.

A member whose create the limits refused (``LimitRefusal``) asks an admin, from the refusal
card's button or with ``create ... --ask``. ``ask`` tries the create first (capacity may have
freed since), and only a refusal files a request: the whole create as text (its instance name
fixed now), what it resolved to, the numbers against the limits, posted where the team's
admins look (the channel ``quota approvals #channel`` set, else a DM to each admin) through an
``ApprovalBoard`` (Slack's in ``bot.slack.approval_board``).

Policy, all here: only admins decide (workspace admins/owners and ``BOT_ADMINS``, as
``Invocation.is_admin`` says); someone from another workspace is ignored; a request leaves
``pending`` once (``bot.store.approvals.decide``: one conditional UPDATE), so of two admins
pressing at once one decides and the other hears who did. Approve creates the instance as
the requester, with their own SCNet token, through ``InstanceService.create`` past the limit
check (an admin approved it), tracked and watched as any create. Every decision is audited.
The requester hears the outcome in a DM queued in the outbox in the same transaction as it
(``approval.result``: exactly once, across restarts); the admins' message is updated in place
(``ApprovalBoard.show``), and a message that could not be updated is again by the leader's
``approvals`` job, which also expires requests older than ``APPROVAL_TTL_HOURS``.

The requests' messages and the requester's outcome DM are ``bot.services.approval_messages``;
the leader's job that expires requests and finishes cut-short approvals is
``bot.services.approval_upkeep``. What else it can answer: ``bot.services.approval_errors``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from bot.domain.approvals import (
    FAILED_IMAGE,
    FAILED_LOGIN,
    FAILED_NO_ADMIN,
    FAILED_OTHER,
    REASON_CHARS,
    ApprovalRequest,
    ApprovalState,
    Refusal,
    SpecSummary,
    Standing,
    standings,
)
from bot.domain.commands import Create, command_text, parse_command
from bot.domain.identity import SlackOrigin, SlackUser
from bot.domain.quota import Usage
from bot.scnet.errors import ScnetError
from bot.services.approval_errors import (
    ApprovalAlreadyAsked,
    ApprovalDecided,
    ApprovalNoAdmin,
    ApprovalNotAdmin,
    ApprovalNotRequester,
    ApprovalSpecInvalid,
)
from bot.services.approval_messages import ApprovalBoard
from bot.services.approval_upkeep import ApprovalUpkeep
from bot.services.errors import (
    ImageOtherAccelerator,
    ImageUnknown,
    LimitRefusal,
    LoginNeeded,
    ServiceError,
)
from bot.services.instances import Created, InstanceService
from bot.services.quota import QuotaService
from bot.store import accounts as account_rows
from bot.store import approvals as rows
from bot.store import audit
from bot.store.database import Database

log = logging.getLogger(__name__)
Now = Callable[[], datetime]
APPROVAL_TTL = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class Asked:
    """The outcome of ``ask``: the request filed, or (it fits now) the instance created."""

    request: ApprovalRequest | None = None
    created: Created | None = None
    hours: int = 24  # how long the request waits for an admin (``APPROVAL_TTL_HOURS``)


@dataclass(frozen=True, slots=True)
class Approved:
    request: ApprovalRequest
    created: Created | None  # None: the create failed (``request.failure`` says why)


class ApprovalService(ApprovalUpkeep):
    def __init__(
        self,
        *,
        db: Database,
        instances: InstanceService,
        quota: QuotaService,
        board: ApprovalBoard,
        now: Now,
        ttl: timedelta = APPROVAL_TTL,
        on_notice: Callable[[], None] = lambda: None,
    ) -> None:
        self._db = db
        self._instances = instances
        self._quota = quota
        self._board = board
        self._now = now
        self._ttl = ttl
        self.on_notice = on_notice

    # --- asking -----------------------------------------------------------------------------

    async def ask(
        self, user: SlackUser, command: Create, *, origin: SlackOrigin | None, is_admin: bool
    ) -> Asked:
        """Create now if the limits allow it, else file a request for an admin."""
        command = replace(command, force=False, public=False, ask=False)
        try:
            created = await self._instances.create(user, command, origin=origin, is_admin=is_admin)
        except LimitRefusal as refusal:
            filed = await self.file(user, command, refusal, origin=origin)
            return Asked(request=filed, hours=self.ttl_hours)
        return Asked(created=created, hours=self.ttl_hours)

    @property
    def ttl_hours(self) -> int:
        return max(1, round(self._ttl.total_seconds() / 3600))

    async def file(
        self,
        user: SlackUser,
        command: Create,
        refusal: LimitRefusal,
        *,
        origin: SlackOrigin | None,
    ) -> ApprovalRequest:
        """File a request for ``command`` (which ``refusal`` refused) and show it to admins."""
        spec = await self._instances.resolve(user, command)
        # The name is fixed now, so the requester knows what to look for, and the admin too.
        fixed = replace(command, name=spec.name, force=False, public=False, ask=False)
        text = command_text(fixed)
        standing = await self._standing(user, Usage.of(spec.resources))
        now = self._now()
        async with self._db.transaction() as session:
            for existing in await rows.list_for_requester(session, user):
                if _same_create(existing.command_text, command):
                    raise ApprovalAlreadyAsked(existing)
            request = await rows.add_request(
                session,
                user,
                command_text=text,
                spec=SpecSummary.of(spec),
                standing=standing,
                refusal=Refusal(refusal.message_key, dict(refusal.params)),
                origin=origin,
                now=now,
                expires_at=now + self._ttl,
            )
            await audit.record(
                session,
                user,
                action="approval_ask",
                outcome="ok",
                now=now,
                detail=f"#{request.id} {spec.name} {spec.version}",
            )
            target = await rows.get_channel(session, user.team_id)
            known = [
                a.user.user_id
                for a in await account_rows.list_accounts(session, usable_only=False)
                if a.user.team_id == user.team_id
            ]
        posted = await self._post(request, target=target, known=known)
        if not posted:
            async with self._db.transaction() as session:
                await rows.mark_failed(session, request.id, failure=FAILED_NO_ADMIN, now=now)
                await audit.record(
                    session,
                    user,
                    action="approval_ask",
                    outcome="no_admin",
                    now=now,
                    detail=f"#{request.id}",
                )
            raise ApprovalNoAdmin()
        return replace(request, messages=tuple(posted))

    async def _standing(self, user: SlackUser, requested: Usage) -> tuple[Standing, ...]:
        report = await self._quota.report(user.team_id)
        return standings(
            requested,
            team_used=report.team_usage,
            team_limits=report.team_limits,
            member_used=report.members.get(user.user_id, Usage()),
            member_limits=report.member_limits.get(user.user_id),
        )

    # --- deciding ---------------------------------------------------------------------------

    async def pending(
        self, actor: SlackUser, request_id: int, *, is_admin: bool
    ) -> ApprovalRequest | None:
        """The request if ``actor`` may decide it now (None: another workspace, ignore)."""
        request = await self._get(request_id)
        if request.team_id != actor.team_id:
            return None
        if not is_admin:
            raise ApprovalNotAdmin()
        if not request.pending:
            raise ApprovalDecided(request)
        if request.expires_at <= self._now():
            expired = await self._expire_one(request.id)
            raise ApprovalDecided(expired or await self._get(request.id))
        return request

    async def approve(
        self, actor: SlackUser, request_id: int, *, is_admin: bool
    ) -> Approved | None:
        """Approve and create as the requester; None for a press from another workspace."""
        request = await self.pending(actor, request_id, is_admin=is_admin)
        if request is None:
            return None
        decided = await self._decide(request, actor, to="approved")
        try:
            created = await self._create(decided)
        except Exception as error:  # a refusal, or a bug: either way both sides hear of it
            if not isinstance(error, ServiceError | ScnetError):
                log.exception("approved create #%d failed", request.id)
            failed = await self._settle_failure(decided, actor, error)
            await self.refresh(failed)
            return Approved(failed, None)
        now = self._now()
        async with self._db.transaction() as session:
            await rows.settle(session, request.id, instance_id=created.instance_id)
            settled = await rows.get_request(session, request.id)
            assert settled is not None
            await audit.record(
                session,
                actor,
                action="approval_approve",
                outcome="ok",
                now=now,
                instance_id=created.instance_id,
                detail=f"#{request.id} for {request.requester.user_id} {request.spec.name}",
            )
            await self._tell_requester(session, settled, now=now)
        self.on_notice()
        await self.refresh(settled, force=True)  # it may show "creating…" already
        return Approved(settled, created)

    async def _create(self, request: ApprovalRequest) -> Created:
        command = parse_command(request.command_text)
        if not isinstance(command, Create) or command.image is None:
            raise ApprovalSpecInvalid()
        origin = (
            SlackOrigin(request.origin_channel_id, request.origin_thread_ts)
            if request.origin_channel_id
            else None
        )
        # An admin approved it: past the team's limits and budgets, as the requester, with
        # their own token.
        return await self._instances.create(
            request.requester, command, origin=origin, quota_checked=True, approved=True
        )

    async def _settle_failure(
        self, request: ApprovalRequest, actor: SlackUser, error: Exception
    ) -> ApprovalRequest:
        detail: Refusal | None = None
        if isinstance(error, LoginNeeded):
            failure = FAILED_LOGIN
        elif isinstance(error, ImageUnknown | ImageOtherAccelerator):
            failure = FAILED_IMAGE
        else:
            failure = FAILED_OTHER
            key = getattr(error, "message_key", "notice.unexpected")
            params = getattr(error, "params", {})
            detail = Refusal(str(key), dict(params) if isinstance(params, dict) else {})
        now = self._now()
        async with self._db.transaction() as session:
            await rows.settle(session, request.id, failure=failure, failure_detail=detail)
            failed = await rows.get_request(session, request.id)
            assert failed is not None
            await audit.record(
                session,
                actor,
                action="approval_fail",
                outcome=type(error).__name__,
                now=now,
                detail=f"#{request.id} for {request.requester.user_id} {failure}",
            )
            await self._tell_requester(session, failed, now=now)
        self.on_notice()
        return failed

    async def deny(
        self, actor: SlackUser, request_id: int, *, reason: str | None, is_admin: bool
    ) -> ApprovalRequest | None:
        """Deny with an optional reason; None for a press from another workspace."""
        request = await self.pending(actor, request_id, is_admin=is_admin)
        if request is None:
            return None
        reason = (reason or "").strip()[:REASON_CHARS] or None
        denied = await self._decide(request, actor, to="denied", reason=reason)
        await self.refresh(denied)
        return denied

    async def cancel(self, actor: SlackUser, request_id: int) -> ApprovalRequest | None:
        """The requester takes their request back; None from another workspace."""
        request = await self._get(request_id)
        if request.team_id != actor.team_id:
            return None
        if request.requester != actor:
            raise ApprovalNotRequester()
        if not request.pending:
            raise ApprovalDecided(request)
        cancelled = await self._decide(request, actor, to="cancelled", unexpired=False)
        await self.refresh(cancelled)
        return cancelled

    async def _decide(
        self,
        request: ApprovalRequest,
        actor: SlackUser,
        *,
        to: ApprovalState,
        reason: str | None = None,
        unexpired: bool = True,
    ) -> ApprovalRequest:
        """Leave pending, once: whoever's UPDATE matches the row decides; anyone else hears
        how it was decided (``ApprovalDecided``)."""
        now = self._now()
        async with self._db.transaction() as session:
            won = await rows.decide(
                session,
                request.id,
                to=to,
                by=actor.user_id,
                now=now,
                reason=reason,
                unexpired=unexpired,
            )
            current = await rows.get_request(session, request.id)
            assert current is not None
            if won:
                action = {"approved": "approval_approve", "denied": "approval_deny"}.get(
                    to, "approval_cancel"
                )
                await audit.record(
                    session,
                    actor,
                    action=action,
                    outcome="decided",
                    now=now,
                    detail=(
                        f"#{request.id} for {request.requester.user_id} {request.spec.name}"
                        + (f": {reason}" if reason else "")
                    ),
                )
                if to != "approved":  # an approval tells once the create's outcome is known
                    await self._tell_requester(session, current, now=now)
        if not won:
            if current.pending:  # not decided, only past its expiry
                expired = await self._expire_one(request.id)
                raise ApprovalDecided(expired or current)
            raise ApprovalDecided(current)
        if to != "approved":
            self.on_notice()
        return current

    async def requests_of(self, user: SlackUser) -> list[ApprovalRequest]:
        """The user's requests still waiting on an admin."""
        async with self._db.transaction() as session:
            return await rows.list_for_requester(session, user)

    async def get(self, request_id: int) -> ApprovalRequest:
        return await self._get(request_id)


def _same_create(text: str, command: Create) -> bool:
    """Whether a pending request's create is ``command`` asked again (a create that named no
    instance was given a name when asked: it matches whatever that name is)."""
    asked = parse_command(text)
    if not isinstance(asked, Create):
        return False
    if command.name is None:
        asked = replace(asked, name=None)
    return asked == replace(command, force=False, public=False, ask=False)
