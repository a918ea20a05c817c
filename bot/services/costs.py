"""What it costs: the admins' rates and budgets, the spend they estimate, the users' balances.

Estimates, never SCNet's bill: an admin sets rates per resource group (``quota rate``), and an
instance costs, per hour it ran, its cards, cores and GB at those rates (``bot.domain.costs``).

Running time comes from SCNet's own start and end times. Every instance list the bot reads
(the watcher's, the usage sync's, a user's ``list``) passes through ``note_listing``, which
records each run (``instance_runs``) the first time it is seen and again when it ends, and
nothing else: a per-process memory of what it wrote skips the rest. A run whose instance the
ledger later marks deleted or finished, without a listing showing its end, is closed at that
moment (``close_open_runs``, before every read of spend). Spend is thereby kept for
instances long deleted.

Budgets are monthly, in the team's time zone (the digest's, Asia/Shanghai by default), for
the team and for members. ``check_budget`` refuses a create once the month's budget is
spent (``BudgetSpent``; ``--force`` for admins as for the limits). ``check_budgets`` (a
leader job) alerts at 80% and 100%, once per crossing, as the quota alerts do: the team's in
the digest channel, a member's also in a DM. ``check_balances`` (a leader job) reads each
logged-in user's SCNet balance through the request budget as a background read and DMs them
once each time it falls below ``LOW_BALANCE_CNY``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from bot.domain.commands.costs import QuotaBudget, QuotaRate
from bot.domain.costs import (
    BudgetNotice,
    InstanceCost,
    Rates,
    RatesShown,
    Run,
    Spend,
    SpendReport,
    SpendSummary,
    budget_reached,
    fen,
    instance_cost,
    is_low,
    month_key,
    month_start,
    spend_report,
)
from bot.domain.digest import DigestSchedule
from bot.domain.i18n import Locale
from bot.domain.identity import NoticeTarget, SlackUser
from bot.domain.instances import Instance, InstancePage, is_terminal
from bot.domain.notices import NoticeKind
from bot.scnet.budget import background_requests
from bot.scnet.client import ScnetClient
from bot.scnet.errors import ScnetError
from bot.services.accounts import AccountService
from bot.services.errors import (
    AdminOnly,
    BudgetSpent,
    LoginNeeded,
    MemberNotMentioned,
    UnknownResourceGroup,
)
from bot.store import accounts as account_rows
from bot.store import audit, costs, outbox, team_settings
from bot.store.costs import BalanceState, Budgets
from bot.store.database import Database, Session

log = logging.getLogger(__name__)

DEFAULT_LOW_BALANCE = Decimal(100)
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
class RateChange:
    """What ``quota rate`` asks for; None keeps the current rate (0 for a new group)."""

    group: str
    gpu: Decimal | None = None
    cpu: Decimal | None = None
    ram: Decimal | None = None

    @property
    def empty(self) -> bool:
        return self.gpu is None and self.cpu is None and self.ram is None


@dataclass(frozen=True, slots=True)
class CostReport:
    """The team's rates, budgets and spend (today and this month, per member and in all)."""

    rates: Mapping[str, Rates]
    budgets: Budgets
    spend: SpendReport
    month: str  # YYYY-MM in the team's time zone
    timezone: str


@dataclass(frozen=True, slots=True)
class BalanceCheck:
    users: int = 0
    failed: int = 0
    fell_low: int = 0


class CostService:
    def __init__(
        self,
        *,
        db: Database,
        client: ScnetClient,
        accounts: AccountService,
        now: Callable[[], datetime],
        low_balance: Decimal = DEFAULT_LOW_BALANCE,
        on_notice: Callable[[], None] = lambda: None,
    ) -> None:
        self._db = db
        self._client = client
        self._accounts = accounts
        self._now = now
        self.low_balance = low_balance
        self.on_notice = on_notice  # a notice was queued: deliver soon (set by the scheduler)
        self._seen: dict[tuple[str, datetime], datetime | None] = {}

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

    # --- rates and budgets --------------------------------------------------------------------

    async def rates(self, team_id: str) -> dict[str, Rates]:
        async with self._db.transaction() as session:
            return await costs.get_rates(session, team_id)

    async def known_groups(self, actor: SlackUser) -> tuple[str, ...]:
        """The resource groups SCNet offers the actor (the create form's list), and those the
        team's instances ran in (a group SCNet no longer lists may still have a cost)."""
        listed = await self._accounts.call(actor, self._client.list_resource_groups)
        async with self._db.transaction() as session:
            since = self._now() - timedelta(days=62)
            ran = {
                run.resource_group for run in await costs.runs_since(session, actor.team_id, since)
            }
        return tuple(dict.fromkeys([*listed, *sorted(ran - set(listed))]))

    async def set_rates(self, actor: SlackUser, change: RateChange, *, is_admin: bool) -> Rates:
        """``quota rate group=G gpu= cpu= ram=``: admins only, a group SCNet knows; an option
        left out keeps its rate. Audited."""
        if not is_admin:
            raise AdminOnly()
        known = await self.known_groups(actor)
        if change.group not in known:
            raise UnknownResourceGroup(group=change.group, known=", ".join(known) or "-")
        now = self._now()
        async with self._db.transaction() as session:
            current = (await costs.get_rates(session, actor.team_id)).get(change.group, Rates())
            rates = Rates(
                gpu=current.gpu if change.gpu is None else change.gpu,
                cpu=current.cpu if change.cpu is None else change.cpu,
                ram=current.ram if change.ram is None else change.ram,
            )
            await costs.set_rates(
                session, actor.team_id, change.group, rates, by=actor.user_id, now=now
            )
            await audit.record(
                session,
                actor,
                action="cost_rate",
                outcome="ok",
                now=now,
                detail=f"{change.group} gpu={rates.gpu} cpu={rates.cpu} ram={rates.ram}"[:300],
            )
        return rates

    async def set_budget(
        self,
        actor: SlackUser,
        budget: Decimal | None,
        *,
        member: str | None,
        member_by_mention: bool = True,
        is_admin: bool,
    ) -> None:
        """``quota set budget=N [user=@m]`` (``budget=off`` removes it): admins only, the
        member named by an @mention. Audited."""
        if not is_admin:
            raise AdminOnly()
        if member is not None and not member_by_mention:
            raise MemberNotMentioned()
        now = self._now()
        async with self._db.transaction() as session:
            await costs.set_budget(session, actor.team_id, budget, member_user_id=member, now=now)
            await audit.record(
                session,
                actor,
                action="budget_set",
                outcome="ok",
                now=now,
                detail=f"{member or 'team'} {'off' if budget is None else budget}",
            )

    async def rates_for(
        self, actor: SlackUser, command: QuotaRate, *, is_admin: bool
    ) -> RatesShown:
        """``quota rate``: the team's rates (anyone may read them), set first when the
        command names a group (admins only)."""
        changed = None
        if command.changes:
            assert command.group is not None  # ``changes`` says so
            change = RateChange(command.group, gpu=command.gpu, cpu=command.cpu, ram=command.ram)
            await self.set_rates(actor, change, is_admin=is_admin)
            changed = command.group
        return RatesShown(rates=await self.rates(actor.team_id), changed=changed)

    async def apply_budget(
        self, actor: SlackUser, command: QuotaBudget, *, is_admin: bool
    ) -> QuotaBudget:
        """``quota set budget=``: as ``set_budget``; the command back, for the answer."""
        member = command.member
        await self.set_budget(
            actor,
            command.budget,
            member=None if member is None else member.value,
            member_by_mention=member is None or member.kind == "user_id",
            is_admin=is_admin,
        )
        return command

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

    # --- budget alerts ------------------------------------------------------------------------

    async def check_budgets(self) -> int:
        """Alert each team and member whose month's spend newly reached 80% or 100% of its
        budget (once per crossing); re-arm those that dropped below (a new month, a budget
        raised). How many notices were queued."""
        async with self._db.transaction() as session:
            teams = await costs.teams_with_budgets(session)
        queued = 0
        for team_id in teams:
            try:
                queued += await self._check_team_budget(team_id)
            except Exception:
                log.exception("checking the budget alerts of team %s failed", team_id)
        if queued:
            self.on_notice()
        return queued

    async def _check_team_budget(self, team_id: str) -> int:
        report = await self.report(team_id)
        now = self._now()
        spend = report.spend
        standing: dict[str, tuple[Decimal, Decimal]] = {}  # member ('' team) -> (spent, budget)
        if report.budgets.team is not None:
            standing[""] = (spend.team.month, report.budgets.team)
        for member, budget in report.budgets.members.items():
            member_spend = spend.members.get(member)
            standing[member] = (member_spend.month if member_spend else Decimal(0), budget)
        queued = 0
        async with self._db.transaction() as session:
            before = await costs.budget_reached(session, team_id)
            digest = await team_settings.get_digest(session, team_id)
            channel = digest.channel_id if digest is not None else None
            locale = digest.locale if digest is not None else None
            for member in sorted(set(standing) | set(before)):
                spent, budget = standing.get(member, (Decimal(0), Decimal(0)))
                now_reached = budget_reached(spent, budget) if member in standing else set()
                was = before.get(member, set())
                member_id = member or None
                await costs.budget_cross_down(
                    session,
                    team_id,
                    sorted(was - now_reached),
                    member_user_id=member_id,
                    now=now,
                )
                newly: dict[int, int] = {}
                for percent in sorted(now_reached - was):
                    crossing = await costs.budget_cross_up(
                        session, team_id, percent, member_user_id=member_id, now=now
                    )
                    if crossing is not None:
                        newly[percent] = crossing
                if not newly:
                    continue
                highest = max(newly)  # 50% -> 100% in one step alerts once, at 100%
                notice = BudgetNotice(
                    percent=highest,
                    spent=spent,
                    budget=budget,
                    month=report.month,
                    member_user_id=member_id,
                )
                queued += await _announce_budget(
                    session,
                    team_id,
                    notice,
                    crossing=newly[highest],
                    channel=channel,
                    locale=locale,
                    now=now,
                )
        return queued

    # --- balances -----------------------------------------------------------------------------

    async def balance(self, user: SlackUser) -> BalanceState | None:
        """The user's balance as last read (by the balance job, whoami or quota)."""
        async with self._db.transaction() as session:
            return await costs.get_balance(session, user)

    async def current_balance(self, user: SlackUser) -> BalanceState | None:
        """The user's balance read now (and kept, a fall below the floor DMing them); the one
        last read when SCNet does not answer."""
        try:
            account = await self._accounts.call(
                user, lambda caller: self._client.get_account(caller.token)
            )
        except (ScnetError, LoginNeeded) as error:
            log.info("balance not read now (%s)", type(error).__name__)
        else:
            await self.note_balance(user, account.balance)
        return await self.balance(user)

    async def note_balance(self, user: SlackUser, balance: Decimal | None) -> bool:
        """Keep a balance just read; DM the user when it newly fell below the floor. True
        when a notice was queued."""
        if balance is None:
            return False
        now = self._now()
        low = is_low(balance, self.low_balance)
        async with self._db.transaction() as session:
            crossing = await costs.note_balance(session, user, balance, low=low, now=now)
            if crossing is None:
                return False
            payload = {
                "owner": user.user_id,
                "balance": {"balance": str(fen(balance)), "floor": str(self.low_balance)},
            }
            queued = await outbox.enqueue(
                session,
                f"low-balance:{user.team_id}:{user.user_id}:{crossing}",
                team_id=user.team_id,
                target=NoticeTarget.dm(user.user_id),
                kind=NoticeKind.LOW_BALANCE,
                payload=payload,
                now=now,
            )
        if queued:
            self.on_notice()
        return queued

    async def check_balances(self) -> BalanceCheck:
        """Read every logged-in user's balance (background reads, yielding to commands)."""
        async with self._db.transaction() as session:
            logins = await account_rows.list_accounts(session)
        result = BalanceCheck()
        for login in logins:
            try:
                with background_requests():
                    account = await self._accounts.call(
                        login.user, lambda caller: self._client.get_account(caller.token)
                    )
            except (ScnetError, LoginNeeded) as error:
                log.info("no balance for a user (%s)", type(error).__name__)
                result = BalanceCheck(result.users, result.failed + 1, result.fell_low)
                continue
            fell = await self.note_balance(login.user, account.balance)
            result = BalanceCheck(result.users + 1, result.failed, result.fell_low + int(fell))
        return result

    async def close_runs(self) -> int:
        """End the open runs of instances the ledger says are gone (a periodic job, so an
        instance deleted from SCNet's console stops costing without anyone asking)."""
        async with self._db.transaction() as session:
            return await costs.close_open_runs(session, now=self._now())


async def _schedule(session: Session, team_id: str) -> DigestSchedule:
    digest = await team_settings.get_digest(session, team_id)
    return digest.schedule if digest is not None else DigestSchedule()


async def _announce_budget(
    session: Session,
    team_id: str,
    notice: BudgetNotice,
    *,
    crossing: int,
    channel: str | None,
    locale: Locale | None,
    now: datetime,
) -> int:
    member = notice.member_user_id
    key = f"budget-alert:{team_id}:{member or ''}:{notice.percent}:{crossing}"
    queued = 0
    if channel is not None:
        queued += await outbox.enqueue(
            session,
            key,
            team_id=team_id,
            target=NoticeTarget.channel(channel),
            kind=NoticeKind.BUDGET_ALERT,
            payload={"owner": "", "locale": locale, "budget": notice.to_json()},
            now=now,
        )
    if member is not None:  # the member's own, in their language: also without a channel
        queued += await outbox.enqueue(
            session,
            f"{key}:dm",
            team_id=team_id,
            target=NoticeTarget.dm(member),
            kind=NoticeKind.BUDGET_ALERT_DM,
            payload={"owner": member, "budget": notice.to_json()},
            now=now,
        )
    return queued


__all__ = [
    "BalanceCheck",
    "CostReport",
    "CostService",
    "RateChange",
    "listed_run",
]
