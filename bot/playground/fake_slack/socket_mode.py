"""Socket Mode as Slack speaks it, on the fake's own loopback server.

Sources: Slack's "Using Socket Mode" (docs.slack.dev/apis/events-api/using-socket-mode: the
URL, ``hello``, ``disconnect``, envelopes and acks) and what slack_sdk 3.47's client reads
(``socket_mode/async_client.py``, ``aiohttp/__init__.py``, ``request.py``, ``response.py``).

* ``apps.connections.open`` takes only the app-level token (``xapp-…``) and answers
  ``{"ok": true, "url": "ws://127.0.0.1:<port>/link/?ticket=…&app_id=…"}`` (Slack's is
  ``wss://wss-primary.slack.com/link/?…``). A ticket opens one socket; an unknown or used one
  is refused with HTTP 401 (how Slack refuses it is not documented). ``FakeSlack`` checks the
  token: a bot token there, or the app token anywhere else, is ``not_allowed_token_type``.
* A new socket first gets ``{"type": "hello", "num_connections": …, "debug_info": {…},
  "connection_info": {"app_id": …}}``.
* Requests arrive as envelopes ``{"payload", "envelope_id", "type",
  "accepts_response_payload"}``: ``slash_commands`` (the command's form fields as an object),
  ``interactive`` (the JSON of an interaction's ``payload`` field) and ``events_api`` (the
  ``event_callback`` body, plus ``retry_attempt`` and ``retry_reason``). Slack accepts a
  response payload for the first two, not for events. Each goes to the newest live socket
  (Slack picks any).
* The app acks with ``{"envelope_id": …}`` and, for a response, ``"payload"``. Slack's
  deadline is 3 seconds; ``send`` waits that long and raises ``TimeoutError`` (the fake does
  not redeliver: a test sends the retry it wants).
* ``disconnect`` sends ``{"type": "disconnect", "reason": …, "debug_info": {"host": …}}``;
  the client then opens a new connection and closes the old socket.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Literal

from aiohttp import WSMsgType, web

from .ids import IdSource
from .models import JSON, Team
from .payloads import JSON_TYPE, SlackRequest

CONNECTIONS_OPEN = "apps.connections.open"
PATH = "/link/"
ACK_DEADLINE = 3.0
HOST = "applink-fake-1"

EnvelopeType = Literal["slash_commands", "interactive", "events_api"]
DisconnectReason = Literal["refresh_requested", "warning", "link_disabled"]


def envelope(
    request: SlackRequest, envelope_id: str, *, retry_attempt: int = 0, retry_reason: str = ""
) -> JSON:
    """The envelope Slack sends over the socket for what it would POST to a Request URL."""
    payload = request.payload()
    kind: EnvelopeType
    if request.content_type == JSON_TYPE:
        if payload.get("type") != "event_callback":
            raise ValueError(f"Socket Mode sends no {payload.get('type')!r} requests")
        kind = "events_api"
    else:
        kind = "slash_commands" if "command" in payload else "interactive"
    sent: JSON = {
        "payload": payload,
        "envelope_id": envelope_id,
        "type": kind,
        "accepts_response_payload": kind != "events_api",
    }
    if kind == "events_api":
        sent["retry_attempt"] = retry_attempt
        sent["retry_reason"] = retry_reason
    return sent


class SocketMode:
    """The WebSocket side of the fake: tickets, live sockets, envelopes and their acks."""

    def __init__(self, *, team: Team, ids: IdSource, app_token: str | None = None) -> None:
        self.team = team
        self._ids = ids
        self.app_token = app_token or ids.app_token(team.app_id)
        self.opened = 0  # sockets ever accepted
        self.sent: list[JSON] = []  # every envelope, in order
        self.received: list[JSON] = []  # every frame the app sent, in order
        self._tickets: set[str] = set()
        self._live: list[web.WebSocketResponse] = []  # oldest first
        self._acks: dict[str, asyncio.Future[JSON]] = {}
        self._changed: asyncio.Condition | None = None

    @property
    def live(self) -> int:
        return len(self._live)

    def issue_url(self, base_url: str) -> str:
        ticket = self._ids.envelope_id()
        self._tickets.add(ticket)
        ws_base = base_url.replace("http://", "ws://", 1)
        return f"{ws_base}{PATH}?ticket={ticket}&app_id={self.team.app_id}"

    # -- the socket -----------------------------------------------------------------------

    async def connect(self, request: web.Request) -> web.StreamResponse:
        ticket = request.query.get("ticket", "")
        if ticket not in self._tickets:
            raise web.HTTPUnauthorized(text="invalid_ticket")
        self._tickets.discard(ticket)
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        self._live.append(socket)
        self.opened += 1
        await socket.send_json(self._hello())
        await self._notify()
        try:
            async for frame in socket:
                if frame.type == WSMsgType.TEXT:
                    self._on_frame(frame.data)
        finally:
            self._live.remove(socket)
            await self._notify()
        return socket

    def _hello(self) -> JSON:
        return {
            "type": "hello",
            "num_connections": len(self._live),
            "debug_info": {"host": HOST, "build_number": 1, "approximate_connection_time": 3600},
            "connection_info": {"app_id": self.team.app_id},
        }

    def _on_frame(self, data: str) -> None:
        try:
            frame = json.loads(data)
        except json.JSONDecodeError:
            frame = None
        if not isinstance(frame, dict):
            self.received.append({"unparsed": data})
            return
        self.received.append(frame)
        waiter = self._acks.get(str(frame.get("envelope_id")))
        if waiter is not None and not waiter.done():
            waiter.set_result(frame)

    # -- what tests call ------------------------------------------------------------------

    async def send(
        self,
        request: SlackRequest,
        *,
        retry_attempt: int = 0,
        retry_reason: str = "",
        timeout: float = ACK_DEADLINE,  # noqa: ASYNC109 - a test helper, like asyncio.wait_for
    ) -> JSON:
        """Deliver ``request`` as an envelope and return the app's ack (``envelope_id`` and
        maybe ``payload``); ``TimeoutError`` when none comes within ``timeout`` seconds."""
        if not self._live:
            raise RuntimeError("no app is connected over Socket Mode")
        sent = envelope(
            request,
            self._ids.envelope_id(),
            retry_attempt=retry_attempt,
            retry_reason=retry_reason,
        )
        envelope_id: str = sent["envelope_id"]
        waiter: asyncio.Future[JSON] = asyncio.get_running_loop().create_future()
        self._acks[envelope_id] = waiter
        try:
            self.sent.append(sent)
            await self._live[-1].send_json(sent)
            async with asyncio.timeout(timeout):
                return await waiter
        except TimeoutError:
            raise TimeoutError(
                f"no ack for {sent['type']} envelope {envelope_id} within {timeout}s; "
                f"the app sent {self.received}"
            ) from None
        finally:
            del self._acks[envelope_id]

    async def disconnect(self, reason: DisconnectReason = "refresh_requested") -> None:
        """Ask every live socket's app to reconnect, as Slack does every few hours."""
        message = {"type": "disconnect", "reason": reason, "debug_info": {"host": HOST}}
        for socket in list(self._live):
            await socket.send_json(message)

    async def wait_for_socket(
        self,
        opened: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109 - a test helper
    ) -> None:
        """Wait until ``opened`` sockets have been accepted in all and one is live."""
        await self._wait(lambda: self.opened >= opened and bool(self._live), timeout, "open")

    async def wait_closed(self, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Wait until the app has no socket open."""
        await self._wait(lambda: not self._live, timeout, "closed")

    async def close_all(self) -> None:
        """Close every socket (going away): the fake is stopping."""
        for socket in list(self._live):
            await socket.close(code=1001, message=b"server stopping")

    # -- waiting --------------------------------------------------------------------------

    def _condition(self) -> asyncio.Condition:
        if self._changed is None:
            self._changed = asyncio.Condition()
        return self._changed

    async def _notify(self) -> None:
        changed = self._condition()
        async with changed:
            changed.notify_all()

    async def _wait(
        self,
        done: Callable[[], bool],
        timeout: float,  # noqa: ASYNC109
        what: str,
    ) -> None:
        changed = self._condition()
        async with changed:
            try:
                async with asyncio.timeout(timeout):
                    await changed.wait_for(done)
            except TimeoutError:
                raise TimeoutError(
                    f"waited {timeout}s for Socket Mode {what}: {self.opened} opened, "
                    f"{len(self._live)} live"
                ) from None
