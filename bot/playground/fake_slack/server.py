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
from collections.abc import Sequence
from types import TracebackType
from typing import Any, Self

from aiohttp import web

from . import payloads, response_urls
from .clock import Clock
from .faults import Fault, FaultPlan
from .ids import IdSource
from .interactions import Interactions
from .models import JSON, RESPONSE_URL, Call, Channel, ResponsePost, Team, User
from .recordings import Recordings
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


class FakeSlack(Recordings, Interactions):
    """Slack on loopback: its Web API, response URLs and Socket Mode, and the state behind
    them (``Recordings`` says what it saw, ``Interactions`` builds what users do)."""

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
        super().__init__(
            Workspace(team=self.team, ids=self._ids, clock=clock, strict_channels=strict_channels)
        )
        self.limits = Limits(enforce_rate_limits=enforce_rate_limits, post_interval=post_interval)
        self.faults = FaultPlan()
        # Its own id stream, so that Socket Mode shifts none of the ids handed out above.
        self.socket_mode = SocketMode(team=self.team, ids=IdSource(seed + 1), app_token=app_token)
        self.scopes = tuple(scopes)
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

    # -- HTTP -----------------------------------------------------------------------------

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
        await self.record(call)
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
        await self.record(call, post)
        return web.Response(
            text=answer.text, status=answer.status, content_type="text/html", headers=headers
        )


def _malformed(name: str) -> Answer:
    if name == "blocks":
        return fail("invalid_blocks_format")
    if name == "body":
        return fail("invalid_json")
    return fail("invalid_arguments", f"[ERROR] must be a JSON object [json-pointer:/{name}]")
