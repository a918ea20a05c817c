"""A global request budget towards SCNet: a token bucket shared by every call of the process.

Thousands of watches polling at once must not hammer SCNet; each request takes one token and
waits (asynchronously, first come first served) when the bucket is empty.

Requests made inside ``background_requests()`` (the watcher's) give way: they take a token only
while no other request is waiting for one, so a user's command never queues behind a sweep.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]
_BACKGROUND: ContextVar[bool] = ContextVar("scnet_background_request", default=False)


@contextmanager
def background_requests() -> Iterator[None]:
    """Requests made in this context (and in tasks it starts) yield to all others."""
    token = _BACKGROUND.set(True)
    try:
        yield
    finally:
        _BACKGROUND.reset(token)


class RequestBudget:
    def __init__(
        self,
        rate_per_second: float,
        *,
        burst: float | None = None,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        if rate_per_second <= 0:
            raise ValueError("rate_per_second must be positive")
        self.rate = rate_per_second
        # A small burst by default, a tenth of a second's worth (at least one): requests are
        # spaced about 1/rate apart, so no second sees more than ``rate`` and a tenth, and a
        # waiter woken a little late (a busy event loop) does not lose its turn.
        self.capacity = burst if burst is not None else max(1.0, rate_per_second / 10)
        self._tokens = self.capacity
        self._clock = clock
        self._sleep = sleep
        self._updated = clock()
        self._lock = asyncio.Lock()
        self.waited_seconds = 0.0
        self._foreground_waiting = 0

    def _refill(self) -> None:
        now = self._clock()
        elapsed = max(0.0, now - self._updated)
        self._tokens = min(self.capacity, self._tokens + elapsed * self.rate)
        self._updated = now

    async def acquire(self) -> None:
        if _BACKGROUND.get():
            await self._acquire_in_background()
            return
        self._foreground_waiting += 1
        try:
            # The lock makes waiters queue in order; the sleep happens while holding it so
            # that a later caller cannot overtake one that is already waiting for its token.
            async with self._lock:
                self._refill()
                if self._tokens < 1.0:
                    wait = (1.0 - self._tokens) / self.rate
                    self.waited_seconds += wait
                    await self._sleep(wait)
                    self._refill()
                self._tokens -= 1.0
        finally:
            self._foreground_waiting -= 1

    async def _acquire_in_background(self) -> None:
        while True:
            wait = 1.0 / self.rate
            if not self._foreground_waiting:
                self._refill()
                if self._tokens >= 1.0:
                    self._tokens -= 1.0
                    return
                wait = (1.0 - self._tokens) / self.rate
            self.waited_seconds += wait
            await self._sleep(wait)
