"""The answer to each command that needs more than one line: its use case, then its blocks.

``Conversation`` dispatches a command to a method here; each one calls the use case in
``bot.services`` (which decides policy: admin rights, quota, audit) and renders the result with
the pure builders of ``bot.slack.blocks``. Errors are left to the caller, which turns them into
a notice (``failure_message``), except where a partial answer is better than none (the create
form without its image list, the Home without its instance list).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from bot.domain.commands import Create, InstanceRef, Links, QuotaDigest
from bot.domain.digest import next_digest_at
from bot.domain.i18n import translate
from bot.domain.instances import AccountInfo, Instance, TokenClaims
from bot.domain.quota import longest_running
from bot.scnet.errors import ScnetError
from bot.services.errors import LoginNeeded
from bot.slack.blocks import (
    build_access_url,
    build_confirmation,
    build_create_modal,
    build_home,
    build_instance_card,
    build_whoami,
)
from bot.slack.blocks.audit import AuditLine, build_audit
from bot.slack.blocks.confirm import CONFIRM_KEYS
from bot.slack.blocks.elements import Block
from bot.slack.blocks.modals import LoginForm
from bot.slack.blocks.quota import LongRunner, MemberUsage, build_quota_report, quota_rows
from bot.slack.blocks.quota_notices import build_digest_settings, digest_settings_text
from bot.slack.replies import Invocation, Message, failure_message, notice

if TYPE_CHECKING:  # the use cases are injected; importing them would load the store
    from bot.services.accounts import AccountService
    from bot.services.audit_log import AuditLog
    from bot.services.channels import ChannelChoices
    from bot.services.instances import InstanceService
    from bot.services.quota import QuotaService

log = logging.getLogger(__name__)


class Answers:
    """The use cases a conversation calls, and how each one's result reads in Slack."""

    def __init__(
        self,
        *,
        accounts: AccountService,
        instances: InstanceService,
        quota: QuotaService,
        channels: ChannelChoices,
        audit_log: AuditLog,
        now: Callable[[], datetime],
    ) -> None:
        self._accounts = accounts
        self._instances = instances
        self._quota = quota
        self._channels = channels
        self._audit_log = audit_log
        self._now = now

    async def whoami(self, inv: Invocation, *, public: bool) -> Message:
        summary = await self._accounts.summary(inv.user)
        claims = None
        account = None
        if summary is not None and not summary.needs_login:
            claims = TokenClaims(
                user=summary.identity.scnet_user,
                cluster_id=summary.identity.cluster_id,
                expires_at=summary.token_expires_at,
            )
            account = await self._account(inv)
        blocks = build_whoami(
            locale=inv.locale, claims=claims, now=self._now(), account=account, command=inv.command
        )
        return Message(blocks, translate("whoami.title", inv.locale), public=public)

    async def _account(self, inv: Invocation) -> AccountInfo | None:
        """The account's status and balance; None when SCNet does not answer, so that whoami
        still shows what the stored login knows (a login that needs renewing and cannot be
        renewed raises ``LoginNeeded``: the user hears to log in again)."""
        try:
            return await self._accounts.account(inv.user)
        except ScnetError as error:
            log.info("whoami without the account (%s)", type(error).__name__)
            return None

    async def card(self, inv: Invocation, ref: InstanceRef, *, public: bool) -> Message:
        view = await self._instances.status(inv.user, ref)
        blocks = build_instance_card(
            view.instance,
            locale=inv.locale,
            viewer_is_owner=not public,
            watching=view.watching,
            now=self._now(),
        )
        return Message(blocks, f"{view.instance.name}: {view.instance.status}", public=public)

    async def url(self, inv: Invocation, ref: InstanceRef) -> Message:
        instance, url = await self._instances.access_url(inv.user, ref)
        if url is None:
            return notice(
                "notice.not_running", inv.locale, name=instance.name, status=instance.status
            )
        blocks = build_access_url(
            url, instance_id=instance.id, name=instance.name, locale=inv.locale
        )
        return Message(
            blocks, translate("notice.ready", inv.locale, name=instance.name), private=True
        )

    async def confirmation(
        self, inv: Invocation, ref: InstanceRef, action: Literal["stop", "delete"]
    ) -> Message:
        view = await self._instances.status(inv.user, ref)
        blocks = build_confirmation(
            action, instance_id=view.instance.id, name=view.instance.name, locale=inv.locale
        )
        return Message(blocks, translate(CONFIRM_KEYS[action].title, inv.locale))

    async def quota_report(self, inv: Invocation, *, public: bool) -> Message:
        report = await self._quota.report(inv.user.team_id, caller=inv.user)
        now = self._now()
        blocks = build_quota_report(
            team=quota_rows(report.team_usage, report.team_limits),
            members=[
                MemberUsage(user_id, usage, report.member_limits.get(user_id))
                for user_id, usage in report.members.items()
            ],
            longest=[
                LongRunner(h.name, h.owner_user_id, span)
                for h, span in longest_running(report.holdings, now=now)
            ],
            # The balance and node limits are the caller's own: they stay out of a shared reply.
            balance=None if public else report.balance,
            node_limits=() if public else report.node_limits,
            locale=inv.locale,
        )
        return Message(blocks, translate("quota.team_title", inv.locale), public=public)

    async def links(self, inv: Invocation, command: Links) -> Message:
        shares = await self._channels.links(
            inv.user, command, channel_id=inv.channel_id, is_admin=inv.is_admin
        )
        if command.enabled is None:
            key = "links.state_on" if shares else "links.state_off"
            return notice(key, inv.locale, command=inv.command)
        if shares:
            return notice("links.on", inv.locale, tone="warning")
        return notice("links.off", inv.locale, tone="success")

    async def digest(self, inv: Invocation, command: QuotaDigest) -> Message:
        """Show the digest's settings, or change them (recorded in the audit log)."""
        locale = inv.locale
        digest = await self._quota.digest_for(
            inv.user, command, is_admin=inv.is_admin, locale=locale
        )
        if digest is None or digest.channel_id is None:
            if command.off:
                return notice("quota.digest_off", locale, tone="success")
            return notice("quota.digest_none", locale, command=inv.command)
        next_at = next_digest_at(digest.schedule, now=self._now())
        blocks = build_digest_settings(
            channel_id=digest.channel_id,
            schedule=digest.schedule,
            next_at=next_at,
            changed=command.changes,
            locale=locale,
        )
        text = digest_settings_text(
            channel_id=digest.channel_id, schedule=digest.schedule, next_at=next_at, locale=locale
        )
        return Message(blocks, text, public=command.public)

    async def audit(self, inv: Invocation, entries: int, *, public: bool) -> Message:
        latest = await self._audit_log.latest_for(inv.user, limit=entries, is_admin=inv.is_admin)
        lines = [
            AuditLine(e.created_at, e.actor.user_id, e.action, e.instance_id, e.outcome, e.detail)
            for e in latest
        ]
        blocks = build_audit(lines, locale=inv.locale)
        return Message(
            blocks, translate("audit.title", inv.locale, count=len(lines)), public=public
        )

    async def create_modal_with_images(self, inv: Invocation, prefill: Create | None) -> Block:
        """The create modal once the images are known; without them the image is a text field."""
        try:
            images = await self._instances.images(inv.user, accelerator=None, image_type=None)
        except (ScnetError, LoginNeeded) as error:
            log.info("create modal without an image list (%s)", type(error).__name__)
            images = ()
        return build_create_modal(
            images, locale=inv.locale, prefill=prefill, private_metadata=inv.channel_id or ""
        )

    async def submit_login(self, inv: Invocation, form: LoginForm) -> Message:
        try:
            if form.token is not None:
                summary = await self._accounts.login_with_token(inv.user, form.token)
            elif form.access_key is not None and form.secret_key is not None and form.user:
                summary = await self._accounts.login_with_keys(
                    inv.user,
                    scnet_user=form.user,
                    access_key=form.access_key,
                    secret_key=form.secret_key,
                    keep_credentials=form.keep_credentials,
                )
            else:
                return notice("login.incomplete", inv.locale, tone="error")
        except Exception as error:
            return failure_message(error, inv)
        name = summary.identity.scnet_user
        return notice("notice.logged_in", inv.locale, tone="success", user=name)

    async def home(self, inv: Invocation) -> Block:
        summary = await self._accounts.summary(inv.user)
        instances: list[Instance] = []
        claims = None
        if summary is not None and not summary.needs_login:
            claims = TokenClaims(
                user=summary.identity.scnet_user,
                cluster_id=summary.identity.cluster_id,
                expires_at=summary.token_expires_at,
            )
            try:
                instances = [v.instance for v in await self._instances.list(inv.user)]
            except (ScnetError, LoginNeeded) as error:
                log.info("home without the instance list (%s)", type(error).__name__)
        report = await self._quota.report(inv.user.team_id)
        return build_home(
            locale=inv.locale,
            claims=claims,
            instances=instances,
            now=self._now(),
            team_usage=quota_rows(report.team_usage, report.team_limits),
            command=inv.command,
        )


__all__ = ["Answers"]
