"""Retry policy for SCNet *reads*: exponential backoff with full jitter, capped in count and time.

Only ``TransientError`` is retried, and only by callers that know the request is a read. Limits
come from settings, so tests set a zero base delay and never wait.

The deadline bounds the whole read, its attempts and pauses included: no attempt starts when
its pause would pass the deadline, and an attempt still running at the deadline is cut short
(``RequestTimeout``). So a user waits at most ``deadline`` for a read, however the per-request
timeout and the attempts add up: with 8 s requests and an 18 s deadline, a third attempt may
start at 17 s and would otherwise run until 25 s.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from bot.scnet.errors import RequestTimeout, TransientError

T = TypeVar("T")
log = logging.getLogger(__name__)
_JITTER = random.Random()  # shared: a new one per read would seed itself from os.urandom


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    attempts: int = 4
    base_delay: float = 0.5
    max_delay: float = 8.0
    deadline: float = 30.0  # seconds from the first attempt to the end of the last

    def delay(self, attempt: int, rng: random.Random) -> float:
        """Full jitter (AWS architecture blog): uniform in [0, min(cap, base * 2^attempt)]."""
        ceiling = min(self.max_delay, self.base_delay * (2**attempt))
        return rng.uniform(0, ceiling)


async def retry_read(
    call: Callable[[], Awaitable[T]],
    *,
    policy: RetryPolicy,
    what: str,
    rng: random.Random | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> T:
    """``call``'s result, called again after a ``TransientError`` within ``policy``'s attempts and
    deadline (``RequestTimeout`` once that is over)."""
    rng = rng or _JITTER
    started = clock()
    attempt = 0
    while True:
        time_left = policy.deadline - (clock() - started)
        try:
            async with asyncio.timeout(max(0.0, time_left)) as scope:
                return await call()
        except TimeoutError:
            if not scope.expired():
                raise
            # The deadline is over: no attempt may follow, whatever ``attempts`` allows.
            raise RequestTimeout(
                f"no answer within the {policy.deadline:g}s read deadline", endpoint=what
            ) from None
        except TransientError as error:
            attempt += 1
            pause = policy.delay(attempt, rng)
            out_of_time = clock() - started + pause > policy.deadline
            if attempt >= policy.attempts or out_of_time:
                raise
            log.info(
                "retrying %s after %s (attempt %d of %d, in %.2fs)",
                what,
                type(error).__name__,
                attempt + 1,
                policy.attempts,
                pause,
            )
            await sleep(pause)
