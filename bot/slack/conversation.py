"""What the bot answers: commands, button presses and form submissions turned into replies.

Nothing here knows Bolt or HTTP. The Slack adapter (``bot.slack.app``) and the console
(``bot.console``) both feed this module and deliver what it returns (``bot.slack.replies``:
``Message`` and ``Modal``). Here a command is dispatched to its use case and its answer
(``bot.slack.answers``); every failure a user can cause or meet becomes a notice in their
language; nothing escapes as an exception.

Each command answered (typed, from a card's button, or the create form) is reported to
``observe_command`` by its subcommand's name and outcome: ``ok``, ``usage_error``, ``form`` (a
modal opened to ask for the rest), ``refused`` (a service or SCNet refusal the user hears
about), ``unavailable`` (SCNet gave no usable answer) or ``error`` (a bug, logged).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from bot.domain.commands import (
    Audit,
    Command,
    Create,
    Delete,
    Help,
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
from bot.domain.i18n import translate
from bot.scnet.errors import (
    ActionOutcomeUnknown,
    CreateOutcomeUnknown,
    ScnetError,
    TransientError,
)
from bot.services.errors import ServiceError
from bot.slack.answers import Answers
from bot.slack.blocks import (
    build_create_modal,
    build_created,
    build_help,
    build_images_list,
    build_instance_list,
    build_login_modal,
    build_usage_error,
    ids,
    submission_errors,
)
from bot.slack.blocks.elements import Block
from bot.slack.blocks.modals import LoginForm
from bot.slack.replies import Invocation, Message, Modal, Reply, failure_message, notice

if TYPE_CHECKING:  # the use cases are injected; importing them would load the store
    from bot.services.accounts import AccountService
    from bot.services.audit_log import AuditLog
    from bot.services.channels import ChannelChoices
    from bot.services.instances import InstanceService
    from bot.services.preferences import Preferences
    from bot.services.quota import QuotaService

# A command's name and outcome (see the module docstring).
ObserveCommand = Callable[[str, str], None]
UNKNOWN_COMMAND = "unknown"  # a usage error naming no known subcommand: never the typed word


def _ignore(_command: str, _outcome: str) -> None:
    return None


def outcome_of(error: Exception) -> str:
    """What a failed command's outcome is called in ``scnet_bot_commands_total``."""
    if isinstance(error, TransientError | CreateOutcomeUnknown | ActionOutcomeUnknown):
        return "unavailable"
    if isinstance(error, ServiceError | ScnetError):
        return "refused"
    return "error"


class Conversation:
    """Answers commands, button presses and form submissions for one bot."""

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
        observe_command: ObserveCommand = _ignore,
    ) -> None:
        # Bounds the use cases in flight: after a burst of acked commands the rest queue here
        # instead of all holding requests, sessions and their garbage at once. Modals never
        # wait on it (their trigger id lasts 3 s).
        self._busy = asyncio.Semaphore(concurrency)
        self._observe = observe_command
        self._accounts = accounts
        self._instances = instances
        self._quota = quota
        self._preferences = preferences
        self._answers = Answers(
            accounts=accounts,
            instances=instances,
            quota=quota,
            channels=channels,
            audit_log=audit_log,
            now=now,
        )

    # --- slash commands ---------------------------------------------------------------------

    async def command(self, inv: Invocation, text: str, *, from_slack: bool = False) -> list[Reply]:
        """``from_slack``: the text is as Slack sends it, with &, < and > escaped."""
        parsed = parse_slack_text(text) if from_slack else parse_command(text)
        if isinstance(parsed, UsageError):
            self._observe(parsed.subcommand or UNKNOWN_COMMAND, "usage_error")
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
            self._observe(command.subcommand, "form")
            return [modal]
        return list(await self._guarded(inv, lambda: self._run(inv, command), command.subcommand))

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
        self,
        inv: Invocation,
        run: Callable[[], Awaitable[Sequence[Message]]],
        name: str | None = None,
    ) -> Sequence[Message]:
        """``run``'s messages, or the notice for what it raised; ``name``: the command's, to
        count it (None: a button that is no command, such as a list page)."""
        try:
            async with self._busy:
                messages = await run()
        except Exception as error:
            if name is not None:
                self._observe(name, outcome_of(error))
            return [failure_message(error, inv)]
        if name is not None:
            self._observe(name, "ok")
        return messages

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
                return [await self._answers.whoami(inv, public=public)]
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
                return [await self._answers.card(inv, ref, public=public)]
            case Url(ref=ref):
                return [await self._answers.url(inv, ref)]
            case Restart(ref=ref):
                instance = await self._instances.restart(inv.user, ref)
                return [notice("notice.restarting", locale, tone="success", name=instance.name)]
            case Stop(ref=ref, confirmed=True):
                instance = await self._instances.stop(inv.user, ref)
                return [notice("notice.stopping", locale, tone="success", name=instance.name)]
            case Stop(ref=ref):
                return [await self._answers.confirmation(inv, ref, "stop")]
            case Delete(ref=ref, confirmed=True):
                instance = await self._instances.delete(inv.user, ref)
                return [notice("notice.deleted", locale, tone="success", name=instance.name)]
            case Delete(ref=ref):
                return [await self._answers.confirmation(inv, ref, "delete")]
            case Watch(ref=ref):
                instance = await self._instances.watch(inv.user, ref, origin=inv.origin)
                return [notice("notice.watching", locale, tone="success", name=instance.name)]
            case Unwatch(ref=ref):
                instance = await self._instances.unwatch(inv.user, ref)
                return [notice("notice.unwatched", locale, name=instance.name)]
            case Quota():
                return [await self._answers.quota_report(inv, public=public)]
            case QuotaSet():
                await self._quota.apply_limits(inv.user, command, is_admin=inv.is_admin)
                return [await self._answers.quota_report(inv, public=public)]
            case QuotaDigest():
                return [await self._answers.digest(inv, command)]
            case Audit(entries=entries):
                return [await self._answers.audit(inv, entries, public=public)]
            case Links():
                return [await self._answers.links(inv, command)]
            case Lang(locale=chosen):
                await self._preferences.set_locale(inv.user, chosen)
                return [notice("notice.lang_set", chosen, tone="success")]
        return [notice("notice.unexpected", locale, tone="error")]

    # --- buttons ----------------------------------------------------------------------------

    async def action(self, inv: Invocation, action_id: str, value: str) -> list[Message]:
        command = card_command(ids.card_subcommand(action_id), value)
        name = command.subcommand if command is not None else None
        return list(await self._guarded(inv, lambda: self._act(inv, action_id, value), name))

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
        return await self._answers.create_modal_with_images(inv, prefill)

    async def submit_login(self, inv: Invocation, form: LoginForm) -> Message:
        """Log in with what the login form holds; the notice saying how that went."""
        return await self._answers.submit_login(inv, form)

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
        return list(await self._guarded(inv, lambda: self._run(inv, command), command.subcommand))

    async def home(self, inv: Invocation) -> Block:
        """The user's App Home: their login, their instances and the team's usage."""
        return await self._answers.home(inv)


__all__ = [
    "Conversation",
    "Invocation",
    "Message",
    "Modal",
    "Reply",
    "failure_message",
    "notice",
]
