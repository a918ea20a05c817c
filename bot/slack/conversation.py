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
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, cast

from bot.domain.commands import (
    Command,
    Create,
    ListInstances,
    UsageError,
    card_command,
    parse_command,
    parse_slack_text,
)
from bot.domain.commands.create import create_from_fields
from bot.domain.commands.registry import answer_for, button_command
from bot.scnet.errors import (
    ActionOutcomeUnknown,
    CreateOutcomeUnknown,
    ScnetError,
    TransientError,
)
from bot.services.errors import ServiceError
from bot.slack.answers import Answers, instance_list
from bot.slack.blocks import build_usage_error, ids, submission_errors
from bot.slack.blocks.elements import Block
from bot.slack.blocks.modals import LoginForm
from bot.slack.dispatch import UseCases, answer_with, refusal, render, scope_of
from bot.slack.replies import Invocation, Message, Modal, Reply, failure_message, notice

if TYPE_CHECKING:  # the use cases are injected; importing them would load the store
    from bot.services.accounts import AccountService
    from bot.services.approvals import ApprovalService
    from bot.services.audit_log import AuditLog
    from bot.services.channels import ChannelChoices
    from bot.services.create_queue import CreateQueue
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
        services: Mapping[str, object] | None = None,
    ) -> None:
        """``services``: use cases besides these that the registry's answers call, by the name
        their ``call``s use (``"approvals"`` for ``call("approvals.request", ...)``)."""
        # Bounds the use cases in flight: after a burst of acked commands the rest queue here
        # instead of all holding requests, sessions and their garbage at once. Modals never
        # wait on it (their trigger id lasts 3 s).
        self._busy = asyncio.Semaphore(concurrency)
        self._observe = observe_command
        self._instances = instances
        self._now = now
        self._use_cases = UseCases(
            {
                "accounts": accounts,
                "instances": instances,
                "quota": quota,
                "preferences": preferences,
                "channels": channels,
                "audit_log": audit_log,
                **(services or {}),
            }
        )
        self._answers = Answers(
            accounts=accounts,
            instances=instances,
            quota=quota,
            now=now,
            queue=cast("CreateQueue | None", (services or {}).get("queue")),
            approvals=cast("ApprovalService | None", (services or {}).get("approvals")),
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
        answer = answer_for(command)
        if answer is not None and not answer.runs:
            # Nothing to wait for (help, or a form to fill in): answered at once, and a modal
            # opens inside its trigger id's 3 s without queueing behind the use cases in flight.
            reply = render(answer, inv, command, scope_of(inv, command), self._now())
            self._observe(command.subcommand, "form" if isinstance(reply, Modal) else "ok")
            return [reply]
        return list(
            await self._guarded(
                inv, lambda: self._run(inv, command), command.subcommand, self._told(inv, command)
            )
        )

    def _told(self, inv: Invocation, command: Command) -> Callable[[Exception], Message]:
        """What the user is told when ``command``'s use case raises."""
        answer = answer_for(command)
        if answer is None:
            return lambda error: failure_message(error, inv)
        return lambda error: refusal(answer, inv, command, error, self._now())

    async def _guarded(
        self,
        inv: Invocation,
        run: Callable[[], Awaitable[Sequence[Reply]]],
        name: str | None = None,
        told: Callable[[Exception], Message] | None = None,
    ) -> Sequence[Reply]:
        """``run``'s messages, or the notice for what it raised; ``name``: the command's, to
        count it (None: a button that is no command, such as a list page)."""
        try:
            async with self._busy:
                messages = await run()
        except Exception as error:
            if name is not None:
                self._observe(name, outcome_of(error))
            return [told(error) if told is not None else failure_message(error, inv)]
        if name is not None:
            self._observe(name, "ok")
        return messages

    async def _run(self, inv: Invocation, command: Command) -> Sequence[Reply]:
        answer = answer_for(command)
        if answer is None:  # every command the grammar makes is declared with its answers
            raise LookupError(f"no answer declared for {type(command).__name__}")
        return [await answer_with(answer, self._use_cases, inv, command, self._now())]

    # --- buttons ----------------------------------------------------------------------------

    async def action(self, inv: Invocation, action_id: str, value: str) -> list[Message]:
        """The answer to a button: the command it means, or what the buttons that are no
        command do (a button opens no modal from here: its trigger id is the adapter's)."""
        command = self._button(action_id, value)
        if command is not None:
            return _messages(await self.run(inv, command))
        return _messages(await self._guarded(inv, lambda: self._act(inv, action_id, value)))

    @staticmethod
    def _button(action_id: str, value: str) -> Command | None:
        """The command a button means: a card's (or a confirmation's) button means a command
        about its instance, answered like the typed command. Stop and Delete buttons mean the
        confirmed command: the card's carry Slack's confirm dialog, and the confirmation
        message's are the answer to a typed stop/delete, so either way the user has confirmed
        once already."""
        return card_command(ids.card_subcommand(action_id), value) or button_command(
            action_id, value
        )

    async def _act(self, inv: Invocation, action_id: str, value: str) -> Sequence[Message]:
        """The buttons that are no command: a list's pages, a confirmation's Cancel."""
        locale = inv.locale
        if action_id in ids.LIST_PAGE_ACTIONS:
            views = await self._instances.list(inv.user)
            page = int(value) if value.isdigit() else 0
            return [instance_list(inv.context(self._now()), ListInstances(), views, page)]
        if action_id == ids.CANCEL:
            return [notice("notice.cancelled", locale)]
        if action_id == ids.QUEUE_CANCEL:  # the console's; Slack's has a handler of its own
            return await self._answers.cancel_queued(inv, value)
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
        return _messages(await self.run(inv, command))

    async def home(self, inv: Invocation) -> Block:
        """The user's App Home: their login, their instances and the team's usage."""
        return await self._answers.home(inv)


def _messages(replies: Sequence[Reply]) -> list[Message]:
    return [reply for reply in replies if isinstance(reply, Message)]


__all__ = [
    "Conversation",
    "Invocation",
    "Message",
    "Modal",
    "Reply",
    "failure_message",
    "notice",
]
