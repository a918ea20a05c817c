"""``FakeSlack``: Slack's Web API and response URLs on loopback, for tests and benchmarks.

Point the real client at it and drive the bot with signed requests built from its state::

    async with FakeSlack(clock=ManualClock()) as slack:
        alice = slack.add_user("alice", locale="zh-CN")
        client = AsyncWebClient(token=slack.bot_token, base_url=slack.api_url)
        request = slack.slash_command(alice.id, "list")   # fresh trigger_id and response_url
        ...                                                 # dispatch it to the bot
        [post] = await slack.wait_for("response_url")      # no sleeps: wakes on arrival
        assert "jupyter" in slack.messages_to(alice.id)[-1].all_text()

Routes: ``/api/<method>`` (GET or POST, query/form/JSON arguments, ``Authorization: Bearer``),
``/commands/…``, ``/actions/…`` for response URLs, and ``/link/`` for Socket Mode (see
``socket_mode``: ``apps.connections.open`` with ``app_token``, then ``socket_send``). Every
request is recorded as a ``Call`` (the token is not), waiters wake on each one, and the fault
plan, latency and rate-limit knobs apply before the method runs. See ``webapi``,
``response_urls`` and ``socket_mode`` for what each answer reproduces.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Sequence
from types import TracebackType
from typing import Any, Literal, Self

from aiohttp import web

from . import payloads, response_urls
from .clock import Clock
from .faults import Fault, FaultPlan
from .ids import IdSource
from .models import JSON, RESPONSE_URL, Call, Channel, Message, ResponsePost, Team, User
from .socket_mode import CONNECTIONS_OPEN, DisconnectReason, SocketMode
from .webapi import METHODS, Answer, Limits, fail, ok
from .wire import parse_request
from .workspace import Workspace

logger = logging.getLogger(__name__)

DEFAULT_SCOPES = (
    "chat:write",
    "chat:write.public",
    "commands",
    "im:write",
    "users:read",
    "channels:read",
    "groups:read",
)


class FakeSlack:
    def __init__(
        self,
        *,
        clock: Clock = time.time,
        seed: int = 0,
        bot_token: str | None = None,
        app_token: str | None = None,
        signing_secret: str | None = None,
        team: Team | None = None,
        strict_channels: bool = False,
        enforce_rate_limits: bool = False,
        post_interval: float = 1.0,
        scopes: Sequence[str] = DEFAULT_SCOPES,
    ) -> None:
        self.clock = clock
        self._ids = IdSource(seed)
        self.bot_token = bot_token or self._ids.bot_token()
        self.signing_secret = signing_secret or self._ids.signing_secret()
        self.team = team or Team(
            id=self._ids.object_id("T"),
            app_id=self._ids.object_id("A"),
            bot_id=self._ids.object_id("B"),
            bot_user_id=self._ids.object_id("U"),
            verification_token=self._ids.verification_token(),
        )
        self.workspace = Workspace(
            team=self.team, ids=self._ids, clock=clock, strict_channels=strict_channels
        )
        self.limits = Limits(enforce_rate_limits=enforce_rate_limits, post_interval=post_interval)
        self.faults = FaultPlan()
        # Its own id stream, so that Socket Mode shifts none of the ids handed out above.
        self.socket_mode = SocketMode(team=self.team, ids=IdSource(seed + 1), app_token=app_token)
        self.scopes = tuple(scopes)
        self._calls: list[Call] = []
        self._counts: Counter[tuple[str, bool]] = Counter()  # (method, ok) -> calls
        self._posts: list[ResponsePost] = []
        self._changed: asyncio.Condition | None = None
        self.changes = 0  # bumped on every recorded request and every ``touch``
        self._runner: web.AppRunner | None = None
        self.base_url = ""
        self.app = web.Application()
        self.app.router.add_route("*", "/api/{method}", self._web_api)
        self.app.router.add_post("/{kind:commands|actions}/{rest:.+}", self._response_url)
        self.app.router.add_get("/link/", self.socket_mode.connect)

    # -- lifecycle ----------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Serve on ``host``:``port`` (0: any free port) and return ``api_url``."""
        if self._runner is not None:
            raise RuntimeError("FakeSlack already started")
        runner = web.AppRunner(
            self.app, handler_cancellation=True, access_log=None, shutdown_timeout=1.0
        )
        await runner.setup()
        await web.TCPSite(runner, host, port).start()
        self._runner = runner
        bound_host, bound_port = runner.addresses[0][:2]
        self.base_url = f"http://{bound_host}:{bound_port}"
        logger.debug("fake Slack listening on %s", self.base_url)
        return self.api_url

    async def stop(self) -> None:
        if self._runner is None:
            return
        runner, self._runner = self._runner, None
        await self.socket_mode.close_all()
        await runner.cleanup()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def api_url(self) -> str:
        """The Web API base URL for ``AsyncWebClient(base_url=...)``, with its slash."""
        if not self.base_url:
            raise RuntimeError("FakeSlack not started")
        return f"{self.base_url}/api/"

    # -- configuration --------------------------------------------------------------------

    @property
    def app_token(self) -> str:
        """The app-level token (``xapp-…``) that ``apps.connections.open`` takes."""
        return self.socket_mode.app_token

    @property
    def bot_user_id(self) -> str:
        return self.team.bot_user_id

    @property
    def enforce_rate_limits(self) -> bool:
        return self.limits.enforce_rate_limits

    @enforce_rate_limits.setter
    def enforce_rate_limits(self, value: bool) -> None:
        self.limits.enforce_rate_limits = value

    def add_user(
        self,
        name: str,
        *,
        id: str | None = None,
        locale: str = "en-US",
        tz: str = "Asia/Shanghai",
        is_admin: bool = False,
        is_owner: bool = False,
        real_name: str = "",
        email: str | None = None,
        deleted: bool = False,
    ) -> User:
        user = User(
            id=id or self._ids.object_id("U"),
            name=name,
            real_name=real_name or name.title(),
            locale=locale,
            tz=tz,
            is_admin=is_admin,
            is_owner=is_owner,
            is_primary_owner=is_owner,
            email=email,
            deleted=deleted,
        )
        return self.workspace.add_user(user)

    def add_channel(
        self,
        name: str,
        *,
        id: str | None = None,
        is_private: bool = False,
        is_member: bool = True,
        members: Sequence[str] | None = None,
        is_archived: bool = False,
    ) -> Channel:
        channel = Channel(
            id=id or self._ids.object_id("G" if is_private else "C"),
            name=name,
            is_private=is_private,
            is_member=is_member,
            is_archived=is_archived,
            members=None if members is None else set(members),
        )
        return self.workspace.add_channel(channel)

    def dm_channel(self, user_id: str) -> str:
        """The id of the app's DM with ``user_id`` (opened now if need be)."""
        return self.workspace.im_with(user_id)[0].id

    def new_trigger_id(self, user_id: str | None = None, *, view_id: str | None = None) -> str:
        """A trigger id issued now (by the fake's clock); ``view_id`` when the interaction
        happened inside that modal (``views.push`` stacks onto it)."""
        return self.workspace.new_trigger(user_id, view_id)

    def new_response_url(
        self,
        *,
        channel_id: str | None = None,
        user_id: str | None = None,
        message_ts: str | None = None,
        kind: Literal["commands", "actions"] = "commands",
    ) -> str:
        """A response URL on this server, issued now. ``channel_id``/``user_id`` say where
        its posts land and who sees ephemeral ones; ``message_ts`` is the original message
        that ``replace_original``/``delete_original`` act on."""
        return self.workspace.new_response_url(
            self.base_url,
            kind=kind,
            channel_id=channel_id,
            user_id=user_id,
            original_ts=message_ts,
        )

    # -- faults and limits ----------------------------------------------------------------

    def inject(self, method: str, fault: Fault, *, times: int | None = 1) -> None:
        """Answer the next ``times`` calls of ``method`` (fnmatch pattern) with ``fault``."""
        self.faults.add(method, fault, times=times)

    def rate_limit_next(self, method: str, *, retry_after: int = 1, times: int = 1) -> None:
        self.inject(method, Fault.rate_limited(retry_after), times=times)

    def server_error_next(self, method: str, *, status: int = 500, times: int = 1) -> None:
        self.inject(method, Fault.server_error(status), times=times)

    def fail_next(self, method: str, error: str, *, times: int = 1, **extra: Any) -> None:
        self.inject(method, Fault.api_error(error, **extra), times=times)

    def set_latency(self, seconds: float, method: str = "*") -> None:
        """Delay answers by ``seconds`` of real time: for benchmarks and client timeouts."""
        self.faults.set_latency(seconds, method)

    # -- recordings -----------------------------------------------------------------------

    def calls(self, method: str | None = None, *, ok: bool | None = None) -> list[Call]:
        """Calls of ``method`` (all when None) in arrival order; ``ok`` filters by outcome."""
        return [
            call
            for call in self._calls
            if (method is None or call.method == method) and (ok is None or call.ok == ok)
        ]

    def count(self, method: str, *, ok: bool | None = None) -> int:
        """O(1): waiters re-check it on every request, benchmarks make many."""
        if ok is None:
            return self._counts[(method, True)] + self._counts[(method, False)]
        return self._counts[(method, ok)]

    async def wait_for(
        self,
        method: str,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109 - a test helper, like asyncio.wait_for
        *,
        ok: bool | None = None,
    ) -> list[Call]:
        """Wait until ``count`` calls of ``method`` have arrived and return them all.

        Wakes on each recorded request (no polling). Raises ``TimeoutError`` naming what did
        arrive when ``timeout`` seconds pass first.
        """
        changed = self._condition()
        async with changed:
            try:
                async with asyncio.timeout(timeout):
                    await changed.wait_for(lambda: self.count(method, ok=ok) >= count)
            except TimeoutError:
                seen = [f"{c.method}:{c.http_status}:{c.error or 'ok'}" for c in self._calls]
                raise TimeoutError(
                    f"waited {timeout}s for {count} {method} call(s), got "
                    f"{self.count(method, ok=ok)}; all calls: {seen}"
                ) from None
        return self.calls(method, ok=ok)

    async def touch(self) -> None:
        """Say that the state changed outside a request (the playground closed a modal)."""
        self.changes += 1
        changed = self._condition()
        async with changed:
            changed.notify_all()

    async def wait_for_change(self, after: int, timeout: float) -> int:  # noqa: ASYNC109
        """Wait until ``changes`` passes ``after`` (or ``timeout`` s pass); return it."""
        changed = self._condition()
        async with changed:
            try:
                async with asyncio.timeout(timeout):
                    await changed.wait_for(lambda: self.changes > after)
            except TimeoutError:
                pass
        return self.changes

    def messages(self, *, include_deleted: bool = False) -> list[Message]:
        return [m for m in self.workspace.messages if include_deleted or not m.deleted]

    def messages_to(self, target: str, *, include_deleted: bool = False) -> list[Message]:
        """What a conversation or a person was sent, oldest first.

        A conversation id (``C…``/``G…``/``D…``) gives every message in it, ephemeral ones
        included (see ``Message.ephemeral_to``). A user id gives their DM with the app and
        every ephemeral message shown to them anywhere.
        """
        user = self.workspace.users.get(target)
        im = self.workspace.existing_im(target)
        dm = None if im is None else im.id
        return [
            m
            for m in self.messages(include_deleted=include_deleted)
            if m.channel == target
            or (dm is not None and m.channel == dm)
            or (user is not None and m.ephemeral and m.ephemeral_to == target)
        ]

    def public_messages(self, channel_id: str, *, include_deleted: bool = False) -> list[Message]:
        """What everyone in ``channel_id`` can read: its non-ephemeral messages."""
        return [
            m
            for m in self.messages(include_deleted=include_deleted)
            if m.channel == channel_id and not m.ephemeral
        ]

    def message(self, channel_id: str, ts: str) -> Message:
        for message in self.workspace.messages:
            if message.channel == channel_id and message.ts == ts:
                return message
        raise KeyError(f"no message {ts} in {channel_id}")

    def response_posts(self, url: str | None = None) -> list[ResponsePost]:
        return [post for post in self._posts if url is None or post.url == url]

    def view(self, view_id: str) -> JSON:
        return self.workspace.views[view_id]

    def home_view(self, user_id: str) -> JSON | None:
        view_id = self.workspace.home_views.get(user_id)
        return None if view_id is None else self.workspace.views[view_id]

    def open_modals(self, user_id: str) -> list[JSON]:
        return self.workspace.user_modals(user_id)

    def clear(self) -> None:
        """Forget recorded calls, messages and response posts. Users, channels, views,
        issued ids, faults and rate windows stay."""
        self._calls.clear()
        self._counts.clear()
        self._posts.clear()
        self.workspace.forget_messages()

    # -- Socket Mode ----------------------------------------------------------------------

    async def socket_send(
        self,
        request: payloads.SlackRequest,
        *,
        retry_attempt: int = 0,
        retry_reason: str = "",
        timeout: float = 3.0,  # noqa: ASYNC109 - Slack's ack deadline
    ) -> JSON:
        """Deliver ``request`` (from ``slash_command``, ``block_action``, …) over the app's
        socket and return its ack, ``{"envelope_id": …}`` with maybe a ``payload``."""
        return await self.socket_mode.send(
            request, retry_attempt=retry_attempt, retry_reason=retry_reason, timeout=timeout
        )

    async def socket_disconnect(self, reason: DisconnectReason = "refresh_requested") -> None:
        await self.socket_mode.disconnect(reason)

    async def wait_for_socket(self, opened: int = 1, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Wait until the app has opened ``opened`` sockets in all and one is live."""
        await self.socket_mode.wait_for_socket(opened, timeout)

    # -- building requests from the fake's state -------------------------------------------

    def actor(self, user_id: str) -> payloads.Actor:
        return payloads.Actor(user_id, self.workspace.users[user_id].name, self.team.id)

    def slash_command(
        self,
        user_id: str,
        text: str,
        *,
        command: str = "/scnet",
        channel_id: str | None = None,
    ) -> payloads.SlackRequest:
        """``command text`` typed by ``user_id`` in ``channel_id`` (default: their DM with
        the app), with a fresh trigger id and response URL bound to them."""
        channel = self._channel_for(user_id, channel_id)
        return payloads.slash_command(
            team=self.team,
            user_id=user_id,
            user_name=self.workspace.users[user_id].name,
            command=command,
            text=text,
            channel_id=channel.id,
            channel_name="directmessage" if channel.kind == "im" else channel.name,
            response_url=self.new_response_url(channel_id=channel.id, user_id=user_id),
            trigger_id=self.new_trigger_id(user_id),
        )

    def block_action(
        self,
        user_id: str,
        action_id: str,
        *,
        message: Message | None = None,
        view_id: str | None = None,
        value: str | Sequence[str] | None = None,
        values: dict[str, Any] | None = None,
        block_id: str | None = None,
    ) -> payloads.SlackRequest:
        """``user_id`` using element ``action_id`` of a recorded ``message`` or of a stored
        view, with a fresh trigger id (and, on a message, a response URL for it).
        ``block_id`` picks the block when several hold the same action_id (a list's rows)."""
        user = self.actor(user_id)
        if view_id is not None:
            view = self.view(view_id)
            return payloads.block_actions(
                team=self.team,
                user=user,
                actions=[
                    payloads.action_for(view["blocks"], action_id, value=value, block_id=block_id)
                ],
                trigger_id=self.new_trigger_id(
                    user_id, view_id=view_id if view["type"] == "modal" else None
                ),
                view=view,
                values=values,
            )
        if message is None or message.channel is None:
            raise ValueError("give the message (from a conversation) or the view_id")
        channel = self.workspace.channels[message.channel]
        return payloads.block_actions(
            team=self.team,
            user=user,
            actions=[
                payloads.action_for(message.blocks or [], action_id, value=value, block_id=block_id)
            ],
            trigger_id=self.new_trigger_id(user_id),
            message=message.to_slack(self.team),
            channel=(channel.id, "directmessage" if channel.kind == "im" else channel.name),
            is_ephemeral=message.ephemeral,
            response_url=self.new_response_url(
                channel_id=channel.id, user_id=user_id, message_ts=message.ts, kind="actions"
            ),
            values=values,
        )

    def view_submission(
        self, user_id: str, view_id: str, values: dict[str, Any]
    ) -> payloads.SlackRequest:
        return payloads.view_submission(
            team=self.team,
            user=self.actor(user_id),
            view=self.view(view_id),
            values=values,
            trigger_id=self.new_trigger_id(user_id, view_id=view_id),
        )

    def app_home_opened(self, user_id: str) -> payloads.SlackRequest:
        return payloads.app_home_opened(
            team=self.team,
            user_id=user_id,
            channel_id=self.dm_channel(user_id),
            view=self.home_view(user_id),
            event_id=self._ids.event_id(),
            event_time=int(self.clock()),
        )

    def _channel_for(self, user_id: str, channel_id: str | None) -> Channel:
        if channel_id is None:
            return self.workspace.im_with(user_id)[0]
        channel = self.workspace.lookup_channel(channel_id)
        if channel is None:
            raise KeyError(f"unknown channel {channel_id}")
        return channel

    # -- HTTP -----------------------------------------------------------------------------

    def _condition(self) -> asyncio.Condition:
        if self._changed is None:
            self._changed = asyncio.Condition()
        return self._changed

    async def _record(self, call: Call, post: ResponsePost | None = None) -> None:
        self._calls.append(call)
        self._counts[(call.method, call.ok)] += 1
        if post is not None:
            self._posts.append(post)
        self.changes += 1
        changed = self._condition()
        async with changed:
            changed.notify_all()

    async def _delay(self, method: str) -> None:
        seconds = self.faults.latency_for(method)
        if seconds > 0:
            await asyncio.sleep(seconds)

    async def _web_api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        at = self.clock()
        parsed = await parse_request(request)
        await self._delay(method)
        authorized = parsed.token == (
            self.app_token if method == CONNECTIONS_OPEN else self.bot_token
        )
        malformed = None if parsed.malformed is None else _malformed(parsed.malformed)
        answer = self._answer(method, parsed.args, parsed.token, malformed)
        call = Call(
            method=method,
            args=parsed.args,
            at=at,
            http_status=answer.status,
            response=answer.body,
            authorized=authorized,
            transport=parsed.transport,
            url=str(request.rel_url.path),
        )
        await self._record(call)
        headers = dict(answer.headers)
        if authorized:
            scopes = ("connections:write",) if method == CONNECTIONS_OPEN else self.scopes
            headers["x-oauth-scopes"] = ",".join(scopes)
        return web.json_response(answer.body, status=answer.status, headers=headers)

    def _answer(
        self, method: str, args: dict[str, Any], token: str | None, malformed: Answer | None
    ) -> Answer:
        fault = self.faults.take(method)
        if fault is not None:
            return Answer(fault.body(), fault.status, fault.headers())
        if token is None:
            return fail("not_authed")
        if method == CONNECTIONS_OPEN:
            return self._connections_open(token)
        if token == self.app_token:
            return fail("not_allowed_token_type")
        if token != self.bot_token:
            return fail("invalid_auth")
        if malformed is not None:
            return malformed
        handler = METHODS.get(method)
        if handler is None:
            return fail("unknown_method", req_method=method)
        return handler(self.workspace, args, self.limits)

    def _connections_open(self, token: str) -> Answer:
        if token == self.bot_token:
            return fail("not_allowed_token_type")
        if token != self.app_token:
            return fail("invalid_auth")
        return ok(url=self.socket_mode.issue_url(self.base_url))

    async def _response_url(self, request: web.Request) -> web.Response:
        at = self.clock()
        raw = await request.read()
        body = response_urls.parse_body(raw)
        await self._delay(RESPONSE_URL)
        fault = self.faults.take(RESPONSE_URL)
        if fault is not None:
            answer = response_urls.HookAnswer(fault.status, fault.error)
            headers = fault.headers()
        else:
            answer = response_urls.post(self.workspace, request.rel_url.path, body)
            headers = {}
        url = f"{self.base_url}{request.rel_url.path}"
        recorded = body if body is not None else {}
        post = ResponsePost(url, recorded, at, answer.status, answer.text)
        call = Call(
            method=RESPONSE_URL,
            args=recorded,
            at=at,
            http_status=answer.status,
            response=answer.text,
            authorized=True,
            transport="json",
            url=url,
        )
        await self._record(call, post)
        return web.Response(
            text=answer.text, status=answer.status, content_type="text/html", headers=headers
        )


def _malformed(name: str) -> Answer:
    if name == "blocks":
        return fail("invalid_blocks_format")
    if name == "body":
        return fail("invalid_json")
    return fail("invalid_arguments", f"[ERROR] must be a JSON object [json-pointer:/{name}]")
