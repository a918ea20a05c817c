"""What the team's instances cost, as the admins' rates estimate it. Pure arithmetic.

SCNet bills by its own rules and shows no bill per instance (reference §4.1: only the
account's balance). So the bot *estimates*: an admin sets rates per resource group (CNY per
GPU card-hour, per CPU core-hour, per GB-hour of memory) and an instance costs, for each hour
it ran, its cards, cores and GB times those rates. Every figure shown says it is an estimate.

Money is ``Decimal`` throughout, never float: rates have at most ``RATE_PLACES`` decimals
(stored as integer ten-thousandths of a yuan), budgets at most two (integer fen). A figure is
rounded to the fen only when shown (``fen``), so the sum of many short runs does not drift.

Spend is counted over the runs the bot recorded (``Run``: one start to one end of an
instance; a restart starts a new run), cut at local midnight of the team's time zone for
"today" and at the first of the month for "this month". The rates in force now price every
run, also past ones: an estimate, and changing a rate re-prices the month.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Final, Literal
from zoneinfo import ZoneInfo

from bot.domain.instances import Resources

RATE_PLACES: Final = 4  # 0.0001 CNY: a GB-hour of memory can cost less than a fen
BUDGET_PLACES: Final = 2  # fen
RATE_UNIT: Final = Decimal(10) ** -RATE_PLACES
FEN: Final = Decimal("0.01")
# Beyond these a value is a typo (an extra zero or two), not a price: no SCNet card costs
# 1000 CNY an hour, no team has a monthly budget of 100 million.
MOST_RATE: Final[Mapping[str, Decimal]] = {
    "gpu": Decimal(1000),
    "cpu": Decimal(100),
    "ram": Decimal(100),
}
MOST_BUDGET: Final = Decimal(100_000_000)
BUDGET_THRESHOLDS: Final = (80, 100)
MB_PER_GB: Final = 1024
SECONDS_PER_HOUR: Final = Decimal(3600)

AmountProblem = Literal["not_a_number", "negative", "too_precise", "too_large"]
RateName = Literal["gpu", "cpu", "ram"]
RATE_NAMES: Final[tuple[RateName, ...]] = ("gpu", "cpu", "ram")


class AmountError(ValueError):
    """``raw`` is no usable amount of CNY; ``problem`` says why (a catalog key's suffix)."""

    def __init__(self, raw: str, problem: AmountProblem, *, most: Decimal, places: int) -> None:
        self.raw = raw
        self.problem = problem
        self.most = most
        self.places = places
        super().__init__(f"{problem}: {raw[:40]!r}")


def parse_amount(raw: str, *, places: int, most: Decimal) -> Decimal:
    """``raw`` (``"5000"``, ``"2.5"``, ``"¥0.35"``, ``"1,200"``) as CNY; ``AmountError``
    when it is not a plain decimal number, is negative, has more than ``places`` decimals or
    is above ``most``."""
    text = raw.strip().removeprefix("¥").removeprefix("￥").replace(",", "").replace("_", "")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise AmountError(raw, "not_a_number", most=most, places=places) from None
    if not value.is_finite():
        raise AmountError(raw, "not_a_number", most=most, places=places)
    if value < 0 or text.startswith("-"):
        raise AmountError(raw, "negative", most=most, places=places)
    if value > most:
        raise AmountError(raw, "too_large", most=most, places=places)
    step = Decimal(10) ** -places
    if value != value.quantize(step):
        raise AmountError(raw, "too_precise", most=most, places=places)
    return value.quantize(step)


def parse_rate(raw: str, name: RateName) -> Decimal:
    return parse_amount(raw, places=RATE_PLACES, most=MOST_RATE[name])


def parse_budget(raw: str) -> Decimal:
    return parse_amount(raw, places=BUDGET_PLACES, most=MOST_BUDGET)


def to_units(amount: Decimal, places: int) -> int:
    """The integer the store keeps: ``amount`` in 10**-places yuan."""
    return int(amount.scaleb(places).to_integral_value(rounding=ROUND_HALF_UP))


def from_units(units: int, places: int) -> Decimal:
    return Decimal(units).scaleb(-places)


def fen(amount: Decimal) -> Decimal:
    """``amount`` rounded to the fen, as shown."""
    return amount.quantize(FEN, rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class Rates:
    """CNY per GPU card-hour, per CPU core-hour and per GB-hour of memory, in one group."""

    gpu: Decimal = Decimal(0)
    cpu: Decimal = Decimal(0)
    ram: Decimal = Decimal(0)

    def of(self, name: RateName) -> Decimal:
        return {"gpu": self.gpu, "cpu": self.cpu, "ram": self.ram}[name]

    def hourly(self, resources: Resources) -> Decimal:
        """What ``resources`` (every container of the instance) cost for one hour."""
        ram_gb = Decimal(resources.total_ram_mb) / MB_PER_GB
        return resources.total_gpus * self.gpu + resources.total_cpus * self.cpu + ram_gb * self.ram


@dataclass(frozen=True, slots=True)
class Run:
    """One stretch an instance ran: from ``started_at`` to ``ended_at`` (None: still runs)."""

    instance_id: str
    owner_user_id: str
    resource_group: str
    resources: Resources
    started_at: datetime
    ended_at: datetime | None = None

    def span(self, *, since: datetime | None = None, until: datetime) -> timedelta:
        """How long it ran between ``since`` (None: from its start) and ``until``."""
        start = self.started_at if since is None else max(self.started_at, since)
        end = until if self.ended_at is None else min(self.ended_at, until)
        return max(timedelta(0), end - start)


def cost_of(resources: Resources, rates: Rates, span: timedelta) -> Decimal:
    """What ``resources`` cost for ``span`` at ``rates`` (exact; round with ``fen``)."""
    seconds = Decimal(span.days * 86_400 + span.seconds) + Decimal(span.microseconds) / 10**6
    return rates.hourly(resources) * seconds / SECONDS_PER_HOUR


def run_cost(
    run: Run, rates: Rates | None, *, since: datetime | None = None, until: datetime
) -> Decimal:
    """The run's cost between ``since`` and ``until``; nothing where its group has no rate."""
    if rates is None:
        return Decimal(0)
    return cost_of(run.resources, rates, run.span(since=since, until=until))


def day_start(now: datetime, zone: ZoneInfo) -> datetime:
    """Local midnight of ``now``'s day in ``zone``, aware."""
    local = now.astimezone(zone)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def month_start(now: datetime, zone: ZoneInfo) -> datetime:
    """Local midnight of the first of ``now``'s month in ``zone``, aware."""
    return day_start(now, zone).replace(day=1)


def month_key(now: datetime, zone: ZoneInfo) -> str:
    """``YYYY-MM`` of ``now``'s month in ``zone``: which month's budget applies."""
    return now.astimezone(zone).strftime("%Y-%m")


@dataclass(frozen=True, slots=True)
class Spend:
    """Estimated CNY spent today and this month (both up to now)."""

    today: Decimal = Decimal(0)
    month: Decimal = Decimal(0)

    def plus(self, other: Spend) -> Spend:
        return Spend(today=self.today + other.today, month=self.month + other.month)


@dataclass(frozen=True, slots=True)
class SpendReport:
    """A team's spend per member and in all, and the groups that ran without a rate."""

    team: Spend
    members: Mapping[str, Spend]  # user id -> spend, biggest month first
    unpriced_groups: tuple[str, ...] = ()


def spend_report(
    runs: Iterable[Run], rates: Mapping[str, Rates], *, now: datetime, zone: ZoneInfo
) -> SpendReport:
    """Spend today and this month (in ``zone``) of each member and the team, over ``runs``
    at ``rates`` (by resource group)."""
    today, month = day_start(now, zone), month_start(now, zone)
    members: dict[str, Spend] = {}
    unpriced: set[str] = set()
    for run in runs:
        group_rates = rates.get(run.resource_group)
        if group_rates is None:
            if run.span(since=month, until=now) > timedelta(0):
                unpriced.add(run.resource_group)
            continue
        spend = Spend(
            today=run_cost(run, group_rates, since=today, until=now),
            month=run_cost(run, group_rates, since=month, until=now),
        )
        if spend.month or run.owner_user_id in members:
            members[run.owner_user_id] = members.get(run.owner_user_id, Spend()).plus(spend)
    team = Spend()
    for spend in members.values():
        team = team.plus(spend)
    ordered = dict(sorted(members.items(), key=lambda kv: (-kv[1].month, kv[0])))
    return SpendReport(team=team, members=ordered, unpriced_groups=tuple(sorted(unpriced)))


def budget_reached(spent: Decimal, budget: Decimal | None) -> set[int]:
    """The thresholds (percent of ``budget``) that ``spent`` stands at or above. A budget of
    0 ("no spending": creates are refused) raises no alerts: there is nothing to warn of."""
    if budget is None or budget <= 0:
        return set()
    return {p for p in BUDGET_THRESHOLDS if spent * 100 >= budget * p}


def budget_percent(spent: Decimal, budget: Decimal) -> int:
    """``spent`` as a whole percentage of ``budget`` (100 for a zero budget)."""
    if budget <= 0:
        return 100
    return int((spent * 100 / budget).to_integral_value(rounding=ROUND_HALF_UP))


def is_low(balance: Decimal | None, floor: Decimal) -> bool:
    """Whether ``balance`` is below ``floor`` (unknown is not low)."""
    return balance is not None and balance < floor


@dataclass(frozen=True, slots=True)
class InstanceCost:
    """How long an instance has run in all (every run the bot saw) and its estimated cost;
    ``cost`` None where its resource group has no rate."""

    running: timedelta
    cost: Decimal | None


def instance_cost(
    runs: Iterable[Run], current: Run | None, rates: Rates | None, *, now: datetime
) -> InstanceCost:
    """The runs recorded of one instance, with ``current`` (its run as SCNet lists it now,
    fresher than the record) in place of a recorded run that started at the same moment."""
    known = [run for run in runs if current is None or run.started_at != current.started_at]
    if current is not None:
        known.append(current)
    running = sum((run.span(until=now) for run in known), timedelta(0))
    if rates is None:
        return InstanceCost(running=running, cost=None)
    total = sum((run_cost(run, rates, until=now) for run in known), Decimal(0))
    return InstanceCost(running=running, cost=total)


@dataclass(frozen=True, slots=True)
class SpendSummary:
    """What the quota report and the digest show of spend: the team's and the biggest
    spenders' (with their budgets), in one month. What the outbox carries, as JSON."""

    month: str
    team: Spend
    team_budget: Decimal | None = None
    members: tuple[tuple[str, Spend, Decimal | None], ...] = ()  # (user id, spend, budget)
    unpriced_groups: tuple[str, ...] = ()
    priced: bool = True  # some rate is set: without any, every figure is 0 and says so

    def to_json(self) -> dict[str, object]:
        return {
            "month": self.month,
            "team": [str(self.team.today), str(self.team.month)],
            "budget": None if self.team_budget is None else str(self.team_budget),
            "members": [
                [user_id, str(spend.today), str(spend.month), None if b is None else str(b)]
                for user_id, spend, b in self.members
            ],
            "unpriced": list(self.unpriced_groups),
            "priced": self.priced,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> SpendSummary | None:
        try:
            team = data["team"]
            assert isinstance(team, list)
            members_raw = data.get("members")
            members = []
            for entry in members_raw if isinstance(members_raw, list) else []:
                user_id, today, month, budget = entry
                members.append(
                    (
                        str(user_id),
                        Spend(Decimal(str(today)), Decimal(str(month))),
                        None if budget is None else Decimal(str(budget)),
                    )
                )
            budget = data.get("budget")
            unpriced = data.get("unpriced")
            return cls(
                month=str(data.get("month") or ""),
                team=Spend(Decimal(str(team[0])), Decimal(str(team[1]))),
                team_budget=None if budget is None else Decimal(str(budget)),
                members=tuple(members),
                unpriced_groups=tuple(str(g) for g in unpriced)
                if isinstance(unpriced, list)
                else (),
                priced=data.get("priced") is not False,
            )
        except (KeyError, ValueError, TypeError, ArithmeticError, AssertionError):
            return None


@dataclass(frozen=True, slots=True)
class BudgetNotice:
    """The month's spend of the team (``member_user_id`` None) or a member reached
    ``percent`` of its budget. What the outbox carries, as JSON."""

    percent: int
    spent: Decimal
    budget: Decimal
    month: str
    member_user_id: str | None = None

    def to_json(self) -> dict[str, object]:
        return {
            "percent": self.percent,
            "spent": str(fen(self.spent)),
            "budget": str(self.budget),
            "month": self.month,
            "member": self.member_user_id,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> BudgetNotice | None:
        try:
            member = data.get("member")
            percent = data["percent"]
            return cls(
                percent=percent if isinstance(percent, int) else 0,
                spent=Decimal(str(data["spent"])),
                budget=Decimal(str(data["budget"])),
                month=str(data.get("month") or ""),
                member_user_id=member if isinstance(member, str) and member else None,
            )
        except (KeyError, ArithmeticError, ValueError):
            return None


@dataclass(frozen=True, slots=True)
class RatesShown:
    """What ``quota rate`` answers: every group's rates, and the one just set."""

    rates: Mapping[str, Rates]
    changed: str | None = None
