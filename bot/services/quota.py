"""Team quota: usage synced from SCNet, limits set by admins, and the check before create.

The team is the Slack workspace. Usage counts every active instance the bot knows of, and the
scheduled ``sync_usage`` makes the bot know of instances started from SCNet's web console too
(it lists each logged-in user's instances as that user and merges them into the store).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from decimal import Decimal

from bot.domain.commands import QuotaDigest, QuotaSet
from bot.domain.costs import SpendSummary
from bot.domain.digest import DigestSchedule, TeamDigest
from bot.domain.i18n import Locale
from bot.domain.identity import SlackUser
from bot.domain.instances import (
    ACCELERATORS,
    Instance,
    InstancePage,
    InstanceSpec,
    ListFilter,
    NodeLimits,
)
from bot.domain.quota import (
    Holding,
    QuotaLimits,
    Usage,
    excesses,
    holds_resources,
)
from bot.scnet.budget import background_requests
from bot.scnet.client import Caller, ScnetClient
from bot.scnet.errors import InputError, ScnetError
from bot.services.accounts import AccountService, LoginNeeded
from bot.services.costs import CostService
from bot.services.errors import AdminOnly, ChannelNotPicked, MemberNotMentioned
from bot.services.errors import DigestChannelNeeded as DigestChannelNeeded
from bot.services.errors import ForceNotAllowed as ForceNotAllowed
from bot.services.errors import QuotaExceeded as QuotaExceeded
from bot.store import accounts as account_rows
from bot.store import audit, instances, quotas, team_settings
from bot.store.database import Database
from bot.store.instances import TrackedInstance

log = logging.getLogger(__name__)
SYNC_LIST_LIMIT = 500
NODE_GROUPS_SHOWN = 5  # resource groups whose node limits the quota report shows
NODE_LIMITS_KEPT = timedelta(minutes=10)  # they change with SCNet's hardware, not by the hour


@dataclass(frozen=True, slots=True)
class DigestChange:
    """What ``quota digest`` asks for; None keeps the current value (or the default)."""

    channel_id: str | None = None
    off: bool = False
    at: time | None = None
    timezone: str | None = None
    hours: int | None = None


@dataclass(frozen=True, slots=True)
class QuotaReport:
    team_limits: QuotaLimits | None
    team_usage: Usage
    members: dict[str, Usage]
    member_limits: dict[str, QuotaLimits]
    holdings: list[Holding]
    # The caller's own SCNet per-node limits, one per resource group; empty when unknown.
    node_limits: tuple[NodeLimits, ...] = ()
    balance: Decimal | None = None
    # The team's estimated spend (``bot.services.costs``), when it tracks costs.
    spend: SpendSummary | None = None
    queue_length: int = 0  # creates waiting in the team's queue (``CreateQueue.with_length``)


@dataclass(frozen=True, slots=True)
class SyncReport:
    accounts: int = 0
    instances_seen: int = 0
    added: int = 0
    gone: int = 0
    failed_accounts: int = 0
    skipped: int = 0  # users whose list the watcher read lately (it keeps their ledger)


def holding_of(tracked: TrackedInstance) -> Holding:
    """What a tracked instance holds of the team's quota, and since when it runs."""
    running = tracked.status == "Running"
    return Holding(
        instance_id=tracked.instance_id,
        name=tracked.name,
        owner_user_id=tracked.owner.user_id,
        status=tracked.status,
        resources=tracked.resources,
        running_since=(tracked.ready_at or tracked.status_changed_at) if running else None,
    )


async def check_create(
    db: Database, user: SlackUser, spec: InstanceSpec, *, force: bool, is_admin: bool
) -> None:
    """Refuse a create of ``spec`` that would pass the member's own limit (checked first) or
    the team's; ``force`` skips the check, for admins only."""
    if force:
        if not is_admin:
            raise ForceNotAllowed()
        return
    async with db.transaction() as session:
        active = await instances.list_for_team(session, user.team_id, active_only=True)
        team_limits = await quotas.get_limits(session, user.team_id)
        member_limits = await quotas.get_limits(session, user.team_id, member_user_id=user.user_id)
    requested = Usage.of(spec.resources)
    team_used = Usage()
    member_used = Usage()
    for holding in (holding_of(t) for t in active if holds_resources(t.status)):
        team_used = team_used.plus(Usage.of(holding.resources))
        if holding.owner_user_id == user.user_id:
            member_used = member_used.plus(Usage.of(holding.resources))
    over_member = excesses(member_limits, member_used, requested)
    if over_member:
        raise QuotaExceeded(over_member, member=True)
    over_team = excesses(team_limits, team_used, requested)
    if over_team:
        raise QuotaExceeded(over_team, member=False)


class QuotaService:
    def __init__(
        self,
        *,
        db: Database,
        client: ScnetClient,
        accounts: AccountService,
        now: Callable[[], datetime],
    ) -> None:
        self._db = db
        self._client = client
        self._accounts = accounts
        self._now = now
        # Per user: node limits and when they were read (each costs several SCNet reads).
        self._node_limits: dict[SlackUser, tuple[datetime, tuple[NodeLimits, ...]]] = {}
        # Which accelerator serves a resource group, by AI base URL and group: never changes.
        # Every list merged is also shown here (``bot.services.costs`` records the runs it
        # shows), the watcher's and the usage sync's alike; set by ``bot.wiring``.
        self.on_listing: Callable[[SlackUser, InstancePage], Awaitable[object]] | None = None
        # Spend in the report, and balances read for it kept (low-balance DMs); ``bot.wiring``.
        self.costs: CostService | None = None
        self._group_accelerators: dict[tuple[str, str], str] = {}

    async def holdings(self, team_id: str) -> list[Holding]:
        """What the team's active instances hold, as the bot last saw them."""
        async with self._db.transaction() as session:
            active = await instances.list_for_team(session, team_id, active_only=True)
        return [holding_of(t) for t in active if holds_resources(t.status)]

    async def report(self, team_id: str, *, caller: SlackUser | None = None) -> QuotaReport:
        """The team's usage against its limits, per member; with ``caller``, their balance and node
        limits too."""
        holdings = await self.holdings(team_id)
        async with self._db.transaction() as session:
            rows = await quotas.list_limits(session, team_id)
        team_limits = next((r.limits for r in rows if r.member_user_id is None), None)
        member_limits = {r.member_user_id: r.limits for r in rows if r.member_user_id}
        members: dict[str, Usage] = {}
        for holding in holdings:
            members[holding.owner_user_id] = members.get(holding.owner_user_id, Usage()).plus(
                Usage.of(holding.resources)
            )
        total = Usage()
        for usage in members.values():
            total = total.plus(usage)
        report = QuotaReport(
            team_limits=team_limits,
            team_usage=total,
            members=dict(sorted(members.items(), key=lambda kv: (-kv[1].gpus, -kv[1].cpus))),
            member_limits=member_limits,
            holdings=holdings,
        )
        if caller is None:
            return report
        if self.costs is not None:
            report = replace(report, spend=await self.costs.tracked_summary(team_id))
        return await self._with_scnet_figures(report, caller)

    async def _with_scnet_figures(self, report: QuotaReport, caller: SlackUser) -> QuotaReport:
        """The caller's own SCNet limits and balance, where SCNet answers; never fatal."""
        try:
            account = await self._accounts.call(caller, lambda c: self._client.get_account(c.token))
            report = replace(report, balance=account.balance)
            if self.costs is not None:
                await self.costs.note_balance(caller, account.balance)
        except (ScnetError, LoginNeeded) as error:
            log.info("no balance for the quota report (%s)", type(error).__name__)
        try:
            report = replace(report, node_limits=await self.node_limits(caller))
        except (ScnetError, LoginNeeded) as error:
            log.info("no node limits for the quota report (%s)", type(error).__name__)
        return report

    async def node_limits(self, user: SlackUser) -> tuple[NodeLimits, ...]:
        """What one node of each resource group offers ``user`` (SCNet's ``resources``),
        kept for ``NODE_LIMITS_KEPT``."""
        now = self._now()
        kept = self._node_limits.get(user)
        if kept is not None and now - kept[0] < NODE_LIMITS_KEPT:
            return kept[1]
        found = await self._accounts.call(user, self._read_node_limits)
        self._node_limits[user] = (now, found)
        return found

    async def _read_node_limits(self, caller: Caller) -> tuple[NodeLimits, ...]:
        groups = await self._client.list_resource_groups(caller)
        found: list[NodeLimits] = []
        for group in groups[:NODE_GROUPS_SHOWN]:
            limits = await self._group_limits(caller, group)
            if limits is not None:
                found.append(limits)
        return tuple(found)

    async def _group_limits(self, caller: Caller, group: str) -> NodeLimits | None:
        """``resources`` wants the group's accelerator, which the group list may not say:
        try each until SCNet accepts one (10004 for the wrong one), then remember it."""
        key = (caller.ai_base_url or "", group)
        known = self._group_accelerators.get(key)
        for accelerator in (known,) if known else ACCELERATORS:
            try:
                limits = await self._client.get_node_limits(
                    caller, accelerator=accelerator, resource_group=group
                )
            except InputError:
                continue
            self._group_accelerators[key] = accelerator
            return replace(limits, accelerator=accelerator)
        return None

    async def check_create(
        self, user: SlackUser, spec: InstanceSpec, *, force: bool, is_admin: bool
    ) -> None:
        """Refuse a create that would pass the team's or the member's limit."""
        await check_create(self._db, user, spec, force=force, is_admin=is_admin)

    async def apply_limits(self, actor: SlackUser, command: QuotaSet, *, is_admin: bool) -> None:
        """``quota set``: admins only; the member is named by an @mention; audited."""
        if not is_admin:
            raise AdminOnly()
        member = command.member
        if member is not None and member.kind != "user_id":
            raise MemberNotMentioned()
        member_user_id = member.value if member is not None else None
        await self.set_limits(actor.team_id, command.limits, member_user_id=member_user_id)
        async with self._db.transaction() as session:
            await audit.record(
                session,
                actor,
                action="quota_set",
                outcome="ok",
                now=self._now(),
                detail=member_user_id or "team",
            )

    async def set_limits(
        self, team_id: str, limits: QuotaLimits, *, member_user_id: str | None
    ) -> QuotaLimits:
        """Merge ``limits`` into what is set: an option left out keeps its current value.

        No policy here (the scheduler and tests set limits directly): see ``apply_limits``."""
        async with self._db.transaction() as session:
            current = await quotas.get_limits(session, team_id, member_user_id=member_user_id)
            merged = QuotaLimits(
                **{
                    name: getattr(limits, name)
                    if getattr(limits, name) is not None
                    else getattr(current or QuotaLimits(), name)
                    for name in ("gpus", "cpus", "ram_mb", "instances")
                }
            )
            await quotas.set_limits(
                session, team_id, limits=merged, member_user_id=member_user_id, now=self._now()
            )
        return merged

    async def digest(self, team_id: str) -> TeamDigest | None:
        """The team's digest settings; None when it has none."""
        async with self._db.transaction() as session:
            return await team_settings.get_digest(session, team_id)

    async def digest_for(
        self, actor: SlackUser, command: QuotaDigest, *, is_admin: bool, locale: Locale
    ) -> TeamDigest | None:
        """``quota digest``: the team's digest settings, changed first when ``command`` asks
        (admins only, the channel picked from Slack's list, the change audited)."""
        if not is_admin:
            raise AdminOnly()
        if command.channel is not None and command.channel.kind != "channel_id":
            raise ChannelNotPicked()
        if not command.changes:
            return await self.digest(actor.team_id)
        change = DigestChange(
            channel_id=command.channel.value if command.channel else None,
            off=command.off,
            at=command.at,
            timezone=command.timezone,
            hours=command.hours,
        )
        digest = await self.configure_digest(actor.team_id, change, locale=locale)
        async with self._db.transaction() as session:
            await audit.record(
                session,
                actor,
                action="quota_digest",
                outcome="ok",
                now=self._now(),
                detail=digest.channel_id or "off",
            )
        return digest

    async def configure_digest(
        self, team_id: str, change: DigestChange, *, locale: Locale
    ) -> TeamDigest:
        """Apply ``change`` to the team's digest settings (no policy: see ``digest_for``).

        ``locale`` is the admin's: the digest and the alerts are posted in it.
        """
        async with self._db.transaction() as session:
            current = await team_settings.get_digest(session, team_id)
            schedule = current.schedule if current is not None else DigestSchedule()
            channel = current.channel_id if current is not None else None
            if change.off:
                channel = None
            else:
                channel = change.channel_id or channel
                if channel is None:
                    raise DigestChannelNeeded()
                schedule = DigestSchedule(
                    at=change.at or schedule.at,
                    timezone=change.timezone or schedule.timezone,
                    long_running_hours=change.hours or schedule.long_running_hours,
                )
            await team_settings.set_digest(
                session,
                team_id,
                channel_id=channel,
                schedule=schedule,
                locale=locale,
                now=self._now(),
            )
            updated = await team_settings.get_digest(session, team_id)
        assert updated is not None  # written just above, in this transaction
        return updated

    async def sync_usage(
        self, *, skip: Callable[[SlackUser], bool] = lambda _user: False
    ) -> SyncReport:
        """List every logged-in user's instances as that user and merge them into the store;
        not those ``skip`` names (the watcher read their lists lately and merged them). Its
        reads give way to users' commands in the request budget."""
        async with self._db.transaction() as session:
            logins = await account_rows.list_accounts(session)
        report = SyncReport()
        for login in logins:
            if skip(login.user):
                report = replace(report, skipped=report.skipped + 1)
                continue
            try:
                with background_requests():
                    page = await self._accounts.call(
                        login.user,
                        lambda caller: self._client.list_instances(
                            caller, ListFilter(limit=SYNC_LIST_LIMIT)
                        ),
                    )
            except (ScnetError, LoginNeeded) as error:
                log.info("usage sync skipped a user (%s)", type(error).__name__)
                report = replace(report, failed_accounts=report.failed_accounts + 1)
                continue
            added, gone = await self.merge_listing(login.user, page)
            report = replace(
                report,
                accounts=report.accounts + 1,
                instances_seen=report.instances_seen + len(page.items),
                added=report.added + added,
                gone=report.gone + gone,
            )
        return report

    async def merge_listing(self, user: SlackUser, page: InstancePage) -> tuple[int, int]:
        """Merge one list of ``user``'s instances read elsewhere (the watcher's) into the
        ledger; (added or changed, gone)."""
        complete = page.total is None or page.total <= len(page.items)
        merged = await self._merge(user, page.items, complete=complete)
        if self.on_listing is not None:
            try:
                await self.on_listing(user, page)
            except Exception:
                # The ledger is merged: a cost record that failed must not fail the watcher.
                log.exception("recording the runs a listing shows failed")
        return merged

    async def _merge(
        self, user: SlackUser, listed: Sequence[Instance], *, complete: bool
    ) -> tuple[int, int]:
        """Write only what changed. Most syncs change nothing, and on SQLite a write
        transaction spanning every listed instance held the one write lock long enough (on a
        busy event loop) to make the watcher's polls fail with "database is locked"."""
        async with self._db.transaction() as session:
            known = {t.instance_id: t for t in await instances.list_for_owner(session, user)}
        changed = [item for item in listed if instances.sync_changes(known.get(item.id), item)]
        gone_ids = known.keys() - {item.id for item in listed} if complete else set()
        if not changed and not gone_ids:
            return 0, 0
        now = self._now()
        gone = 0
        async with self._db.transaction() as session:
            for item in changed:
                await instances.track_synced(session, item, owner=user, now=now)
            for instance_id in gone_ids:  # deleted from the web console: no longer listed
                gone += await instances.mark_deleted(session, instance_id, now=now)
        return sum(1 for item in changed if item.id not in known), gone
