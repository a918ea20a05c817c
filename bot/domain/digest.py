"""The team's daily digest and its quota alerts: when a digest is due, what both say. Pure.

A digest is due once a local day, at ``DigestSchedule.at`` in its time zone, and stays due
until midnight there: a bot that was down at 09:00 sends the day's digest when it is back, but
never one for a day it missed. A schedule changed after that day's moment waits until
tomorrow (changing the time at 15:00 to 09:00 does not post at once).

Time zones come from ``zoneinfo``: the system's tz database (or the ``tzdata`` package).
Looking a name up reads that database once; zoneinfo caches it. It is the one lookup here
that is not plain arithmetic, and it is what makes ``Asia/Shanghai`` mean something.

``Digest`` and ``QuotaAlert`` are what the outbox carries (``to_json``/``from_json``): plain
numbers, Slack ids and instance names, never a secret.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.domain.costs import SpendSummary
from bot.domain.i18n import Locale
from bot.domain.quota import QUOTA_RESOURCES, QuotaLimits, QuotaResource, Usage

DEFAULT_DIGEST_TIME: Final = time(9, 0)
DEFAULT_DIGEST_TIMEZONE: Final = "Asia/Shanghai"
DEFAULT_LONG_RUNNING_HOURS: Final = 24
TIMEZONE_CHARS: Final = 64
# IANA names: Area/Location[/More], letters, digits, "_", "+", "-". Checked before zoneinfo
# sees the name, so nothing that reads as a file path ever reaches it.
_ZONE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_+\-]*(?:/[A-Za-z0-9_+\-]+)*")


def zone_named(name: str) -> ZoneInfo | None:
    """The time zone called ``name`` (``Asia/Shanghai``, ``UTC``), or None if there is none."""
    if len(name) > TIMEZONE_CHARS or not _ZONE_NAME.fullmatch(name):
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


@dataclass(frozen=True, slots=True)
class DigestSchedule:
    """When the digest goes out, and from how long "running long" begins."""

    at: time = DEFAULT_DIGEST_TIME
    timezone: str = DEFAULT_DIGEST_TIMEZONE
    long_running_hours: int = DEFAULT_LONG_RUNNING_HOURS

    @property
    def zone(self) -> ZoneInfo:
        # A stored name was valid when it was stored; should the tz database lose it, UTC
        # keeps the digest going rather than failing every minute.
        return zone_named(self.timezone) or ZoneInfo("UTC")

    def moment(self, day: date) -> datetime:
        """``at`` on local ``day``, as an aware datetime."""
        return datetime.combine(day, self.at, tzinfo=self.zone)


def digest_day(schedule: DigestSchedule, *, now: datetime, changed_at: datetime) -> date | None:
    """The local day whose digest is due at ``now``; None before today's moment, or when the
    schedule was changed after it (then the first digest is tomorrow's)."""
    today = now.astimezone(schedule.zone).date()
    due = schedule.moment(today)
    if now < due or changed_at > due:
        return None
    return today


def next_digest_at(schedule: DigestSchedule, *, now: datetime) -> datetime:
    """The next moment a digest goes out, for a schedule changed at ``now``."""
    today = now.astimezone(schedule.zone).date()
    due = schedule.moment(today)
    return due if due >= now else schedule.moment(today + timedelta(days=1))


def clock_text(at: time) -> str:
    return f"{at.hour:02d}:{at.minute:02d}"


# --- what the outbox carries ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LongRunner:
    name: str
    owner_user_id: str
    running_for: timedelta


@dataclass(frozen=True, slots=True)
class Digest:
    """One day's digest of a team, as it stood when it was due."""

    day: date
    usage: Usage
    limits: QuotaLimits | None
    top_holders: tuple[tuple[str, Usage], ...] = ()  # (user id, usage), biggest first
    long_runners: tuple[LongRunner, ...] = ()  # longest first
    long_running_hours: int = DEFAULT_LONG_RUNNING_HOURS
    timezone: str = DEFAULT_DIGEST_TIMEZONE
    spend: SpendSummary | None = None  # the estimated spend, once a team has rates or budgets

    def to_json(self) -> dict[str, object]:
        data: dict[str, object] = {
            "day": self.day.isoformat(),
            "usage": _usage_json(self.usage),
            "limits": None if self.limits is None else _limits_json(self.limits),
            "top": [[user_id, _usage_json(usage)] for user_id, usage in self.top_holders],
            "long": [
                [r.name, r.owner_user_id, int(r.running_for.total_seconds())]
                for r in self.long_runners
            ],
            "hours": self.long_running_hours,
            "tz": self.timezone,
        }
        if self.spend is not None:  # a digest without spend keeps its payload as it was
            data["spend"] = self.spend.to_json()
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> Digest | None:
        """The digest ``to_json`` wrote, or None when ``data`` is not one."""
        try:
            day = date.fromisoformat(str(data["day"]))
        except (KeyError, ValueError):
            return None
        limits = data.get("limits")
        spend = data.get("spend")
        return cls(
            day=day,
            usage=_usage_of(data.get("usage")),
            limits=_limits_of(limits) if isinstance(limits, Mapping) else None,
            top_holders=tuple(
                (str(entry[0]), _usage_of(entry[1]))
                for entry in _rows(data.get("top"))
                if len(entry) == 2
            ),
            long_runners=tuple(
                LongRunner(str(entry[0]), str(entry[1]), timedelta(seconds=_int(entry[2])))
                for entry in _rows(data.get("long"))
                if len(entry) == 3
            ),
            long_running_hours=_int(data.get("hours")) or DEFAULT_LONG_RUNNING_HOURS,
            timezone=str(data.get("tz") or DEFAULT_DIGEST_TIMEZONE),
            spend=SpendSummary.from_json(spend) if isinstance(spend, Mapping) else None,
        )


@dataclass(frozen=True, slots=True)
class QuotaAlert:
    """The team's usage of ``resource`` reached ``percent`` of its limit; or, with
    ``member_user_id``, that member's usage reached ``percent`` of their own limit."""

    resource: QuotaResource
    percent: int  # 80 or 100
    used: int
    limit: int
    holders: tuple[tuple[str, int], ...] = field(default=())  # (user id, amount), biggest first
    member_user_id: str | None = None  # None: the team's limit

    def to_json(self) -> dict[str, object]:
        data: dict[str, object] = {
            "resource": self.resource,
            "percent": self.percent,
            "used": self.used,
            "limit": self.limit,
            "holders": [list(pair) for pair in self.holders],
        }
        if self.member_user_id is not None:  # a team alert's payload stays as it was
            data["member"] = self.member_user_id
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> QuotaAlert | None:
        resource = next((r for r in QUOTA_RESOURCES if r == data.get("resource")), None)
        if resource is None:
            return None
        member = data.get("member")
        return cls(
            resource=resource,
            percent=_int(data.get("percent")),
            used=_int(data.get("used")),
            limit=_int(data.get("limit")),
            holders=tuple(
                (str(entry[0]), _int(entry[1]))
                for entry in _rows(data.get("holders"))
                if len(entry) == 2
            ),
            member_user_id=member if isinstance(member, str) and member else None,
        )


def threshold_percent(threshold: float) -> int:
    return round(threshold * 100)


def alerts_to_send(
    newly_reached: set[tuple[QuotaResource, float]],
) -> dict[QuotaResource, float]:
    """One alert per resource: for the highest threshold it newly reached. Usage that jumps
    from 50% to 100% in one step alerts once, at 100%, not twice."""
    highest: dict[QuotaResource, float] = {}
    for resource, threshold in newly_reached:
        highest[resource] = max(threshold, highest.get(resource, 0.0))
    return highest


def _usage_json(usage: Usage) -> list[int]:
    return [usage.amount(r) for r in QUOTA_RESOURCES]


def _usage_of(raw: object) -> Usage:
    values = [_int(v) for v in raw] if isinstance(raw, list) else []
    values += [0] * (len(QUOTA_RESOURCES) - len(values))
    return Usage(gpus=values[0], cpus=values[1], ram_mb=values[2], instances=values[3])


def _limits_json(limits: QuotaLimits) -> dict[str, int | None]:
    return {r: limits.limit(r) for r in QUOTA_RESOURCES}


def _limits_of(raw: Mapping[object, object]) -> QuotaLimits:
    values = {r: raw.get(r) for r in QUOTA_RESOURCES}
    return QuotaLimits(
        **{r: v if isinstance(v, int) and v >= 0 else None for r, v in values.items()}
    )


def _rows(raw: object) -> list[Sequence[object]]:
    return [entry for entry in raw if isinstance(entry, list)] if isinstance(raw, list) else []


def _int(raw: object) -> int:
    return int(raw) if isinstance(raw, int | float) and not isinstance(raw, bool) else 0


@dataclass(frozen=True, slots=True)
class TeamDigest:
    """A team's digest settings; ``channel_id`` None means the digest (and alerts) are off."""

    team_id: str
    channel_id: str | None
    schedule: DigestSchedule
    locale: Locale | None
    updated_at: datetime
