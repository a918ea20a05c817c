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

::

    ServiceError
    ├── ApprovalUnknown       no such request (a stale button)
    ├── ApprovalDecided       it left pending already: .state, .decided_by
    ├── ApprovalNotAdmin      only admins can approve
    ├── ApprovalNotRequester  only the requester may cancel
    ├── ApprovalAlreadyAsked  the same create is pending already: .request_id
    ├── ApprovalNoAdmin       no channel set and no admin to DM
    └── ApprovalSpecInvalid   the button's create no longer reads as one
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Protocol

from bot.domain.approvals import (
    FAILED_IMAGE,
    FAILED_INTERRUPTED,
    FAILED_LOGIN,
    FAILED_NO_ADMIN,
    FAILED_OTHER,
    REASON_CHARS,
    ApprovalNotice,
    ApprovalRequest,
    ApprovalState,
    PostedMessage,
    Refusal,
    SpecSummary,
    Standing,
    standings,
)
from bot.domain.commands import ChannelRef, Create, command_text, parse_command
from bot.domain.i18n import Locale
from bot.domain.identity import NoticeTarget, SlackOrigin, SlackUser
from bot.domain.notices import NoticeKind
from bot.domain.quota import Usage
from bot.scnet.errors import ScnetError
from bot.services.approval_errors import (
    ApprovalAlreadyAsked,
    ApprovalDecided,
    ApprovalNoAdmin,
    ApprovalNotAdmin,
    ApprovalNotRequester,
    ApprovalSpecInvalid,
    ApprovalUnknown,
)
from bot.services.errors import (
    AdminOnly,
    ChannelNotPicked,
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
from bot.store import audit, outbox
from bot.store.database import Database, Session

log = logging.getLogger(__name__)
Now = Callable[[], datetime]
APPROVAL_TTL = timedelta(hours=24)
# An approval still without its outcome this long after the decision was cut short (the
# process died during the create, which takes seconds): it is reconciled by name.
STUCK_AFTER = timedelta(minutes=10)


class ApprovalBoard(Protocol):
    """Where admins see requests (Slack's: ``bot.slack.approval_board``)."""

    async def admins(self, team_id: str, candidates: Sequence[str]) -> list[str]:
        """The user ids among ``candidates`` (and the configured bot admins) who are admins."""
        ...

    async def post(
        self,
        request: ApprovalRequest,
        *,
        channel_id: str | None,
        user_id: str | None,
        locale: Locale | None = None,
    ) -> PostedMessage | None:
        """Post the request in a channel (in ``locale``), or in an admin's DM (in theirs);
        None when it could not be."""
        ...

    async def show(self, request: ApprovalRequest, message: PostedMessage) -> bool:
        """Update ``message`` in place to show the request as it stands; False on failure."""
        ...


class NoBoard:
    """A board for front ends without Slack (the console): no admin can be reached."""

    async def admins(self, team_id: str, candidates: Sequence[str]) -> list[str]:
        return []

    async def post(
        self,
        request: ApprovalRequest,
        *,
        channel_id: str | None,
        user_id: str | None,
        locale: Locale | None = None,
    ) -> PostedMessage | None:
        return None

    async def show(self, request: ApprovalRequest, message: PostedMessage) -> bool:
        return True


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


class ApprovalService:
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

    def use_board(self, board: ApprovalBoard) -> None:
        """The Slack app's board, once the app exists (the runtime is built before it)."""
        self._board = board

    # --- where requests go ------------------------------------------------------------------

    async def channel(self, team_id: str) -> str | None:
        async with self._db.transaction() as session:
            found = await rows.get_channel(session, team_id)
        return found[0] if found else None

    async def set_channel(
        self,
        actor: SlackUser,
        channel: ChannelRef | None,
        *,
        off: bool,
        is_admin: bool,
        locale: Locale,
    ) -> str | None:
        """``quota approvals [#channel|off]``: the channel requests are posted in after the
        change (None: each admin's DM); admins only, the channel from Slack's list, audited."""
        if not is_admin:
            raise AdminOnly()
        if channel is None and not off:
            return await self.channel(actor.team_id)
        if channel is not None and channel.kind != "channel_id":
            raise ChannelNotPicked()
        channel_id = None if off or channel is None else channel.value
        async with self._db.transaction() as session:
            await rows.set_channel(
                session, actor.team_id, channel_id=channel_id, locale=locale, now=self._now()
            )
            await audit.record(
                session,
                actor,
                action="approval_channel",
                outcome="ok",
                now=self._now(),
                detail=channel_id or "dm",
            )
        return channel_id

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

    async def _post(
        self,
        request: ApprovalRequest,
        *,
        target: tuple[str, Locale | None] | None,
        known: Sequence[str],
    ) -> list[PostedMessage]:
        """Show the request in the team's approvals channel; in each admin's DM when there
        is none, or the bot cannot post there (not invited, archived)."""
        if target is not None:
            message = await self._board.post(
                request, channel_id=target[0], user_id=None, locale=target[1]
            )
            if message is not None:
                await self._keep(request, message)
                return [message]
            log.warning("approvals channel unusable; asking the admins in their DMs")
        posted: list[PostedMessage] = []
        for admin in await self._board.admins(request.team_id, known):
            message = await self._board.post(request, channel_id=None, user_id=admin)
            if message is not None:
                await self._keep(request, message)
                posted.append(message)
        return posted

    async def _keep(self, request: ApprovalRequest, message: PostedMessage) -> None:
        async with self._db.transaction() as session:
            await rows.add_message(session, request.id, message)

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

    # --- expiry and the admins' messages --------------------------------------------------

    async def expire_due(self) -> int:
        """Expire pending requests past their time (the leader's job), telling each requester;
        then bring every admin message that lags its request's state up to date."""
        async with self._db.transaction() as session:
            due = await rows.due_to_expire(session, now=self._now())
        expired = 0
        for request_id in due:
            if await self._expire_one(request_id) is not None:
                expired += 1
        async with self._db.transaction() as session:
            stuck = await rows.stuck_approvals(session, decided_before=self._now() - STUCK_AFTER)
        for request_id in stuck:
            await self._reconcile(request_id)
        async with self._db.transaction() as session:
            stale = await rows.stale_messages(session)
        for request in stale:
            await self.refresh(request)
        return expired

    async def _reconcile(self, request_id: int) -> None:
        """Finish an approval whose create was cut short: the requester's instance of that
        name, if SCNet has it, is adopted (tracked, watched) as its outcome; else it failed.
        Never a second create: only SCNet's list decides, and nothing is created here."""
        request = await self._get(request_id)
        origin = (
            SlackOrigin(request.origin_channel_id, request.origin_thread_ts)
            if request.origin_channel_id
            else None
        )
        failure = FAILED_INTERRUPTED
        try:
            found = await self._instances.find_named(request.requester, request.spec.name)
        except LoginNeeded:
            found, failure = None, FAILED_LOGIN  # whatever SCNet has, nobody can look
        except (ServiceError, ScnetError) as error:
            log.info("approval #%d not reconciled yet (%s)", request_id, type(error).__name__)
            return  # SCNet may answer next time
        now = self._now()
        actor = SlackUser(request.team_id, request.decided_by or "")
        if found is not None:
            await self._instances.adopt(
                request.requester, found, origin=origin, detail=f"approval #{request_id}"
            )
        async with self._db.transaction() as session:
            if found is not None:
                settled = await rows.settle(session, request_id, instance_id=found.id)
            else:
                settled = await rows.settle(session, request_id, failure=failure)
            if not settled:
                return
            current = await rows.get_request(session, request_id)
            assert current is not None
            await audit.record(
                session,
                actor,
                action="approval_approve" if found is not None else "approval_fail",
                outcome="reconciled" if found is not None else failure.rsplit(".", 1)[-1],
                now=now,
                instance_id=found.id if found is not None else None,
                detail=f"#{request_id} for {request.requester.user_id} {request.spec.name}",
            )
            await self._tell_requester(session, current, now=now)
        self.on_notice()
        await self.refresh(current, force=True)

    async def _expire_one(self, request_id: int) -> ApprovalRequest | None:
        now = self._now()
        async with self._db.transaction() as session:
            request = await rows.get_request(session, request_id)
            if request is None or not request.pending or request.expires_at > now:
                return None
            if not await rows.decide(
                session, request_id, to="expired", by=None, now=now, unexpired=False
            ):
                return None
            expired = await rows.get_request(session, request_id)
            assert expired is not None
            await audit.record(
                session,
                request.requester,
                action="approval_expire",
                outcome="expired",
                now=now,
                detail=f"#{request_id} {request.spec.name}",
            )
            await self._tell_requester(session, expired, now=now)
        self.on_notice()
        await self.refresh(expired)
        return expired

    async def refresh(self, request: ApprovalRequest, *, force: bool = False) -> None:
        """Show ``request`` as it stands in every admin message that lags it (idempotent:
        a message already showing its state is left alone, unless ``force``: an approval
        that has just got its instance, in the same state)."""
        for message in request.messages:
            if message.shown_state == request.state and not force:
                continue
            if not await self._board.show(request, message):
                continue  # the approvals job tries again
            async with self._db.transaction() as session:
                await rows.mark_shown(
                    session, request.id, channel_id=message.channel_id, state=request.state
                )

    async def requests_of(self, user: SlackUser) -> list[ApprovalRequest]:
        """The user's requests still waiting on an admin."""
        async with self._db.transaction() as session:
            return await rows.list_for_requester(session, user)

    async def get(self, request_id: int) -> ApprovalRequest:
        return await self._get(request_id)

    async def _get(self, request_id: int) -> ApprovalRequest:
        async with self._db.transaction() as session:
            request = await rows.get_request(session, request_id)
        if request is None:
            raise ApprovalUnknown()
        return request

    async def _tell_requester(
        self, session: Session, request: ApprovalRequest, *, now: datetime
    ) -> None:
        """Queue the requester's DM about how their request ended, once per state."""
        await outbox.enqueue(
            session,
            f"approval:{request.id}:{request.state}",
            team_id=request.team_id,
            target=NoticeTarget.dm(request.requester.user_id),
            kind=NoticeKind.APPROVAL_RESULT,
            payload={
                "owner": request.requester.user_id,
                "approval": ApprovalNotice.of(request).to_json(),
            },
            now=now,
        )


def _same_create(text: str, command: Create) -> bool:
    """Whether a pending request's create is ``command`` asked again (a create that named no
    instance was given a name when asked: it matches whatever that name is)."""
    asked = parse_command(text)
    if not isinstance(asked, Create):
        return False
    if command.name is None:
        asked = replace(asked, name=None)
    return asked == replace(command, force=False, public=False, ask=False)
