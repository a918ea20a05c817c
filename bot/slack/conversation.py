"""What the bot answers: commands, button presses and form submissions turned into replies.

Nothing here knows Bolt or HTTP. The Slack adapter (``bot.slack.app``) and the console
(``bot.console``) both feed this module and deliver what it returns: ``Message`` (Block Kit
plus a fallback text, ephemeral unless the user asked for ``--public``) and ``Modal`` (a view
to open with the interaction's trigger id). Every failure a user can cause or meet becomes a
notice in their language; nothing escapes as an exception.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final, Literal

from bot.domain.commands import (
    Audit,
    Command,
    Create,
    Delete,
    Help,
    InstanceRef,
    Lang,
    Links,
    ListImages,
    ListInstances,
    Login,
    Logout,
    Quota,
    QuotaDigest,
    QuotaSet,
    Restart,
    Status,
    Stop,
    Unwatch,
    Url,
    UsageError,
    Watch,
    WhoAmI,
    card_command,
    parse_command,
    parse_slack_text,
)
from bot.domain.commands.create import create_from_fields
from bot.domain.digest import next_digest_at
from bot.domain.i18n import Locale, translate
from bot.domain.identity import SlackOrigin, SlackUser
from bot.domain.instances import Instance, TokenClaims
from bot.domain.quota import longest_running
from bot.scnet.errors import ScnetError
from bot.services.accounts import AccountService
from bot.services.audit_log import AuditLog
from bot.services.channels import ChannelChoices
from bot.services.errors import (
    AdminOnly,
    ChannelNotPicked,
    LoginNeeded,
    MemberNotMentioned,
    NotInChannel,
    ServiceError,
)
from bot.services.instances import InstanceService
from bot.services.preferences import Preferences
from bot.services.quota import QuotaService
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
    build_notice,
    build_usage_error,
    build_whoami,
    ids,
    submission_errors,
)
from bot.slack.blocks.audit import AuditLine, build_audit
from bot.slack.blocks.confirm import CONFIRM_KEYS
from bot.slack.blocks.elements import Block
from bot.slack.blocks.modals import LoginForm
from bot.slack.blocks.quota import LongRunner, MemberUsage, build_quota_report, quota_rows
from bot.slack.blocks.quota_notices import build_digest_settings, digest_settings_text

log = logging.getLogger(__name__)
Tone = Literal["info", "success", "warning", "error"]


@dataclass(frozen=True, slots=True)
class Invocation:
    """Who asked, where, and in which language."""

    user: SlackUser
    locale: Locale
    channel_id: str | None = None
    thread_ts: str | None = None
    command: str = "/scnet"
    is_admin: bool = False

    @property
    def origin(self) -> SlackOrigin | None:
        if not self.channel_id:
            return None
        return SlackOrigin(channel_id=self.channel_id, thread_ts=self.thread_ts)


@dataclass(frozen=True, slots=True)
class Message:
    blocks: list[Block]
    text: str
    public: bool = False  # the user asked to share it in the channel
    # Holds a secret (the access URL): only ever ephemeral to the caller or in their DM.
    private: bool = False


@dataclass(frozen=True, slots=True)
class Modal:
    view: Block
    # Filled in after the modal is open (the images list is an SCNet call; trigger ids
    # expire after 3 s, so the modal opens first and is updated when the images arrive).
    load_images: bool = False
    prefill: Create | None = None


Reply = Message | Modal


def notice(key: str, locale: Locale, *, tone: Tone = "info", **params: object) -> Message:
    return Message(
        blocks=build_notice(key, locale=locale, tone=tone, params=params),
        text=translate(key, locale, **params),
    )


def failure_message(error: Exception, inv: Invocation) -> Message:
    """The notice for anything a use case raised; unexpected errors are logged, not shown.

    Both error trees (``bot.services.errors``, ``bot.scnet.errors``) name their catalog text
    and its params; only the tone is decided here.
    """
    if isinstance(error, ServiceError | ScnetError):
        tone: Tone = "warning" if isinstance(error, _WARNINGS) else "error"
        return notice(error.message_key, inv.locale, tone=tone, command=inv.command, **error.params)
    log.error("unexpected error answering %s", type(error).__name__, exc_info=error)
    return notice("notice.unexpected", inv.locale, tone="error")


# What the user can put right themselves (log in, ask an admin): a warning, not an error.
_WARNINGS: Final = (LoginNeeded, AdminOnly, MemberNotMentioned, ChannelNotPicked, NotInChannel)


class Conversation:
    def __init__(
        self,
        *,
        accounts: AccountService,
        instances: InstanceService,
        quota: QuotaService,
        preferences: Preferences,
        channels: ChannelChoices,
        audit_log: AuditLog,
        now: Callable[[], datetime],
        concurrency: int = 100,
    ) -> None:
        # Bounds the use cases in flight: after a burst of acked commands the rest queue here
        # instead of all holding requests, sessions and their garbage at once. Modals never
        # wait on it (their trigger id lasts 3 s).
        self._busy = asyncio.Semaphore(concurrency)
        self._accounts = accounts
        self._instances = instances
        self._quota = quota
        self._preferences = preferences
        self._channels = channels
        self._audit_log = audit_log
        self._now = now

    # --- slash commands ---------------------------------------------------------------------

    async def command(self, inv: Invocation, text: str, *, from_slack: bool = False) -> list[Reply]:
        """``from_slack``: the text is as Slack sends it, with &, < and > escaped."""
        parsed = parse_slack_text(text) if from_slack else parse_command(text)
        if isinstance(parsed, UsageError):
            return [
                Message(
                    blocks=build_usage_error(parsed, locale=inv.locale, command=inv.command),
                    text=parsed.message(inv.locale),
                )
            ]
        return await self.run(inv, parsed)

    async def run(self, inv: Invocation, command: Command) -> list[Reply]:
        """Answer ``command``, typed or meant by a button (the Home's Log in is ``Login()``)."""
        modal = self._modal_for(inv, command)
        if modal is not None:
            return [modal]
        return list(await self._guarded(inv, lambda: self._run(inv, command)))

    def _modal_for(self, inv: Invocation, command: Command) -> Modal | None:
        if isinstance(command, Login) and command.token is None:
            return Modal(
                build_login_modal(locale=inv.locale, private_metadata=inv.channel_id or "")
            )
        if isinstance(command, Create) and command.image is None:
            view = build_create_modal(
                (), locale=inv.locale, prefill=command, private_metadata=inv.channel_id or ""
            )
            return Modal(view, load_images=True, prefill=command)
        return None

    async def _guarded(
        self, inv: Invocation, run: Callable[[], Awaitable[Sequence[Message]]]
    ) -> Sequence[Message]:
        try:
            async with self._busy:
                return await run()
        except Exception as error:
            return [failure_message(error, inv)]

    async def _run(self, inv: Invocation, command: Command) -> Sequence[Message]:
        public = command.public
        locale = inv.locale
        match command:
            case Help(topic=topic):
                blocks = build_help(locale=locale, topic=topic, command=inv.command)
                return [Message(blocks, translate("help.title", locale), public=public)]
            case Login(token=token) if token is not None:
                summary = await self._accounts.login_with_token(inv.user, token)
                return [
                    notice(
                        "notice.logged_in", locale, tone="success", user=summary.identity.scnet_user
                    )
                ]
            case Logout():
                if await self._accounts.logout(inv.user):
                    return [notice("notice.logged_out", locale, tone="success")]
                return [notice("notice.not_logged_in", locale, command=inv.command)]
            case WhoAmI():
                return [await self._whoami(inv, public=public)]
            case ListImages(accelerator=accelerator, image_type=image_type):
                images = await self._instances.images(
                    inv.user, accelerator=accelerator, image_type=image_type
                )
                blocks = build_images_list(images, locale=locale, command=inv.command)
                return [Message(blocks, translate("images.title", locale), public=public)]
            case Create():
                created = await self._instances.create(
                    inv.user, command, origin=inv.origin, is_admin=inv.is_admin
                )
                blocks = build_created(
                    instance_id=created.instance_id, name=created.spec.name, locale=locale
                )
                text = translate(
                    "created.text", locale, name=created.spec.name, id=created.instance_id
                )
                return [Message(blocks, text, public=public)]
            case ListInstances():
                views = await self._instances.list(inv.user)
                blocks = build_instance_list([v.instance for v in views], locale=locale)
                text = translate("list.title", locale, count=len(views))
                return [Message(blocks, text, public=public)]
            case Status(ref=ref):
                return [await self._card(inv, ref, public=public)]
            case Url(ref=ref):
                return [await self._url(inv, ref)]
            case Restart(ref=ref):
                instance = await self._instances.restart(inv.user, ref)
                return [notice("notice.restarting", locale, tone="success", name=instance.name)]
            case Stop(ref=ref, confirmed=True):
                instance = await self._instances.stop(inv.user, ref)
                return [notice("notice.stopping", locale, tone="success", name=instance.name)]
            case Stop(ref=ref):
                return [await self._confirmation(inv, ref, "stop")]
            case Delete(ref=ref, confirmed=True):
                instance = await self._instances.delete(inv.user, ref)
                return [notice("notice.deleted", locale, tone="success", name=instance.name)]
            case Delete(ref=ref):
                return [await self._confirmation(inv, ref, "delete")]
            case Watch(ref=ref):
                instance = await self._instances.watch(inv.user, ref, origin=inv.origin)
                return [notice("notice.watching", locale, tone="success", name=instance.name)]
            case Unwatch(ref=ref):
                instance = await self._instances.unwatch(inv.user, ref)
                return [notice("notice.unwatched", locale, name=instance.name)]
            case Quota():
                return [await self._quota_report(inv, public=public)]
            case QuotaSet():
                await self._quota.apply_limits(inv.user, command, is_admin=inv.is_admin)
                return [await self._quota_report(inv, public=public)]
            case QuotaDigest():
                return [await self._digest(inv, command)]
            case Audit(entries=entries):
                return [await self._audit(inv, entries, public=public)]
            case Links():
                return [await self._links(inv, command)]
            case Lang(locale=chosen):
                await self._preferences.set_locale(inv.user, chosen)
                return [notice("notice.lang_set", chosen, tone="success")]
        return [notice("notice.unexpected", locale, tone="error")]

    async def _whoami(self, inv: Invocation, *, public: bool) -> Message:
        summary = await self._accounts.summary(inv.user)
        claims = None
        if summary is not None and not summary.needs_login:
            claims = TokenClaims(
                user=summary.identity.scnet_user,
                cluster_id=summary.identity.cluster_id,
                expires_at=summary.token_expires_at,
            )
        blocks = build_whoami(
            locale=inv.locale, claims=claims, now=self._now(), command=inv.command
        )
        return Message(blocks, translate("whoami.title", inv.locale), public=public)

    async def _card(self, inv: Invocation, ref: InstanceRef, *, public: bool) -> Message:
        view = await self._instances.status(inv.user, ref)
        blocks = build_instance_card(
            view.instance,
            locale=inv.locale,
            viewer_is_owner=not public,
            watching=view.watching,
            now=self._now(),
        )
        return Message(blocks, f"{view.instance.name}: {view.instance.status}", public=public)

    async def _url(self, inv: Invocation, ref: InstanceRef) -> Message:
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

    async def _confirmation(
        self, inv: Invocation, ref: InstanceRef, action: Literal["stop", "delete"]
    ) -> Message:
        view = await self._instances.status(inv.user, ref)
        blocks = build_confirmation(
            action, instance_id=view.instance.id, name=view.instance.name, locale=inv.locale
        )
        return Message(blocks, translate(CONFIRM_KEYS[action].title, inv.locale))

    async def _quota_report(self, inv: Invocation, *, public: bool) -> Message:
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

    async def _links(self, inv: Invocation, command: Links) -> Message:
        shares = await self._channels.links(
            inv.user, command, channel_id=inv.channel_id, is_admin=inv.is_admin
        )
        if command.enabled is None:
            key = "links.state_on" if shares else "links.state_off"
            return notice(key, inv.locale, command=inv.command)
        if shares:
            return notice("links.on", inv.locale, tone="warning")
        return notice("links.off", inv.locale, tone="success")

    async def _digest(self, inv: Invocation, command: QuotaDigest) -> Message:
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

    async def _audit(self, inv: Invocation, entries: int, *, public: bool) -> Message:
        latest = await self._audit_log.latest_for(inv.user, limit=entries, is_admin=inv.is_admin)
        lines = [
            AuditLine(e.created_at, e.actor.user_id, e.action, e.instance_id, e.outcome, e.detail)
            for e in latest
        ]
        blocks = build_audit(lines, locale=inv.locale)
        return Message(
            blocks, translate("audit.title", inv.locale, count=len(lines)), public=public
        )

    # --- buttons ----------------------------------------------------------------------------

    async def action(self, inv: Invocation, action_id: str, value: str) -> list[Message]:
        return list(await self._guarded(inv, lambda: self._act(inv, action_id, value)))

    async def _act(self, inv: Invocation, action_id: str, value: str) -> Sequence[Message]:
        locale = inv.locale
        if action_id in ids.LIST_PAGE_ACTIONS:
            views = await self._instances.list(inv.user)
            page = int(value) if value.isdigit() else 0
            blocks = build_instance_list([v.instance for v in views], locale=locale, page=page)
            return [Message(blocks, translate("list.title", locale, count=len(views)))]
        if action_id == ids.CANCEL:
            return [notice("notice.cancelled", locale)]
        # A card's (or a confirmation's) button means a command about its instance, and is
        # answered like the typed command. Stop and Delete buttons mean the confirmed command:
        # the card's carry Slack's confirm dialog, and the confirmation message's are the
        # answer to a typed stop/delete, so either way the user has confirmed once already.
        command = card_command(ids.card_subcommand(action_id), value)
        if command is not None:
            return await self._run(inv, command)
        return []  # link buttons and unknown actions need no answer

    # --- modals -----------------------------------------------------------------------------

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

    def read_create_form(
        self, inv: Invocation, image: str | None, fields: dict[str, str]
    ) -> Create | dict[str, str]:
        """The command the create form stands for, or its errors by field (cheap: no I/O,
        so the submission can be answered with them inside Slack's deadline)."""
        parsed = create_from_fields(image, fields)
        if isinstance(parsed, UsageError):
            return submission_errors(parsed, locale=inv.locale)
        return parsed

    async def submit_create(self, inv: Invocation, command: Create) -> list[Message]:
        return list(await self._guarded(inv, lambda: self._run(inv, command)))

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


__all__ = [
    "Conversation",
    "Invocation",
    "Message",
    "Modal",
    "Reply",
    "failure_message",
    "notice",
]
