"""How fast the bot posts to one Slack conversation: a token bucket per target. Pure.

Slack allows about one ``chat.postMessage`` a second in a channel (a DM is a channel too),
"with short bursts allowed", and answers 429 past that. Each target may take ``burst`` posts
at once and then one per ``interval``; ``wait`` tells how long until the next post may go, so
that the notifier sends what may go now and hands the rest back for their turns.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass


@dataclass(slots=True)
class _Bucket:
    tokens: float
    at: float  # when ``tokens`` was counted


class Pacer:
    """Spaces posts per target (a channel, a user): ``burst`` at once, then one per ``interval``."""

    def __init__(self, *, interval: float, burst: int) -> None:
        self._interval = interval
        self._burst = float(max(1, burst))
        self._buckets: dict[Hashable, _Bucket] = {}

    @property
    def enabled(self) -> bool:
        """Whether posts are spaced at all (an interval of 0 turns pacing off)."""
        return self._interval > 0

    def wait(self, target: Hashable, *, now: float) -> float:
        """Seconds from ``now`` until a post to ``target`` may go (0: at once)."""
        if not self.enabled:
            return 0.0
        return max(0.0, (1.0 - self._tokens(target, now)) * self._interval)

    def took(self, target: Hashable, *, now: float) -> None:
        """A post to ``target`` went out (or was tried) at ``now``."""
        if not self.enabled:
            return
        self._buckets[target] = _Bucket(self._tokens(target, now) - 1.0, now)

    def forget_idle(self, *, now: float) -> None:
        """Drop buckets that have refilled: a target not posted to lately costs nothing."""
        full = [t for t in self._buckets if self._tokens(t, now) >= self._burst]
        for target in full:
            del self._buckets[target]

    def _tokens(self, target: Hashable, now: float) -> float:
        bucket = self._buckets.get(target)
        if bucket is None:
            return self._burst
        refilled = (now - bucket.at) / self._interval
        return min(self._burst, bucket.tokens + refilled)
