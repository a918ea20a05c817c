"""What the approvals' buttons and form answer: ask, approve, deny (a modal), cancel.

The Slack adapter (``bot.slack.app``) hands each press here with the presser's
``Invocation`` (their workspace, language and admin rights) and delivers what comes back
privately to them. None means "say nothing": a press from another workspace than the
request's does nothing at all. Policy is the use case's (``bot.services.approvals``); this
only turns its outcomes into messages.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from bot.domain.commands import Create
from bot.domain.i18n import translate
from bot.services.approval_errors import ApprovalDecided
from bot.slack.blocks.approvals import (
    asked_reply,
    build_decided,
    build_deny_modal,
    decided_text,
    failure_text,
)
from bot.slack.blocks.elements import section
from bot.slack.blocks.quota import mention
from bot.slack.blocks.refusal import spec_command
from bot.slack.blocks.wording import words, words_with
from bot.slack.replies import Invocation, Message, Modal, failure_message, notice

if TYPE_CHECKING:  # the use case is injected; importing it would load the store
    from bot.services.approvals import ApprovalService

log = logging.getLogger(__name__)


def utc_now() -> datetime:
    return datetime.now(UTC)


def _request_id(value: str) -> int | None:
    return int(value) if value.strip().isdigit() else None


class ApprovalActions:
    def __init__(
        self, approvals: ApprovalService, *, now: Callable[[], datetime] = utc_now
    ) -> None:
        self._approvals = approvals
        self._now = now

    def _failure(self, error: Exception, inv: Invocation) -> Message:
        if isinstance(error, ApprovalDecided):
            request = error.request
            return Message(
                build_decided(request, locale=inv.locale),
                decided_text(request, locale=inv.locale),
            )
        return failure_message(error, inv)

    async def ask(self, inv: Invocation, value: str) -> Message:
        """[Ask an admin] on a refusal card: its value is the create."""
        command = spec_command(value)
        if command is None:
            return notice("approval.spec_invalid", inv.locale, tone="warning")
        return await self.ask_for(inv, command)

    async def ask_for(self, inv: Invocation, command: Create) -> Message:
        """``create ... --ask`` too: created at once if it fits now, else a request filed."""
        try:
            asked = await self._approvals.ask(
                inv.user, command, origin=inv.origin, is_admin=inv.is_admin
            )
        except Exception as error:
            return self._failure(error, inv)
        return asked_reply(inv.context(self._now()), command, asked)

    async def approve(self, inv: Invocation, value: str) -> Message | None:
        request_id = _request_id(value)
        if request_id is None:
            return notice("approval.unknown", inv.locale, tone="warning")
        try:
            outcome = await self._approvals.approve(inv.user, request_id, is_admin=inv.is_admin)
        except Exception as error:
            return self._failure(error, inv)
        if outcome is None:
            return None
        request = outcome.request
        requester = mention(request.requester.user_id)
        if outcome.created is None:
            why = failure_text(
                request.failure,
                request.failure_detail,
                image=request.spec.image,
                locale=inv.locale,
                command=inv.command,
                admin=True,
            )
            text = words("approval.approve_failed", inv.locale, why=why)
            return Message(
                [section(f":warning: {text}")],
                translate("approval.approve_failed", inv.locale, why=why),
            )
        text = words_with(
            "approval.approved_by_you",
            inv.locale,
            markup={"requester": requester},
            name=request.spec.name,
        )
        plain = translate(
            "approval.approved_by_you",
            inv.locale,
            requester=f"<@{request.requester.user_id}>",
            name=request.spec.name,
        )
        return Message([section(f":white_check_mark: {text}")], plain)

    async def deny_form(self, inv: Invocation, value: str) -> Modal | Message | None:
        """[Deny]: the reason's modal, once the presser may deny it (checked first, so a
        non-admin or a decided request gets its answer instead of a form)."""
        request_id = _request_id(value)
        if request_id is None:
            return notice("approval.unknown", inv.locale, tone="warning")
        try:
            request = await self._approvals.pending(inv.user, request_id, is_admin=inv.is_admin)
        except Exception as error:
            return self._failure(error, inv)
        if request is None:
            return None
        return Modal(build_deny_modal(request, locale=inv.locale, channel_id=inv.channel_id or ""))

    async def deny(self, inv: Invocation, request_id: int, reason: str | None) -> Message | None:
        try:
            request = await self._approvals.deny(
                inv.user, request_id, reason=reason, is_admin=inv.is_admin
            )
        except Exception as error:
            return self._failure(error, inv)
        if request is None:
            return None
        requester = mention(request.requester.user_id)
        text = words_with(
            "approval.denied_by_you", inv.locale, markup={"requester": requester}, id=request.id
        )
        plain = translate(
            "approval.denied_by_you",
            inv.locale,
            requester=f"<@{request.requester.user_id}>",
            id=request.id,
        )
        return Message([section(f":no_entry: {text}")], plain)

    async def cancel(self, inv: Invocation, value: str) -> Message | None:
        request_id = _request_id(value)
        if request_id is None:
            return notice("approval.unknown", inv.locale, tone="warning")
        try:
            request = await self._approvals.cancel(inv.user, request_id)
        except Exception as error:
            return self._failure(error, inv)
        if request is None:
            return None
        return notice("approval.cancelled", inv.locale, tone="success", id=request.id)
