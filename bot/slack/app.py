"""The Bolt app: registers handlers that ack at once, then answer through ``Conversation``.

Every listener calls ``ack()`` before any SCNet or database work (Slack's 3-second deadline;
with ``process_before_response=False`` Bolt sends the HTTP answer as soon as ``ack`` runs and
keeps the listener going as a task). Modals open first, while the trigger id is fresh, and are
filled in afterwards. Each delivery is claimed once in the database before it does anything
(an event by its ``event_id``; a command, button press or form submission by its
``trigger_id``, unique per invocation), so a retry by Slack or a proxy (``X-Slack-Retry-Num``,
a second replica included) is acked and does nothing: a retried create bills no second
instance. An answer that takes SCNet more than ``STILL_WAITING_AFTER`` seconds is preceded by a
"still waiting" note, so nobody stares at silence (the final answer comes within the
client's timeouts: 20 s at the default settings).
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.commands import Login
from bot.domain.commands.registry import BUTTON_IDS
from bot.domain.identity import SlackUser
from bot.logs import new_request_id, request_id
from bot.services.errors import ServiceError
from bot.slack.blocks import (
    build_create_modal,
    build_login_modal,
    ids,
    read_create_submission,
    read_login_submission,
)
from bot.slack.blocks.approvals import read_deny_metadata, read_deny_reason
from bot.slack.blocks.create_queue import cancelled_reply
from bot.slack.blocks.modals import LoginMode
from bot.slack.conversation import Conversation, Invocation, Message, Modal, notice
from bot.slack.people import People
from bot.slack.replies import failure_message

if TYPE_CHECKING:  # the use cases are injected; importing them would load the store
    from bot.services.create_queue import CreateQueue
    from bot.services.event_ledger import EventLedger
    from bot.slack.approval_actions import ApprovalActions

log = logging.getLogger(__name__)
Body = dict[str, Any]
T = TypeVar("T")
STILL_WAITING_AFTER = 5.0  # seconds without SCNet's answer before the user hears we wait


@dataclass(frozen=True, slots=True)
class SlackSettings:
    bot_token: str
    signing_secret: str
    api_url: str
    command: str = "/scnet"


class SlackAdapter:
    """Turns Bolt's listener arguments into ``Invocation``s and ``Message``s into API calls."""

    def __init__(
        self,
        *,
        conversation: Conversation,
        people: People,
        events: EventLedger,
        command: str,
        still_waiting_after: float = STILL_WAITING_AFTER,
        approvals: ApprovalActions | None = None,
        queue: CreateQueue | None = None,
    ) -> None:
        self.approvals = approvals
        self.queue = queue
        self.conversation = conversation
        self.people = people
        self.events = events
        self.command = command
        self.still_waiting_after = still_waiting_after

    async def invocation(
        self, client: AsyncWebClient, *, team_id: str, user_id: str, channel_id: str | None
    ) -> Invocation:
        user = SlackUser(team_id, user_id)
        person = await self.people.describe(client, user)
        return Invocation(
            user=user,
            locale=person.locale,
            channel_id=channel_id,
            command=self.command,
            is_admin=person.is_admin,
        )

    # --- listeners --------------------------------------------------------------------------

    async def on_command(
        self, ack: AsyncAck, body: Body, respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        await ack()
        if not await self._first_delivery(body):
            return
        inv = await self.invocation(
            client,
            team_id=body.get("team_id", ""),
            user_id=body.get("user_id", ""),
            channel_id=body.get("channel_id"),
        )
        replies = await self._answer(
            self.conversation.command(inv, body.get("text", ""), from_slack=True),
            inv,
            lambda message: self._respond(respond, message),
        )
        for reply in replies:
            if isinstance(reply, Modal):
                await self._open_modal(client, inv, body.get("trigger_id", ""), reply, respond)
            else:
                await self._respond(respond, reply)

    async def on_action(
        self, ack: AsyncAck, body: Body, respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        await ack()
        if not await self._first_delivery(body):
            return
        action = (body.get("actions") or [{}])[0]
        action_id = str(action.get("action_id", ""))
        inv = await self.invocation(
            client,
            team_id=_team_of(body),
            user_id=body.get("user", {}).get("id", ""),
            channel_id=(body.get("channel") or {}).get("id"),
        )
        if action_id == ids.OPEN_CREATE:
            modal = Modal(view={}, load_images=True)
            await self._open_modal(client, inv, body.get("trigger_id", ""), modal, respond)
            return
        if action_id == ids.OPEN_LOGIN:
            replies = await self.conversation.run(inv, Login())
            for reply in replies:
                if isinstance(reply, Modal):
                    await self._open_modal(client, inv, body.get("trigger_id", ""), reply, respond)
            return
        if action_id == ids.LOGIN_SWITCH_MODE:
            await self._switch_login_mode(client, inv, body, str(action.get("value", "")))
            return

        async def say(message: Message) -> None:
            if body.get("response_url"):
                await self._respond(respond, message)
            else:  # App Home has no response_url: answer in the user's DM
                await self._direct(client, inv.user.user_id, message)

        value = str(action.get("value", ""))
        for message in await self._answer(
            self.conversation.action(inv, action_id, value), inv, say
        ):
            await say(message)

    async def on_approval_action(
        self, ack: AsyncAck, body: Body, respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        """[Ask an admin] on a refusal card; [Approve], [Deny] on a request; [Cancel request].

        Answered privately to the presser; a press from outside the request's workspace gets
        no answer at all. Deny opens its reason's modal (after the checks, so a non-admin or
        a request decided already is told so instead)."""
        await ack()
        if self.approvals is None or not await self._first_delivery(body):
            return
        approvals = self.approvals
        action = (body.get("actions") or [{}])[0]
        action_id = str(action.get("action_id", ""))
        value = str(action.get("value", ""))
        inv = await self.invocation(
            client,
            team_id=_team_of(body),
            user_id=body.get("user", {}).get("id", ""),
            channel_id=(body.get("channel") or {}).get("id"),
        )

        async def say(message: Message) -> None:
            if body.get("response_url"):
                await self._respond(respond, message)
            else:
                await self._direct(client, inv.user.user_id, message)

        if action_id == ids.DENY:
            form = await approvals.deny_form(inv, value)
            if isinstance(form, Modal):
                await self._open_modal(client, inv, body.get("trigger_id", ""), form, respond)
            elif form is not None:
                await say(form)
            return
        work = {
            ids.ASK_ADMIN: approvals.ask,
            ids.APPROVE: approvals.approve,
            ids.CANCEL_APPROVAL: approvals.cancel,
        }.get(action_id)
        if work is None:
            return
        reply = await self._answer(work(inv, value), inv, say)
        if reply is not None:
            await say(reply)

    async def on_queue_cancel(
        self, ack: AsyncAck, body: Body, respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        """A queued create's [Cancel request] (``/scnet queue``, App Home, the "queued" answer):
        only its requester may; a press from outside the request's workspace gets no answer."""
        await ack()
        if self.queue is None or not await self._first_delivery(body):
            return
        action = (body.get("actions") or [{}])[0]
        value = str(action.get("value", "")).strip()
        inv = await self.invocation(
            client,
            team_id=_team_of(body),
            user_id=body.get("user", {}).get("id", ""),
            channel_id=(body.get("channel") or {}).get("id"),
        )
        if not value.isdigit():
            return
        try:
            cancelled = await self.queue.cancel_pressed(inv.user, int(value))
        except ServiceError as error:
            reply = failure_message(error, inv)
        else:
            if cancelled is None:
                return
            reply = cancelled_reply(cancelled, locale=inv.locale)
        if body.get("response_url"):
            await self._respond(respond, reply)
        else:  # App Home has no response_url: answer in the user's DM
            await self._direct(client, inv.user.user_id, reply)

    async def on_deny_submission(
        self, ack: AsyncAck, body: Body, client: AsyncWebClient, view: Body
    ) -> None:
        reason = read_deny_reason(view.get("state", {}).get("values", {}))
        await ack()
        if self.approvals is None or not await self._first_delivery(body):
            return
        request_id, channel_id = read_deny_metadata(str(view.get("private_metadata") or ""))
        if request_id is None:
            return
        inv = await self.invocation(
            client,
            team_id=_team_of(body),
            user_id=body.get("user", {}).get("id", ""),
            channel_id=channel_id,
        )
        reply = await self.approvals.deny(inv, request_id, reason)
        if reply is not None:
            await self._to_user(client, inv, reply)

    async def on_login_submission(
        self, ack: AsyncAck, body: Body, client: AsyncWebClient, view: Body
    ) -> None:
        form = read_login_submission(view.get("state", {}).get("values", {}))
        await ack()
        if not await self._first_delivery(body):
            return
        inv = await self._view_invocation(client, body, view)
        await self._to_user(client, inv, await self.conversation.submit_login(inv, form))

    async def on_create_submission(
        self, ack: AsyncAck, body: Body, client: AsyncWebClient, view: Body
    ) -> None:
        image, fields = read_create_submission(view.get("state", {}).get("values", {}))
        inv = await self._view_invocation(client, body, view)
        command = self.conversation.read_create_form(inv, image, fields)
        if isinstance(command, dict):
            await ack(response_action="errors", errors=command)
            return
        await ack()
        if not await self._first_delivery(body):
            return

        async def say(message: Message) -> None:
            await self._to_user(client, inv, message)

        for message in await self._answer(self.conversation.submit_create(inv, command), inv, say):
            await say(message)

    async def on_home_opened(
        self, ack: AsyncAck, body: Body, event: Body, client: AsyncWebClient
    ) -> None:
        await ack()
        if not await self._first_delivery(body):
            return
        inv = await self.invocation(
            client, team_id=_team_of(body), user_id=event.get("user", ""), channel_id=None
        )
        view = await self.conversation.home(inv)
        await client.views_publish(user_id=inv.user.user_id, view=view)

    # --- delivery ---------------------------------------------------------------------------

    async def _answer(
        self, work: Awaitable[T], inv: Invocation, say: Callable[[Message], Awaitable[None]]
    ) -> T:
        """``work``'s result; if it takes long, the user first hears that we are waiting."""
        task = asyncio.ensure_future(work)
        try:
            return await asyncio.wait_for(asyncio.shield(task), self.still_waiting_after)
        except TimeoutError:
            await say(notice("notice.still_waiting", inv.locale))
            return await task

    async def _first_delivery(self, body: Body) -> bool:
        if event_id := body.get("event_id"):
            return await self.events.first_delivery(f"event:{event_id}")
        if trigger_id := body.get("trigger_id"):
            return await self.events.first_delivery(f"trigger:{trigger_id}")
        return True

    async def _open_modal(
        self,
        client: AsyncWebClient,
        inv: Invocation,
        trigger_id: str,
        modal: Modal,
        respond: AsyncRespond,
    ) -> None:
        view = modal.view
        if modal.load_images and not view:
            view = build_create_modal((), locale=inv.locale, private_metadata=inv.channel_id or "")
        try:
            opened = await client.views_open(trigger_id=trigger_id, view=view)
        except SlackApiError as error:
            log.warning("views.open failed: %s", error.response.get("error"))
            await self._respond(respond, notice("notice.modal_failed", inv.locale, tone="error"))
            return
        if modal.load_images:
            filled = await self.conversation.create_modal_with_images(inv, modal.prefill)
            opened_view = opened.get("view") or {}
            try:
                await client.views_update(
                    view_id=opened_view.get("id"), hash=opened_view.get("hash"), view=filled
                )
            except SlackApiError as error:
                # The user may have typed already (hash_conflict) or closed it: keep their form.
                log.info("views.update skipped: %s", error.response.get("error"))

    async def _switch_login_mode(
        self, client: AsyncWebClient, inv: Invocation, body: Body, value: str
    ) -> None:
        """Redraw the login modal in place in the mode its switch names (the button's value),
        keeping the channel it answers in (``private_metadata``)."""
        shown = body.get("view") or {}
        mode: LoginMode = "aksk" if value == "aksk" else "token"
        view = build_login_modal(
            locale=inv.locale, mode=mode, private_metadata=str(shown.get("private_metadata") or "")
        )
        try:
            await client.views_update(view_id=shown.get("id"), hash=shown.get("hash"), view=view)
        except SlackApiError as error:
            # Closed meanwhile, or redrawn by an earlier press (hash_conflict): nothing to do.
            log.info("views.update skipped: %s", error.response.get("error"))

    async def _respond(self, respond: AsyncRespond, message: Message) -> None:
        public = message.public and not message.private
        await respond(
            blocks=message.blocks,
            text=message.text,
            response_type="in_channel" if public else "ephemeral",
            replace_original=False,
        )

    async def _direct(self, client: AsyncWebClient, user_id: str, message: Message) -> None:
        await client.chat_postMessage(channel=user_id, blocks=message.blocks, text=message.text)

    async def _to_user(self, client: AsyncWebClient, inv: Invocation, message: Message) -> None:
        if inv.channel_id:
            try:
                await client.chat_postEphemeral(
                    channel=inv.channel_id,
                    user=inv.user.user_id,
                    blocks=message.blocks,
                    text=message.text,
                )
                return
            except SlackApiError as error:  # e.g. the bot is not in that channel
                log.info("postEphemeral failed (%s); using a DM", error.response.get("error"))
        await self._direct(client, inv.user.user_id, message)

    async def _view_invocation(self, client: AsyncWebClient, body: Body, view: Body) -> Invocation:
        metadata = str(view.get("private_metadata") or "")
        return await self.invocation(
            client,
            team_id=_team_of(body),
            user_id=body.get("user", {}).get("id", ""),
            channel_id=metadata or None,
        )


def _team_of(body: Body) -> str:
    team = body.get("team")
    if isinstance(team, dict):
        return str(team.get("id", ""))
    return str(body.get("team_id") or body.get("user", {}).get("team_id", ""))


async def _bind_request_id(next_: Callable[[], Awaitable[None]]) -> None:
    """Give a request that has no id yet (Socket Mode; HTTP mode binds one in bot.web) its
    own, so every line its listener and what it starts log carries it (bot.logs), and so that
    shutdown waits for its tasks (``bot.server.InFlight``).

    The id stays bound after this returns: Bolt's ``next_`` only notes that the chain may go
    on, and the listener starts after the last middleware has returned, so an id reset here
    would be gone by then. Each Socket Mode envelope is handled in a task of its own
    (slack_sdk's ``run_message_listeners``), so the id ends with that task."""
    if not request_id.get():
        request_id.set(new_request_id())
    await next_()


def build_app(adapter: SlackAdapter, settings: SlackSettings) -> AsyncApp:
    client = AsyncWebClient(token=settings.bot_token, base_url=settings.api_url)
    app = AsyncApp(
        client=client,
        signing_secret=settings.signing_secret,
        process_before_response=False,
    )
    app.use(_bind_request_id)
    app.command(settings.command)(adapter.on_command)
    app.action(re.compile(r"^(instance|list|login|create)\."))(adapter.on_action)
    for action_id in BUTTON_IDS:  # the other buttons that mean a command (the registry's)
        app.action(action_id)(adapter.on_action)
    app.action(re.compile(r"^approval\."))(adapter.on_approval_action)
    app.action(ids.QUEUE_CANCEL)(adapter.on_queue_cancel)
    app.view(ids.DENY_CALLBACK)(adapter.on_deny_submission)
    app.view(ids.LOGIN_CALLBACK)(adapter.on_login_submission)
    app.view(ids.CREATE_CALLBACK)(adapter.on_create_submission)
    app.event("app_home_opened")(adapter.on_home_opened)
    return app


__all__ = ["SlackAdapter", "SlackSettings", "build_app"]
