"""What it costs: the admins' rates and budgets, the spend they estimate, the users' balances.

Estimates, never SCNet's bill: an admin sets rates per resource group (``quota rate``), and an
instance costs, per hour it ran, its cards, cores and GB at those rates (``bot.domain.costs``).

``CostService`` is one service made of three parts: the rates and budgets admins set
(``bot.services.cost_settings``), the runs recorded and the spend they add up to, which a
create past its budget is refused on (``bot.services.cost_spend``), and the budget alerts
and balance checks of the leader's jobs (``bot.services.cost_alerts``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal

from bot.scnet.client import ScnetClient
from bot.services.accounts import AccountService
from bot.services.cost_alerts import DEFAULT_LOW_BALANCE, BalanceCheck, CostAlerts
from bot.services.cost_settings import CostSettings, RateChange
from bot.services.cost_spend import CostReport, listed_run
from bot.store.database import Database


class CostService(CostSettings, CostAlerts):
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
        self._seen = {}


__all__ = [
    "BalanceCheck",
    "CostReport",
    "CostService",
    "RateChange",
    "listed_run",
]
