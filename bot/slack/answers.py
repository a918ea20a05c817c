"""How each command's answer reads when it is more than a notice, and the answers that are no
command (the create form's image list, the login form's submission, the App Home).

The renderers here are named by the command registry (``bot.domain.commands.registry``, as
``rendered("bot.slack.answers:card")``): pure functions of a ``ReplyContext``, the command and
its last use case's result, returning a ``Message`` or a ``Modal``. The use cases have run
already (``bot.slack.dispatch``), and decided policy; errors are left to the dispatcher.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Literal, cast

from bot.domain.commands import Create, Delete, Help, Links, ListImages, Login, QuotaDigest, Stop
from bot.domain.digest import next_digest_at
from bot.domain.i18n import translate
from bot.domain.instances import Image, Instance, TokenClaims
from bot.domain.quota import longest_running
from bot.scnet.errors import ScnetError
from bot.services.errors import LoginNeeded
from bot.slack.blocks import (
    build_access_url,
    build_confirmation,
    build_create_modal,
    build_created,
    build_help,
    build_home,
    build_images_list,
    build_instance_card,
    build_instance_list,
    build_login_modal,
    build_whoami,
)
from bot.slack.blocks.approvals import build_home_approvals
from bot.slack.blocks.audit import AuditLine, build_audit
from bot.slack.blocks.confirm import CONFIRM_KEYS
from bot.slack.blocks.costs import balance_line
from bot.slack.blocks.create_queue import build_home_queue, cancelled_reply, queue_length_line
from bot.slack.blocks.elements import Block, context
from bot.slack.blocks.modals import LoginForm
from bot.slack.blocks.quota import LongRunner, MemberUsage, build_quota_report, quota_rows
from bot.slack.blocks.quota_notices import build_digest_settings, digest_settings_text
from bot.slack.blocks.reply import Message, Modal, ReplyContext, notice
from bot.slack.replies import Invocation, failure_message

if TYPE_CHECKING:  # the use cases are injected; importing them would load the store
    from bot.domain.commands import Audit, Command, ListInstances, Status, Url
    from bot.domain.digest import TeamDigest
    from bot.domain.secret import Secret
    from bot.services.accounts import AccountService, AccountSummary, WhoAmIView
    from bot.services.approvals import ApprovalService
    from bot.services.audit_log import AuditEntry
    from bot.services.create_queue import CreateQueue
    from bot.services.instances import Created, InstanceService, InstanceView
    from bot.services.quota import QuotaReport, QuotaService

log = logging.getLogger(__name__)


# --- renderers of command answers (see the module docstring) ----------------------------------


def help_page(ctx: ReplyContext, command: Help, _result: None) -> Message:
    blocks = build_help(locale=ctx.locale, topic=command.topic, command=ctx.slash)
    return Message(blocks, translate("help.title", ctx.locale), public=command.public)


def login_form(ctx: ReplyContext, _command: Login, _result: None) -> Modal:
    return Modal(build_login_modal(locale=ctx.locale, private_metadata=ctx.channel_id or ""))


def logout(ctx: ReplyContext, _command: Command, was_logged_in: bool) -> Message:
    if was_logged_in:
        return notice("notice.logged_out", ctx.locale, tone="success")
    return notice("notice.not_logged_in", ctx.locale, command=ctx.slash)


def whoami(ctx: ReplyContext, command: Command, view: WhoAmIView) -> Message:
    claims = _claims(view.summary)
    blocks = build_whoami(
        locale=ctx.locale, claims=claims, now=ctx.now, account=view.account, command=ctx.slash
    )
    return Message(blocks, translate("whoami.title", ctx.locale), public=command.public)


def images(ctx: ReplyContext, command: ListImages, found: Sequence[Image]) -> Message:
    blocks = build_images_list(found, locale=ctx.locale, command=ctx.slash)
    return Message(blocks, translate("images.title", ctx.locale), public=command.public)


def create_form(ctx: ReplyContext, command: Create, _result: None) -> Modal:
    view = build_create_modal(
        (), locale=ctx.locale, prefill=command, private_metadata=ctx.channel_id or ""
    )
    return Modal(view, load_images=True, prefill=command)


def created(ctx: ReplyContext, command: Create, done: Created) -> Message:
    name = done.spec.name
    blocks = build_created(instance_id=done.instance_id, name=name, locale=ctx.locale)
    text = translate("created.text", ctx.locale, name=name, id=done.instance_id)
    return Message(blocks, text, public=command.public)


def instance_list(
    ctx: ReplyContext, command: ListInstances, views: Sequence[InstanceView], page: int = 0
) -> Message:
    costs = {v.instance.id: v.cost for v in views if v.cost is not None}
    blocks = build_instance_list(
        [v.instance for v in views], locale=ctx.locale, page=page, costs=costs
    )
    text = translate("list.title", ctx.locale, count=len(views))
    return Message(blocks, text, public=command.public)


def card(ctx: ReplyContext, command: Status, view: InstanceView) -> Message:
    public = command.public
    blocks = build_instance_card(
        view.instance,
        locale=ctx.locale,
        viewer_is_owner=not public,
        watching=view.watching,
        now=ctx.now,
        cost=view.cost,
    )
    return Message(blocks, f"{view.instance.name}: {view.instance.status}", public=public)


def url(ctx: ReplyContext, _command: Url, found: tuple[Instance, Secret | None]) -> Message:
    instance, access_url = found
    if access_url is None:
        return notice("notice.not_running", ctx.locale, name=instance.name, status=instance.status)
    blocks = build_access_url(
        access_url, instance_id=instance.id, name=instance.name, locale=ctx.locale
    )
    return Message(blocks, translate("notice.ready", ctx.locale, name=instance.name), private=True)


def confirmation(ctx: ReplyContext, command: Stop | Delete, view: InstanceView) -> Message:
    """The question a typed stop or delete asks before acting."""
    action = cast(Literal["stop", "delete"], command.subcommand)
    blocks = build_confirmation(
        action, instance_id=view.instance.id, name=view.instance.name, locale=ctx.locale
    )
    return Message(blocks, translate(CONFIRM_KEYS[action].title, ctx.locale))


def quota_report(ctx: ReplyContext, command: Command, report: QuotaReport) -> Message:
    public = command.public
    blocks = build_quota_report(
        team=quota_rows(report.team_usage, report.team_limits),
        members=[
            MemberUsage(user_id, usage, report.member_limits.get(user_id))
            for user_id, usage in report.members.items()
        ],
        longest=[
            LongRunner(h.name, h.owner_user_id, span)
            for h, span in longest_running(report.holdings, now=ctx.now)
        ],
        # The balance and node limits are the caller's own: they stay out of a shared reply.
        balance=None if public else report.balance,
        node_limits=() if public else report.node_limits,
        locale=ctx.locale,
        spend=report.spend,
        command=ctx.slash,
    )
    if report.queue_length:
        blocks.append(
            context(queue_length_line(report.queue_length, locale=ctx.locale, command=ctx.slash))
        )
    return Message(blocks, translate("quota.team_title", ctx.locale), public=public)


def links(ctx: ReplyContext, command: Links, shares: bool) -> Message:
    if command.enabled is None:
        key = "links.state_on" if shares else "links.state_off"
        return notice(key, ctx.locale, command=ctx.slash)
    if shares:
        return notice("links.on", ctx.locale, tone="warning")
    return notice("links.off", ctx.locale, tone="success")


def digest(ctx: ReplyContext, command: QuotaDigest, settings: TeamDigest | None) -> Message:
    """The digest's settings, as they are or as just changed."""
    locale = ctx.locale
    if settings is None or settings.channel_id is None:
        if command.off:
            return notice("quota.digest_off", locale, tone="success")
        return notice("quota.digest_none", locale, command=ctx.slash)
    next_at = next_digest_at(settings.schedule, now=ctx.now)
    blocks = build_digest_settings(
        channel_id=settings.channel_id,
        schedule=settings.schedule,
        next_at=next_at,
        changed=command.changes,
        locale=locale,
    )
    text = digest_settings_text(
        channel_id=settings.channel_id, schedule=settings.schedule, next_at=next_at, locale=locale
    )
    return Message(blocks, text, public=command.public)


def audit(ctx: ReplyContext, command: Audit, latest: Sequence[AuditEntry]) -> Message:
    lines = [
        AuditLine(e.created_at, e.actor.user_id, e.action, e.instance_id, e.outcome, e.detail)
        for e in latest
    ]
    blocks = build_audit(lines, locale=ctx.locale)
    text = translate("audit.title", ctx.locale, count=len(lines))
    return Message(blocks, text, public=command.public)


def _claims(summary: AccountSummary | None) -> TokenClaims | None:
    """What a usable stored login says of its token; None when there is none to use."""
    if summary is None or summary.needs_login:
        return None
    return TokenClaims(
        user=summary.identity.scnet_user,
        cluster_id=summary.identity.cluster_id,
        expires_at=summary.token_expires_at,
    )


# --- answers that are no command ----------------------------------------------------------------


class Answers:
    """The create form's images, the login form's submission and the App Home."""

    def __init__(
        self,
        *,
        accounts: AccountService,
        instances: InstanceService,
        quota: QuotaService,
        now: Callable[[], datetime],
        queue: CreateQueue | None = None,
        approvals: ApprovalService | None = None,
    ) -> None:
        self._approvals = approvals  # and the creates the user asked of an admin
        self._accounts = accounts
        self._instances = instances
        self._quota = quota
        self._now = now
        self._queue = queue  # the App Home shows the user's own queued creates

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

    async def cancel_queued(self, inv: Invocation, value: str) -> list[Message]:
        """A queued create's [Cancel request]: nothing for a request of another workspace."""
        if self._queue is None or not value.strip().isdigit():
            return []
        cancelled = await self._queue.cancel_pressed(inv.user, int(value))
        if cancelled is None:
            return []
        return [cancelled_reply(cancelled, locale=inv.locale)]

    async def home(self, inv: Invocation) -> Block:
        summary = await self._accounts.summary(inv.user)
        instances: list[Instance] = []
        claims = _claims(summary)
        if claims is not None:
            try:
                instances = [v.instance for v in await self._instances.list(inv.user)]
            except (ScnetError, LoginNeeded) as error:
                log.info("home without the instance list (%s)", type(error).__name__)
        report = await self._quota.report(inv.user.team_id)
        balance = None
        costs = self._quota.costs
        if claims is not None and costs is not None:
            state = await costs.current_balance(inv.user)
            if state is not None and state.balance is not None:
                balance = balance_line(
                    state.balance, checked_at=state.checked_at, low=state.low, locale=inv.locale
                )
        queued: list[Block] = []
        if self._queue is not None:
            mine = await self._queue.mine(inv.user)
            queued = build_home_queue(
                mine.requests, mine.positions, viewer=inv.user, locale=inv.locale, now=self._now()
            )
        if self._approvals is not None:
            asked = await self._approvals.requests_of(inv.user)
            queued += build_home_approvals(asked, locale=inv.locale)
        return build_home(
            locale=inv.locale,
            claims=claims,
            instances=instances,
            queued=queued,
            now=self._now(),
            team_usage=quota_rows(report.team_usage, report.team_limits),
            command=inv.command,
            balance=balance,
        )


__all__ = ["Answers"]
