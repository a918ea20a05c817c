"""The simulator's notion of "now": an injectable clock, and a manual one for tests.

Instance status advances lazily: every read compares the clock with the times an instance
entered its current status (see ``lifecycle``). With ``ManualClock`` a test moves time forward
with ``advance(seconds)`` and never sleeps. Token expiry and the AK/SK timestamp check use the
same clock, so a test can also age a token past its ``expireTime``.
"""

from __future__ import annotations

from collections.abc import Callable

Clock = Callable[[], float]
"""Returns epoch seconds, like ``time.time``."""


class ManualClock:
    """A clock that only moves when told to. Starts at ``start`` epoch seconds."""

    def __init__(self, start: float = 1_750_000_000.0) -> None:
        self._now = float(start)

    def __call__(self) -> float:
        return self._now

    def advance(self, seconds: float) -> float:
        """Move forward by ``seconds`` (never backwards) and return the new time."""
        if seconds < 0:
            raise ValueError("a ManualClock does not go backwards")
        self._now += seconds
        return self._now

    def set(self, epoch_seconds: float) -> None:
        if epoch_seconds < self._now:
            raise ValueError("a ManualClock does not go backwards")
        self._now = float(epoch_seconds)
