"""What the team has spent: the runs the bot records, each instance's cost so far, the month's
spend report, and the refusal of a create once a budget is spent.

Running time comes from SCNet's own start and end times. Every instance list the bot reads
(the watcher's, the usage sync's, a user's ``list``) passes through ``note_listing``, which
records each run (``instance_runs``) the first time it is seen and again when it ends, and
nothing else: a per-process memory of what it wrote skips the rest. A run whose instance the
ledger later marks deleted or finished, without a listing showing its end, is closed at that
moment (``close_open_runs``, before every read of spend). Spend is thereby kept for
instances long deleted.

Budgets are monthly, in the team's time zone (the digest's, Asia/Shanghai by default), for
the team and for members. ``check_budget`` refuses a create once the month's budget is
spent (``BudgetSpent``; ``--force`` for admins as for the limits). Part of ``CostService``
(``bot.services.costs``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from bot.domain.costs import (
    InstanceCost,
    Rates,
    Run,
    Spend,
    SpendReport,
    SpendSummary,
    fen,
    instance_cost,
    month_key,
    month_start,
    spend_report,
)
from bot.domain.digest import DigestSchedule
from bot.domain.identity import SlackUser
from bot.domain.instances import Instance, InstancePage, is_terminal
from bot.services.errors import BudgetSpent
from bot.store import costs, team_settings
from bot.store.costs import Budgets
from bot.store.database import Database, Session

_SEEN_KEPT = 50_000  # runs remembered as written; past it the memory starts afresh


def listed_run(instance: Instance, owner_user_id: str) -> Run | None:
    """The run SCNet's listing shows: open while Running, closed once it ended; None for an
    instance that has not started (or whose end SCNet does not say yet)."""
    if instance.started_at is None:
        return None
    if instance.status == "Running":
        ended = None
    elif is_terminal(instance.status) and instance.ended_at is not None:
        ended = instance.ended_at
    else:
        return None  # waiting again after a restart, or an end not given: the ledger closes it
    return Run(
        instance_id=instance.id,
        owner_user_id=owner_user_id,
        resource_group=instance.resource_group,
        resources=instance.resources,
        started_at=instance.started_at,
        ended_at=ended,
    )


@dataclass(frozen=True, slots=True)
class CostReport:
    """The team's rates, budgets and spend (today and this month, per member and in all)."""

    rates: Mapping[str, Rates]
    budgets: Budgets
    spend: SpendReport
    month: str  # YYYY-MM in the team's time zone
    timezone: str


class SpendLedger:
    """The runs and the spend of ``CostService``."""

    _db: Database
    _now: Callable[[], datetime]
    _seen: dict[tuple[str, datetime], datetime | None]

    # --- runs ---------------------------------------------------------------------------------

    async def note_listing(self, user: SlackUser, page: InstancePage | Iterable[Instance]) -> int:
        """Record the runs a list of ``user``'s instances shows that are new or newly ended;
        how many were written. When nothing moved since this process last looked: no
        database access at all; after a restart, one read and no write."""
        items = page.items if isinstance(page, InstancePage) else tuple(page)
        seen = self._seen
        candidates: list[Run] = []
        for item in items:
            started = item.started_at
            if started is None:
                continue
            key = (item.id, started)
            if key in seen and seen[key] == (None if item.status == "Running" else item.ended_at):
                continue
            run = listed_run(item, user.user_id)
            if run is not None:
                candidates.append(run)
        if not candidates:
            return 0
        now = self._now()
        async with self._db.transaction() as session:
            recorded = await costs.run_ends(
                session, sorted({run.instance_id for run in candidates})
            )
            fresh = [
                run
                for run in candidates
                if (run.instance_id, run.started_at) not in recorded
                or recorded[(run.instance_id, run.started_at)] != run.ended_at
            ]
            await costs.record_runs(session, user, fresh, now=now)
        if len(seen) + len(candidates) > _SEEN_KEPT:
            seen.clear()
        for run in candidates:
            seen[(run.instance_id, run.started_at)] = run.ended_at
        return len(fresh)

    async def instance_costs(
        self, team_id: str, listed: Iterable[Instance], *, owner_user_id: str
    ) -> dict[str, InstanceCost]:
        """Running time and estimated cost so far of each listed instance, by id."""
        items = list(listed)
        now = self._now()
        async with self._db.transaction() as session:
            rates = await costs.get_rates(session, team_id)
            recorded = await costs.runs_of(session, [item.id for item in items])
        found: dict[str, InstanceCost] = {}
        for item in items:
            current = listed_run(item, owner_user_id)
            runs = recorded.get(item.id, [])
            if current is None and not runs:
                continue
            found[item.id] = instance_cost(runs, current, rates.get(item.resource_group), now=now)
        return found

    # --- spend --------------------------------------------------------------------------------

    async def report(self, team_id: str) -> CostReport:
        """Rates, budgets and the month's spend of the team, as of now."""
        now = self._now()
        async with self._db.transaction() as session:
            schedule = await _schedule(session, team_id)
            zone = schedule.zone
            await costs.close_open_runs(session, now=now)
            rates = await costs.get_rates(session, team_id)
            budgets = await costs.get_budgets(session, team_id)
            runs = await costs.runs_since(session, team_id, month_start(now, zone))
        return CostReport(
            rates=rates,
            budgets=budgets,
            spend=spend_report(runs, rates, now=now, zone=zone),
            month=month_key(now, zone),
            timezone=schedule.timezone,
        )

    async def summary(self, team_id: str, *, report: CostReport | None = None) -> SpendSummary:
        """What the quota report and the digest show: the team's spend and each member's
        with spend or a budget of their own, biggest first."""
        report = report or await self.report(team_id)
        spend, budgets = report.spend, report.budgets
        members = [
            (user_id, member_spend, budgets.members.get(user_id))
            for user_id, member_spend in spend.members.items()
        ]
        members += [
            (user_id, Spend(), budget)
            for user_id, budget in sorted(budgets.members.items())
            if user_id not in spend.members
        ]
        return SpendSummary(
            month=report.month,
            team=spend.team,
            team_budget=budgets.team,
            members=tuple(members),
            unpriced_groups=spend.unpriced_groups,
            priced=bool(report.rates),
        )

    async def tracked_summary(self, team_id: str) -> SpendSummary | None:
        """``summary``, or None for a team that tracks no costs (no rates, no budgets)."""
        summary = await self.summary(team_id)
        if not summary.priced and summary.team_budget is None and not summary.members:
            return None
        return summary

    async def check_budget(self, user: SlackUser, *, force: bool, is_admin: bool) -> None:
        """Refuse a create once the member's (checked first) or the team's budget for the
        month is spent; admins' ``--force`` passes (its refusal for others is the quota's)."""
        if force and is_admin:
            return
        async with self._db.transaction() as session:
            budgets = await costs.get_budgets(session, user.team_id)
        member_budget = budgets.members.get(user.user_id)
        if budgets.team is None and member_budget is None:
            return  # no budget: no spend to read
        report = await self.report(user.team_id)
        member_spent = report.spend.members.get(user.user_id)
        spent = member_spent.month if member_spent is not None else Decimal(0)
        if member_budget is not None and spent >= member_budget:
            raise BudgetSpent(spent=fen(spent), budget=member_budget, member=True)
        team_spent = report.spend.team.month
        if budgets.team is not None and team_spent >= budgets.team:
            raise BudgetSpent(spent=fen(team_spent), budget=budgets.team, member=False)

    async def close_runs(self) -> int:
        """End the open runs of instances the ledger says are gone (a periodic job, so an
        instance deleted from SCNet's console stops costing without anyone asking)."""
        async with self._db.transaction() as session:
            return await costs.close_open_runs(session, now=self._now())


async def _schedule(session: Session, team_id: str) -> DigestSchedule:
    digest = await team_settings.get_digest(session, team_id)
    return digest.schedule if digest is not None else DigestSchedule()
