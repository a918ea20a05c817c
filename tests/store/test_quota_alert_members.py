"""Quota alert state per member, beside the team's: each counts its own crossings."""

from __future__ import annotations

from bot.store import quota_alerts, quotas
from bot.store.database import Database
from bot.store.quotas import QuotaLimits
from tests.store.fakes import ALICE, BOB, CAROL_ELSEWHERE, NOW


async def test_a_members_thresholds_are_counted_apart_from_the_teams(database: Database) -> None:
    team, bob = ALICE.team_id, BOB.user_id
    async with database.transaction() as session:
        assert await quota_alerts.cross_up(session, team, ("gpus", 80), now=NOW) == 1
        member_first = await quota_alerts.cross_up(
            session, team, ("gpus", 80), member_user_id=bob, now=NOW
        )
        member_again = await quota_alerts.cross_up(
            session, team, ("gpus", 80), member_user_id=bob, now=NOW
        )
        await quota_alerts.cross_up(
            session, team, ("cpus", 100), member_user_id=ALICE.user_id, now=NOW
        )
        # The member drops below: the team stays where it was.
        await quota_alerts.cross_down(session, team, [("gpus", 80)], member_user_id=bob, now=NOW)
        team_reached = await quota_alerts.reached(session, team)
        bob_reached = await quota_alerts.reached(session, team, member_user_id=bob)
        members = await quota_alerts.members_reached(session, team)
        member_second = await quota_alerts.cross_up(
            session, team, ("gpus", 80), member_user_id=bob, now=NOW
        )

    assert (member_first, member_again, member_second) == (1, None, 2)
    assert team_reached == {("gpus", 80)}
    assert bob_reached == set()
    assert members == {ALICE.user_id: {("cpus", 100)}}  # the team's own row is not a member


async def test_teams_with_only_a_members_limit_are_checked(database: Database) -> None:
    async with database.transaction() as session:
        await quotas.set_limits(
            session,
            ALICE.team_id,
            limits=QuotaLimits(gpus=2),
            member_user_id=BOB.user_id,
            now=NOW,
        )
        await quota_alerts.cross_up(
            session,
            CAROL_ELSEWHERE.team_id,
            ("instances", 100),
            member_user_id=CAROL_ELSEWHERE.user_id,
            now=NOW,
        )
        teams = await quota_alerts.teams_to_check(session)
    assert teams == sorted({ALICE.team_id, CAROL_ELSEWHERE.team_id})
