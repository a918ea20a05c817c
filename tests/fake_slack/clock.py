"""The fake's notion of time: any ``Callable[[], float]`` of epoch seconds.

Rate limits, trigger expiry and response_url lifetimes read it, so a test moves time with
``ManualClock.advance`` instead of sleeping. Latency knobs are the only real waits.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeAlias

Clock: TypeAlias = Callable[[], float]


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
