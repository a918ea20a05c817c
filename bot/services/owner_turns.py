"""Whose instance list the watcher reads next: owners take turns within a share of the budget.

Pure bookkeeping, no I/O: times are seconds on whatever clock the caller passes.

Each sweep asks ``OwnerTurns.pick`` which due owners to read: longest-overdue first, as many as
the background allowance (``rate`` reads a second, refilled by the clock) permits. Owners left
out stay due and, being longer overdue, go first next time. When owners × cadence asks for more
than the allowance, every owner's turn therefore stretches by the same factor and none starves;
``figures`` says by how much (the effective cadence) and what share of the allowance is used.

When the allowance is short, owners someone waits on (an instance not yet running) go before
owners whose instances all run, who still get ``running_share`` of the reads, so their ends and
time-limit reminders are late but never starved.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Collection, Hashable, Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

Owner = TypeVar("Owner", bound=Hashable)
RATE_WINDOW = 30.0  # seconds over which the reads per second are averaged
CADENCE_WEIGHT = 0.1  # how much each new gap moves the effective cadence (an EWMA)
RUNNING_SHARE = 0.1  # of a short allowance, for owners whose instances all run


@dataclass(frozen=True, slots=True)
class TurnFigures:
    effective_cadence: float  # seconds between two reads of an owner waiting for a start
    reads_per_second: float  # background reads over the last RATE_WINDOW seconds
    allowance_per_second: float  # what background reads may use of SCNET_MAX_RPS
    behind: int  # owners due but not read in the last pick (the budget is short)


class OwnerTurns(Generic[Owner]):
    def __init__(
        self, *, rate: float, burst: float | None = None, running_share: float = RUNNING_SHARE
    ) -> None:
        """``rate``: background reads a second at most; ``burst``: how many may go at once;
        ``running_share``: what owners whose instances all run keep of a short allowance."""
        self._rate = rate
        self._burst = burst if burst is not None else max(1.0, rate)
        self._tokens = self._burst
        self._running_share = running_share
        self._running_credit = 0.0  # reads owed to running owners while waiting ones crowd
        self._refilled_at: float | None = None
        self._last_read: dict[Owner, float] = {}
        self._reads: deque[float] = deque()
        self._cadence: float | None = None
        self._behind = 0

    def pick(
        self,
        due: Iterable[tuple[float, Owner]],
        *,
        now: float,
        waiting: Collection[Owner] = (),
    ) -> list[Owner]:
        """From ``(due_at, owner)`` pairs, the owners to read now, most overdue first.

        Owners in ``waiting`` (someone waits for a link) go before the others when the
        allowance cannot take everyone; the others still get ``running_share`` of it.
        """
        self._refill(now)
        ready = [(at, str(owner), owner) for at, owner in due if at <= now]
        first = sorted(item for item in ready if item[2] in waiting)
        rest = sorted(item for item in ready if item[2] not in waiting)
        allowed = int(self._tokens)
        if len(ready) <= allowed:
            chosen = first + rest
            self._running_credit = 0.0
        else:
            self._running_credit = min(
                self._running_credit + allowed * self._running_share, max(1.0, allowed)
            )
            owed = min(len(rest), int(self._running_credit), allowed)
            taken = first[: allowed - owed]
            others = rest[: allowed - len(taken)]
            self._running_credit = max(0.0, self._running_credit - len(others))
            chosen = taken + others
        self._tokens -= len(chosen)
        self._behind = len(ready) - len(chosen)
        return [owner for _, _, owner in chosen]

    def read(self, owner: Owner, *, now: float, waiting: bool) -> None:
        """``owner`` was read at ``now``; ``waiting``: they have an instance not yet running,
        so the gap since their last read counts towards the effective cadence."""
        last = self._last_read.get(owner)
        self._last_read[owner] = now
        self._reads.append(now)
        if waiting and last is not None:
            gap = now - last
            cadence = self._cadence
            self._cadence = gap if cadence is None else cadence + CADENCE_WEIGHT * (gap - cadence)

    def figures(self, *, now: float) -> TurnFigures:
        self._trim(now)
        return TurnFigures(
            effective_cadence=self._cadence or 0.0,
            reads_per_second=len(self._reads) / RATE_WINDOW,
            allowance_per_second=self._rate,
            behind=self._behind,
        )

    def _refill(self, now: float) -> None:
        if self._refilled_at is not None:
            elapsed = max(0.0, now - self._refilled_at)
            self._tokens = min(self._burst, self._tokens + elapsed * self._rate)
        self._refilled_at = now
        self._trim(now)

    def _trim(self, now: float) -> None:
        while self._reads and self._reads[0] <= now - RATE_WINDOW:
            self._reads.popleft()
