"""Retry policy for SCNet *reads*: exponential backoff with full jitter, capped in count and time.

Only ``TransientError`` is retried, and only by callers that know the request is a read. Limits
come from settings, so tests set a zero base delay and never wait.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from bot.scnet.errors import TransientError

T = TypeVar("T")
log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    attempts: int = 4
    base_delay: float = 0.5
    max_delay: float = 8.0
    deadline: float = 30.0  # seconds from the first attempt; no new attempt starts after it

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
    rng = rng or random.Random()
    started = clock()
    attempt = 0
    while True:
        try:
            return await call()
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
