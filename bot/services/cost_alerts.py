"""Telling people about money: budget alerts at 80% and 100%, and the users' SCNet balances.

``check_budgets`` (a leader job) alerts at 80% and 100%, once per crossing, as the quota alerts
do: the team's in the digest channel, a member's also in a DM. ``check_balances`` (a leader
job) reads each logged-in user's SCNet balance through the request budget as a background
read and DMs them once each time it falls below ``LOW_BALANCE_CNY``. Part of ``CostService``
(``bot.services.costs``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from bot.domain.costs import BudgetNotice, budget_reached, fen, is_low
from bot.domain.i18n import Locale
from bot.domain.identity import NoticeTarget, SlackUser
from bot.domain.notices import NoticeKind
from bot.scnet.budget import background_requests
from bot.scnet.client import ScnetClient
from bot.scnet.errors import ScnetError
from bot.services.accounts import AccountService
from bot.services.cost_spend import SpendLedger
from bot.services.errors import LoginNeeded
from bot.store import accounts as account_rows
from bot.store import costs, outbox, team_settings
from bot.store.costs import BalanceState
from bot.store.database import Session

log = logging.getLogger(__name__)

DEFAULT_LOW_BALANCE = Decimal(100)


@dataclass(frozen=True, slots=True)
class BalanceCheck:
    users: int = 0
    failed: int = 0
    fell_low: int = 0


class CostAlerts(SpendLedger):
    """The budget alerts and balances of ``CostService``."""

    _client: ScnetClient
    _accounts: AccountService
    low_balance: Decimal
    on_notice: Callable[[], None]

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
