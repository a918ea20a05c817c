"""Team quota arithmetic: who holds what, against which limits. Pure: data in, data out.

An instance holds resources while it is Waiting, Deploying or Running (a queued instance has
claimed its place); a terminal one holds nothing. Totals multiply by the task count.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final, Literal

from bot.domain.instances import InstanceStatus, Resources, is_pending, known_status

QuotaResource = Literal["gpus", "cpus", "ram_mb", "instances"]
QUOTA_RESOURCES: Final[tuple[QuotaResource, ...]] = ("gpus", "cpus", "ram_mb", "instances")
ALERT_THRESHOLDS: Final = (0.8, 1.0)


@dataclass(frozen=True, slots=True)
class QuotaLimits:
    """A team's (or one member's) limits; None means no limit on that resource."""

    gpus: int | None = None
    cpus: int | None = None
    ram_mb: int | None = None
    instances: int | None = None

    def __post_init__(self) -> None:
        for name in QUOTA_RESOURCES:
            value = getattr(self, name)
            if value is not None and value < 0:
                raise ValueError(f"quota limit {name} must not be negative")

    def limit(self, resource: QuotaResource) -> int | None:
        value: int | None = getattr(self, resource)
        return value

    @property
    def is_empty(self) -> bool:
        return all(self.limit(r) is None for r in QUOTA_RESOURCES)


@dataclass(frozen=True, slots=True)
class Usage:
    gpus: int = 0
    cpus: int = 0
    ram_mb: int = 0
    instances: int = 0

    def amount(self, resource: QuotaResource) -> int:
        value: int = getattr(self, resource)
        return value

    def plus(self, other: Usage) -> Usage:
        return Usage(
            gpus=self.gpus + other.gpus,
            cpus=self.cpus + other.cpus,
            ram_mb=self.ram_mb + other.ram_mb,
            instances=self.instances + other.instances,
        )

    @classmethod
    def of(cls, resources: Resources) -> Usage:
        return cls(
            gpus=resources.total_gpus,
            cpus=resources.total_cpus,
            ram_mb=resources.total_ram_mb,
            instances=1,
        )


@dataclass(frozen=True, slots=True)
class Holding:
    """One active instance and who holds it."""

    instance_id: str
    name: str
    owner_user_id: str
    status: str
    resources: Resources
    running_since: datetime | None


@dataclass(frozen=True, slots=True)
class Excess:
    resource: QuotaResource
    used: int  # before the request
    requested: int
    limit: int


def holds_resources(status: str) -> bool:
    return is_pending(status) or known_status(status) is InstanceStatus.RUNNING


def total(holdings: Iterable[Holding]) -> Usage:
    usage = Usage()
    for holding in holdings:
        usage = usage.plus(Usage.of(holding.resources))
    return usage


def by_member(holdings: Iterable[Holding]) -> dict[str, Usage]:
    members: dict[str, Usage] = {}
    for holding in holdings:
        members[holding.owner_user_id] = members.get(holding.owner_user_id, Usage()).plus(
            Usage.of(holding.resources)
        )
    return dict(sorted(members.items(), key=lambda item: (-item[1].gpus, -item[1].cpus)))


def longest_running(
    holdings: Iterable[Holding], *, now: datetime, limit: int = 5
) -> list[tuple[Holding, timedelta]]:
    running = [(h, now - h.running_since) for h in holdings if h.running_since is not None]
    running.sort(key=lambda pair: pair[1], reverse=True)
    return running[:limit]


def excesses(limits: QuotaLimits | None, used: Usage, requested: Usage) -> list[Excess]:
    """Each limit the request would pass; empty when it fits (or nothing is limited)."""
    if limits is None:
        return []
    found = []
    for resource in QUOTA_RESOURCES:
        limit = limits.limit(resource)
        if limit is None:
            continue
        after = used.amount(resource) + requested.amount(resource)
        if requested.amount(resource) > 0 and after > limit:
            found.append(Excess(resource, used.amount(resource), requested.amount(resource), limit))
    return found


def crossed_thresholds(
    limits: QuotaLimits | None,
    usage: Usage,
    thresholds: Sequence[float] = ALERT_THRESHOLDS,
) -> set[tuple[QuotaResource, float]]:
    """The (resource, threshold) pairs at or above which ``usage`` stands now.

    An alert fires for a pair that is in this set now and was not in it at the last check;
    dropping out of the set re-arms it, so each crossing alerts once.
    """
    if limits is None:
        return set()
    reached = set()
    for resource in QUOTA_RESOURCES:
        limit = limits.limit(resource)
        if not limit:
            continue
        ratio = usage.amount(resource) / limit
        reached |= {(resource, t) for t in thresholds if ratio >= t}
    return reached
