"""The team's daily digest and its quota alerts, queued to the outbox by scheduled jobs.

Both go to the team's digest channel (``/scnet quota digest``) through the outbox, which
delivers them like every other notice. Exactly once, whichever replica runs the job and
however often:

- ``queue_due_digests`` (every minute) queues each team's digest under the key
  ``digest:<team>:<local day>`` once its local time has come; the outbox ignores the same key
  again, so a second run, a restart or a second replica queues nothing more that day. A bot
  that was down at 09:00 queues it when it is back the same day, never one for a missed day.
- ``check_thresholds`` (every minute, and after each usage sync) compares each team's usage
  with 80% and 100% of its limits against what it stood at last time (``quota_alerts``): a
  threshold newly reached counts a crossing and queues one alert keyed by that crossing; one
  dropped below re-arms. The state is kept even without a digest channel, so configuring one
  later does not flood it with old crossings. Each member with limits of their own is
  checked the same way against them, with state of their own: a crossing is posted to the
  channel mentioning the member, and sent to the member in a DM (that one also without a
  channel: it is theirs, and their creates are refused at 100%).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.costs import SpendSummary
from bot.domain.digest import (
    Digest,
    LongRunner,
    QuotaAlert,
    TeamDigest,
    alerts_to_send,
    digest_day,
    threshold_percent,
)
from bot.domain.quota import (
    QuotaLimits,
    QuotaResource,
    Usage,
    crossed_thresholds,
    longest_running,
)
from bot.services.announce import (
    announce_digest,
    announce_member_quota_alert,
    announce_quota_alert,
)
from bot.services.costs import CostService
from bot.services.quota import QuotaReport, QuotaService
from bot.store import outbox, quota_alerts, team_settings
from bot.store.database import Database, Session
from bot.store.quota_alerts import Threshold

log = logging.getLogger(__name__)

TOP_HOLDERS = 5
LONG_RUNNERS = 10
ALERT_HOLDERS = 3


@dataclass(frozen=True, slots=True)
class AlertCheck:
    teams: int = 0
    crossed: int = 0
    queued: int = 0


class QuotaNotices:
    def __init__(
        self,
        *,
        db: Database,
        quota: QuotaService,
        now: Callable[[], datetime],
        on_notice: Callable[[], None] = lambda: None,
        costs: CostService | None = None,
    ) -> None:
        self._db = db
        self._quota = quota
        self._costs = costs  # the digest's spend, where the team has rates or budgets
        self._now = now
        self._on_notice = on_notice  # a notice was queued: deliver soon

    # --- the daily digest ---------------------------------------------------------------

    async def queue_due_digests(self) -> int:
        """Queue today's digest of every team whose local digest time has come; how many."""
        async with self._db.transaction() as session:
            teams = await team_settings.list_digests(session)
        queued = 0
        for team in teams:
            try:
                queued += await self._queue_digest(team)
            except Exception:
                # One team's trouble (say a time zone the tz database lost) must not hold up
                # the others' digests.
                log.exception("queueing the digest of team %s failed", team.team_id)
        if queued:
            self._on_notice()
        return queued

    async def _queue_digest(self, team: TeamDigest) -> int:
        now = self._now()
        day = digest_day(team.schedule, now=now, changed_at=team.updated_at)
        if day is None or team.channel_id is None:
            return 0
        key = f"digest:{team.team_id}:{day.isoformat()}"
        async with self._db.transaction() as session:
            if await outbox.get_notice(session, key) is not None:
                return 0  # queued already: skip building the report every minute
        report = await self._quota.report(team.team_id)
        hours = team.schedule.long_running_hours
        long_runners = [
            LongRunner(holding.name, holding.owner_user_id, span)
            for holding, span in longest_running(report.holdings, now=now, limit=LONG_RUNNERS)
            if span >= timedelta(hours=hours)
        ]
        digest = Digest(
            day=day,
            usage=report.team_usage,
            limits=report.team_limits,
            top_holders=tuple(list(report.members.items())[:TOP_HOLDERS]),
            long_runners=tuple(long_runners),
            long_running_hours=hours,
            timezone=team.schedule.timezone,
            spend=await self._spend(team.team_id),
        )
        async with self._db.transaction() as session:
            return await announce_digest(
                session,
                team.team_id,
                channel_id=team.channel_id,
                digest=digest,
                locale=team.locale,
                now=now,
            )

    async def _spend(self, team_id: str) -> SpendSummary | None:
        return None if self._costs is None else await self._costs.tracked_summary(team_id)

    # --- quota alerts -----------------------------------------------------------------------

    async def check_thresholds(self) -> AlertCheck:
        """Alert each team whose usage newly reached 80% or 100% of a team limit, and each
        member whose usage newly reached 80% or 100% of their own limit."""
        async with self._db.transaction() as session:
            teams = await quota_alerts.teams_to_check(session)
        result = AlertCheck()
        for team_id in teams:
            try:
                crossed, queued = await self._check_team(team_id)
            except Exception:
                log.exception("checking the quota alerts of team %s failed", team_id)
                continue
            result = AlertCheck(
                teams=result.teams + 1,
                crossed=result.crossed + crossed,
                queued=result.queued + queued,
            )
        if result.queued:
            self._on_notice()
        return result

    async def _check_team(self, team_id: str) -> tuple[int, int]:
        report = await self._quota.report(team_id)
        now = self._now()
        queued = 0
        async with self._db.transaction() as session:
            before = await quota_alerts.reached(session, team_id)
            team_crossings = await _cross(
                session,
                team_id,
                None,
                before=before,
                now_reached=_reached(report.team_limits, report.team_usage),
                now=now,
            )
            # Members with limits, and those standing at a threshold of limits since removed
            # (dropping them re-arms their alerts).
            members_before = await quota_alerts.members_reached(session, team_id)
            member_crossings: dict[str, dict[Threshold, int]] = {}
            for member in sorted(set(report.member_limits) | set(members_before)):
                crossings = await _cross(
                    session,
                    team_id,
                    member,
                    before=members_before.get(member, set()),
                    now_reached=_reached(
                        report.member_limits.get(member), report.members.get(member, Usage())
                    ),
                    now=now,
                )
                if crossings:
                    member_crossings[member] = crossings
            crossed = len(team_crossings) + sum(map(len, member_crossings.values()))
            if not crossed:
                return 0, 0  # nothing new, or a concurrent check counted it
            digest = await team_settings.get_digest(session, team_id)
            # Without a channel the crossings are recorded, so configuring one later does
            # not flood it; a member still hears of their own in a DM.
            channel = digest.channel_id if digest is not None else None
            locale = digest.locale if digest is not None else None
            if channel is not None:
                for resource, percent in _to_send(team_crossings):
                    queued += await announce_quota_alert(
                        session,
                        team_id,
                        channel_id=channel,
                        alert=_alert(report, resource, percent),
                        crossing=team_crossings[(resource, percent)],
                        locale=locale,
                        now=now,
                    )
            for member, crossings in member_crossings.items():
                for resource, percent in _to_send(crossings):
                    alert = _member_alert(report, member, resource, percent)
                    crossing = crossings[(resource, percent)]
                    queued += await announce_member_quota_alert(
                        session, team_id, alert=alert, crossing=crossing, now=now
                    )
                    if channel is not None:
                        queued += await announce_quota_alert(
                            session,
                            team_id,
                            channel_id=channel,
                            alert=alert,
                            crossing=crossing,
                            locale=locale,
                            now=now,
                        )
        return crossed, queued


def _reached(limits: QuotaLimits | None, usage: Usage) -> set[Threshold]:
    return {
        (resource, threshold_percent(threshold))
        for resource, threshold in crossed_thresholds(limits, usage)
    }


async def _cross(
    session: Session,
    team_id: str,
    member_user_id: str | None,
    *,
    before: set[Threshold],
    now_reached: set[Threshold],
    now: datetime,
) -> dict[Threshold, int]:
    """Record where the team (or member) stands now: re-arm what it dropped below, count a
    crossing for each threshold newly reached. Those this check counted, by crossing number."""
    await quota_alerts.cross_down(
        session, team_id, before - now_reached, member_user_id=member_user_id, now=now
    )
    crossings: dict[Threshold, int] = {}
    for pair in sorted(now_reached - before):
        crossing = await quota_alerts.cross_up(
            session, team_id, pair, member_user_id=member_user_id, now=now
        )
        if crossing is not None:  # else a concurrent check counted this crossing
            crossings[pair] = crossing
    return crossings


def _to_send(crossings: dict[Threshold, int]) -> list[Threshold]:
    """One alert per resource, for the highest threshold newly reached (``alerts_to_send``)."""
    reached = {(resource, percent / 100) for resource, percent in crossings}
    return [
        (resource, threshold_percent(highest))
        for resource, highest in sorted(alerts_to_send(reached).items())
    ]


def _alert(report: QuotaReport, resource: QuotaResource, percent: int) -> QuotaAlert:
    limits = report.team_limits
    limit = limits.limit(resource) if limits is not None else None
    holders = sorted(
        ((user_id, usage.amount(resource)) for user_id, usage in report.members.items()),
        key=lambda pair: -pair[1],
    )
    return QuotaAlert(
        resource=resource,
        percent=percent,
        used=report.team_usage.amount(resource),
        limit=limit or 0,
        holders=tuple(pair for pair in holders if pair[1] > 0)[:ALERT_HOLDERS],
    )


def _member_alert(
    report: QuotaReport, member: str, resource: QuotaResource, percent: int
) -> QuotaAlert:
    limits = report.member_limits.get(member)
    limit = limits.limit(resource) if limits is not None else None
    return QuotaAlert(
        resource=resource,
        percent=percent,
        used=report.members.get(member, Usage()).amount(resource),
        limit=limit or 0,
        member_user_id=member,
    )


__all__ = ["AlertCheck", "QuotaNotices"]
