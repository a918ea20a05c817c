"""The leader's ``approvals`` job: expiring requests past their time, finishing approvals
whose create was cut short, and catching up admin messages that lag their request.

Part of ``ApprovalService`` (``bot.services.approvals``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from bot.domain.approvals import FAILED_INTERRUPTED, FAILED_LOGIN, ApprovalRequest
from bot.domain.identity import SlackOrigin, SlackUser
from bot.scnet.errors import ScnetError
from bot.services.approval_errors import ApprovalUnknown
from bot.services.approval_messages import ApprovalMessages
from bot.services.errors import LoginNeeded, ServiceError
from bot.services.instances import InstanceService
from bot.store import approvals as rows
from bot.store import audit

log = logging.getLogger(__name__)
# An approval still without its outcome this long after the decision was cut short (the
# process died during the create, which takes seconds): it is reconciled by name.
STUCK_AFTER = timedelta(minutes=10)


class ApprovalUpkeep(ApprovalMessages):
    """Expiry and crash reconciliation of ``ApprovalService``."""

    _instances: InstanceService
    on_notice: Callable[[], None]

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

    async def _get(self, request_id: int) -> ApprovalRequest:
        async with self._db.transaction() as session:
            request = await rows.get_request(session, request_id)
        if request is None:
            raise ApprovalUnknown()
        return request
