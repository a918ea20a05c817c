"""Where admins see approval requests, and how a requester hears how theirs ended.

The team's approvals channel (``quota approvals #channel|off``), else each admin's DM, holds
a message per request (through an ``ApprovalBoard``: Slack's in ``bot.slack.approval_board``),
brought up to date in place as the request leaves ``pending``. The requester's DM about the
outcome is queued in the outbox, once per state, in the transaction that decides it.
Part of ``ApprovalService`` (``bot.services.approvals``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Protocol

from bot.domain.approvals import ApprovalNotice, ApprovalRequest, PostedMessage
from bot.domain.commands import ChannelRef
from bot.domain.i18n import Locale
from bot.domain.identity import NoticeTarget, SlackUser
from bot.domain.notices import NoticeKind
from bot.services.errors import AdminOnly, ChannelNotPicked
from bot.store import approvals as rows
from bot.store import audit, outbox
from bot.store.database import Database, Session

log = logging.getLogger(__name__)


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


class ApprovalMessages:
    """The admins' messages and the requester's outcome DM of ``ApprovalService``."""

    _db: Database
    _board: ApprovalBoard
    _now: Callable[[], datetime]

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
