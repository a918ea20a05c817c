"""The admins' rates and budgets: ``quota rate`` (read by anyone, set by admins) and
``quota set budget=``.

Rates are per resource group SCNet offers (or that the team's instances ran in), per card,
core and GB-hour; an option left out keeps its rate. Every change is audited. Part of
``CostService`` (``bot.services.costs``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from bot.domain.commands.costs import QuotaBudget, QuotaRate
from bot.domain.costs import Rates, RatesShown
from bot.domain.identity import SlackUser
from bot.scnet.client import ScnetClient
from bot.services.accounts import AccountService
from bot.services.errors import AdminOnly, MemberNotMentioned, UnknownResourceGroup
from bot.store import audit, costs
from bot.store.database import Database


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


class CostSettings:
    """The rates and budgets of ``CostService``."""

    _db: Database
    _client: ScnetClient
    _accounts: AccountService
    _now: Callable[[], datetime]

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
