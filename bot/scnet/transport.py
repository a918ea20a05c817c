"""One request to SCNet and back: the budget, the timeout, the envelope, the retry of reads.

``Transport.send`` makes one HTTP exchange under the process-wide ``RequestBudget`` and an
explicit timeout (aiohttp's default would be five minutes), and turns the answer into the
envelope's ``data`` or a ``ScnetError``. ``read`` retries a read on transient errors
(``retry_read``); ``send_once`` is for restart, stop and delete, which are never retried: an
unanswered one raises ``ActionOutcomeUnknown``. A request that never connected raises
``NotSent``, so a caller may say that nothing happened, even for a create.

Each exchange is reported to ``observe`` (``ObserveRequest``: method, endpoint template,
outcome, seconds), if given: the metrics of ``bot.metrics``, without this package knowing them.
The outcome is ``ok`` or the error class in snake case (``request_timeout``, ``not_sent``,
``upstream_http_error``, ``token_invalid``...), a fixed vocabulary.

The token travels only in the ``token`` header and SCNet's ``msg`` is redacted before it
reaches an exception: no secret gets into a log line or an error text from here.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Final, Literal

import aiohttp

from bot.domain.redaction import redact
from bot.domain.secret import Secret
from bot.scnet.budget import RequestBudget
from bot.scnet.errors import (
    ActionOutcomeUnknown,
    HttpRefused,
    MalformedResponse,
    NetworkError,
    RequestTimeout,
    ScnetError,
    TransientError,
    UpstreamHttpError,
    error_for_code,
)
from bot.scnet.retry import RetryPolicy, retry_read
from bot.scnet.wire import Envelope

log = logging.getLogger(__name__)

SUCCESS_CODES: Final = frozenset({"0", "200"})
Method = Literal["GET", "POST", "DELETE"]
Query = Sequence[tuple[str, str]]
# method, endpoint (the path template), outcome, seconds
ObserveRequest = Callable[[str, str, str, float], None]
# The time an exchange may take: a context that raises TimeoutError inside once it has run out.
Deadline = Callable[[float], AbstractAsyncContextManager[object]]


@dataclass(frozen=True, slots=True)
class Request:
    """One HTTP request to SCNet, as the endpoint builders in ``bot.scnet.endpoints`` make it."""

    method: Method
    base: str
    path: str
    endpoint: str  # path template for logs and errors, e.g. "instance-service/{id}/detail"
    token: Secret | None = None
    query: Query = ()
    body: object = None
    headers: tuple[tuple[str, str], ...] = ()


class NotSent(NetworkError):
    """The connection was never made, so nothing reached SCNet (safe even for a create)."""


class Transport:
    """Sends ``Request``s over one aiohttp session, which it opens on first use and closes."""

    def __init__(
        self,
        *,
        budget: RequestBudget,
        timeout: float,
        connect_timeout: float,
        retry: RetryPolicy,
        session: aiohttp.ClientSession | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        observe: ObserveRequest | None = None,
        deadline: Deadline = asyncio.timeout,
    ) -> None:
        """``deadline(timeout)`` bounds each exchange (a test may end it when it likes)."""
        self.budget = budget
        self._deadline = deadline
        self._observe = observe
        self._timeout = timeout
        self._connect_timeout = connect_timeout
        self._retry = retry
        self._session = session
        self._owns_session = session is None
        self._sleep = sleep

    def open(self) -> None:
        """Open the session now (it would be opened by the first request anyway)."""
        self._ensure_session()

    async def close(self) -> None:
        """Close the session if this transport opened it; a later request opens a new one."""
        if self._session is not None and self._owns_session:
            await self._session.close()
        self._session = None

    def _ensure_session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=100, ttl_dns_cache=300),
                raise_for_status=False,
            )
            self._owns_session = True
        return self._session

    async def send(self, request: Request) -> object:
        """One HTTP exchange: the envelope's ``data`` on success, a ScnetError otherwise."""
        await self.budget.acquire()
        if self._observe is None:
            return await self._exchange(request)
        started = time.monotonic()
        outcome = "cancelled"  # cut short by the read deadline or shutdown
        try:
            data = await self._exchange(request)
        except ScnetError as error:
            outcome = outcome_name(error)
            raise
        except Exception:
            outcome = "error"
            raise
        else:
            outcome = "ok"
            return data
        finally:
            self._observe(request.method, request.endpoint, outcome, time.monotonic() - started)

    async def _exchange(self, request: Request) -> object:
        session = self._ensure_session()
        headers = dict(request.headers)
        if request.token is not None:
            headers["token"] = request.token.reveal()
        payload: bytes | None = None
        if request.body is not None:
            payload = json.dumps(request.body, ensure_ascii=False).encode("utf-8")
            headers["Content-Type"] = "application/json"
        # The whole exchange is bounded by the deadline; aiohttp bounds only the connect.
        timeout = aiohttp.ClientTimeout(
            total=None, connect=min(self._connect_timeout, self._timeout)
        )
        started = time.monotonic()
        try:
            async with (
                self._deadline(self._timeout),
                session.request(
                    request.method,
                    request.base + request.path,
                    params=list(request.query) or None,
                    data=payload,
                    headers=headers,
                    timeout=timeout,
                    allow_redirects=False,
                ) as response,
            ):
                status = response.status
                raw = await response.read()
        except TimeoutError:
            raise RequestTimeout(
                f"no answer within {self._timeout:g}s", endpoint=request.endpoint
            ) from None
        except aiohttp.ClientConnectorError as error:
            raise NotSent(
                f"cannot connect ({type(error).__name__})", endpoint=request.endpoint
            ) from None
        except aiohttp.ClientError as error:
            raise NetworkError(type(error).__name__, endpoint=request.endpoint) from None
        log.debug(
            "scnet %s %s -> %d in %.0f ms",
            request.method,
            request.endpoint,
            status,
            (time.monotonic() - started) * 1000,
        )
        return unwrap(raw, status=status, endpoint=request.endpoint)

    async def send_once(self, request: Request) -> object:
        """Send a restart, stop or delete once; no answer means the outcome is unknown."""
        try:
            return await self.send(request)
        except NotSent:
            raise  # never reached SCNet: nothing happened
        except TransientError as error:
            raise ActionOutcomeUnknown(
                f"unanswered ({type(error).__name__})", endpoint=request.endpoint
            ) from None

    async def read(self, request: Request) -> object:
        """Send a read, again after a transient error, within the retry policy's limits."""
        return await retry_read(
            lambda: self.send(request),
            policy=self._retry,
            what=request.endpoint,
            sleep=self._sleep,
        )


_WORD_START = re.compile(r"(?<!^)(?=[A-Z])")


def outcome_name(error: ScnetError) -> str:
    """``RequestTimeout`` -> ``request_timeout``: an error's name as a metric label."""
    return _WORD_START.sub("_", type(error).__name__).lower()


def unwrap(raw: bytes, *, status: int, endpoint: str) -> object:
    """The envelope's ``data``; the error its code, or the HTTP status without one, stands for."""
    envelope = _envelope(raw)
    if envelope is None:
        if status >= 500 or status == 429:
            raise UpstreamHttpError(status=status, endpoint=endpoint)
        if status >= 400:
            raise HttpRefused(status=status, endpoint=endpoint)
        raise MalformedResponse(f"HTTP {status} without SCNet's envelope", endpoint=endpoint)
    if envelope.code in SUCCESS_CODES:
        if status >= 400:
            raise UpstreamHttpError(status=status, endpoint=endpoint)
        return envelope.data
    raise error_for_code(envelope.code, _safe_msg(envelope.msg), endpoint=endpoint)


def _envelope(raw: bytes) -> Envelope | None:
    try:
        decoded = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(decoded, dict) or "code" not in decoded:
        return None
    try:
        return Envelope.model_validate(decoded)
    except ValueError:
        return None


def _safe_msg(msg: str) -> str:
    """SCNet's msg, cut short and with anything URL- or token-like masked."""
    return redact(msg.strip())[:200]


__all__ = [
    "Method",
    "NotSent",
    "ObserveRequest",
    "Query",
    "Request",
    "Transport",
    "outcome_name",
    "unwrap",
]
