"""The small repositories: preferences, quota limits, audit log, deliveries, settings."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from sqlalchemy import insert

from bot.domain.digest import DigestSchedule
from bot.store import audit, deliveries, preferences, quota_alerts, quotas, team_settings
from bot.store.database import Database, Session
from bot.store.quotas import QuotaLimits
from bot.store.tables import TeamSettingRow
from tests.store.fakes import ALICE, BOB, CAROL_ELSEWHERE, NOW


async def test_locale_override_is_per_user_and_clearable(database: Database) -> None:
    async with database.transaction() as session:
        before = await preferences.get_locale(session, ALICE)
        await preferences.set_locale(session, ALICE, locale="zh", now=NOW)
        await preferences.set_locale(session, BOB, locale="en", now=NOW)
        chosen = await preferences.get_locale(session, ALICE)
        await preferences.set_locale(session, ALICE, locale=None, now=NOW)
        cleared = await preferences.get_locale(session, ALICE)
        bob = await preferences.get_locale(session, BOB)

    assert (before, chosen, cleared, bob) == (None, "zh", None, "en")


async def test_quota_limits_team_wide_and_per_member(database: Database) -> None:
    team = ALICE.team_id
    async with database.transaction() as session:
        await quotas.set_limits(session, team, limits=QuotaLimits(gpus=8, instances=4), now=NOW)
        await quotas.set_limits(
            session, team, limits=QuotaLimits(gpus=2), member_user_id=BOB.user_id, now=NOW
        )
        later = NOW + timedelta(days=1)
        await quotas.set_limits(session, team, limits=QuotaLimits(gpus=16, cpus=64), now=later)

    async with database.transaction() as session:
        team_wide = await quotas.get_limits(session, team)
        bobs = await quotas.get_limits(session, team, member_user_id=BOB.user_id)
        alices = await quotas.get_limits(session, team, member_user_id=ALICE.user_id)
        listed = await quotas.list_limits(session, team)
        elsewhere = await quotas.list_limits(session, CAROL_ELSEWHERE.team_id)

    assert team_wide == QuotaLimits(gpus=16, cpus=64)  # replaced, not merged
    assert bobs == QuotaLimits(gpus=2)
    assert alices is None
    assert [(q.member_user_id, q.limits.gpus) for q in listed] == [(None, 16), (BOB.user_id, 2)]
    assert listed[0].updated_at == NOW + timedelta(days=1)
    assert elsewhere == []

    async with database.transaction() as session:
        assert await quotas.clear_limits(session, team, member_user_id=BOB.user_id)
        assert not await quotas.clear_limits(session, team, member_user_id=BOB.user_id)
        assert [q.member_user_id for q in await quotas.list_limits(session, team)] == [None]


def test_quota_limits_are_not_negative() -> None:
    with pytest.raises(ValueError, match="gpus"):
        QuotaLimits(gpus=-1)


async def test_audit_lists_a_teams_latest_entries_newest_first(database: Database) -> None:
    async with database.transaction() as session:
        for n in range(5):
            await audit.record(
                session,
                ALICE if n % 2 else BOB,
                action="stop",
                outcome="ok",
                instance_id=f"i-{n}",
                detail="x" * 1000 if n == 4 else "",
                now=NOW + timedelta(minutes=n),
            )
        await audit.record(session, CAROL_ELSEWHERE, action="create", outcome="refused", now=NOW)

    async with database.transaction() as session:
        latest = await audit.latest(session, ALICE.team_id, limit=3)
        other_team = await audit.latest(session, CAROL_ELSEWHERE.team_id)

    assert [entry.instance_id for entry in latest] == ["i-4", "i-3", "i-2"]
    assert [entry.actor for entry in latest] == [BOB, ALICE, BOB]
    assert latest[0].created_at == NOW + timedelta(minutes=4)
    assert len(latest[0].detail) == audit.DETAIL_LIMIT
    assert [(e.action, e.outcome, e.instance_id) for e in other_team] == [
        ("create", "refused", None)
    ]


async def test_a_delivery_is_handled_once_and_old_keys_are_pruned(database: Database) -> None:
    async with database.transaction() as session:
        first = await deliveries.claim_delivery(session, "Ev01", now=NOW)
    async with database.transaction() as session:
        retry = await deliveries.claim_delivery(session, "Ev01", now=NOW + timedelta(seconds=5))
        newer = await deliveries.claim_delivery(session, "Ev02", now=NOW + timedelta(hours=2))

    async with database.transaction() as session:
        pruned = await deliveries.prune_deliveries(session, older_than=NOW + timedelta(hours=1))
        after_prune = await deliveries.claim_delivery(session, "Ev02", now=NOW)
        forgotten = await deliveries.claim_delivery(session, "Ev01", now=NOW)

    assert (first, retry, newer) == (True, False, True)
    assert pruned == 1
    assert not after_prune
    assert forgotten


async def _digest_channel(session: Session, team_id: str) -> str | None:
    digest = await team_settings.get_digest(session, team_id)
    return None if digest is None else digest.channel_id


async def test_team_and_channel_settings(database: Database) -> None:
    team = ALICE.team_id
    async with database.transaction() as session:
        assert await team_settings.get_digest(session, team) is None
        assert not await team_settings.shares_access_urls(session, team, channel_id="C0CHAN")
        await team_settings.set_digest(
            session, team, channel_id="C0DIGEST", schedule=DigestSchedule(), locale=None, now=NOW
        )
        await team_settings.set_share_access_urls(
            session, team, channel_id="C0CHAN", enabled=True, now=NOW
        )

    async with database.transaction() as session:
        digest = await _digest_channel(session, team)
        shares = await team_settings.shares_access_urls(session, team, channel_id="C0CHAN")
        other_channel = await team_settings.shares_access_urls(session, team, channel_id="C0OTHER")
        other_team = await team_settings.shares_access_urls(
            session, CAROL_ELSEWHERE.team_id, channel_id="C0CHAN"
        )
        await team_settings.set_digest(
            session, team, channel_id=None, schedule=DigestSchedule(), locale=None, now=NOW
        )
        await team_settings.set_share_access_urls(
            session, team, channel_id="C0CHAN", enabled=False, now=NOW
        )
        digest_off = await _digest_channel(session, team)
        shares_off = await team_settings.shares_access_urls(session, team, channel_id="C0CHAN")

    assert (digest, shares, other_channel, other_team) == ("C0DIGEST", True, False, False)
    assert (digest_off, shares_off) == (None, False)


async def test_digest_schedule_round_trips_and_only_teams_with_a_channel_are_listed(
    database: Database,
) -> None:
    team = ALICE.team_id
    schedule = DigestSchedule(at=time(7, 45), timezone="Europe/Berlin", long_running_hours=12)
    async with database.transaction() as session:
        # A row with only its channel, as rows from before migration 0002 are: the column
        # defaults give the default schedule.
        await session.execute(
            insert(TeamSettingRow).values(team_id=team, digest_channel_id="C0OLD", updated_at=NOW)
        )
        defaults = await team_settings.get_digest(session, team)
        await team_settings.set_digest(
            session, team, channel_id="C0DIGEST", schedule=schedule, locale="zh", now=NOW
        )
        await team_settings.set_digest(
            session,
            CAROL_ELSEWHERE.team_id,
            channel_id=None,
            schedule=DigestSchedule(),
            locale=None,
            now=NOW,
        )
        listed = await team_settings.list_digests(session)

    assert defaults is not None
    assert defaults.schedule == DigestSchedule()  # 09:00 Asia/Shanghai, 24 h
    assert [(d.team_id, d.channel_id, d.schedule, d.locale) for d in listed] == [
        (team, "C0DIGEST", schedule, "zh")
    ]


async def test_a_threshold_counts_each_crossing_once(database: Database) -> None:
    team = ALICE.team_id
    async with database.transaction() as session:
        first = await quota_alerts.cross_up(session, team, ("gpus", 80), now=NOW)
        again = await quota_alerts.cross_up(session, team, ("gpus", 80), now=NOW)
        reached = await quota_alerts.reached(session, team)
        await quota_alerts.cross_down(session, team, [("gpus", 80)], now=NOW)
        after_drop = await quota_alerts.reached(session, team)
        second = await quota_alerts.cross_up(session, team, ("gpus", 80), now=NOW)
        teams = await quota_alerts.teams_to_check(session)  # no limits: those at a threshold

    assert (first, again, second) == (1, None, 2)
    assert reached == {("gpus", 80)}
    assert after_drop == set()
    assert teams == [team]
