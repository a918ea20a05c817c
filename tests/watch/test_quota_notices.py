"""The daily digest and the quota alerts as the team's channel reads them: queued by the jobs,
delivered through the outbox and the real slack_sdk client to the fake Slack, with the
simulator's manual clock as the bot's clock. The clock starts at 2025-06-15 15:06:40 UTC,
23:06 in Shanghai."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, time

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.commands import Create
from bot.domain.quota import QuotaLimits
from bot.jobs import JobIntervals, Jobs, define_jobs
from bot.scnet.client import ScnetClient
from bot.services.quota import DigestChange, QuotaService
from bot.services.quota_notices import QuotaNotices
from bot.store import preferences
from bot.store.database import Database
from bot.store.instances import SlackOrigin
from bot.store.leadership import SoleLeader
from tests.fake_slack import FakeSlack, Message
from tests.watch.conftest import IMAGE, THREAD, WatchEnv, restarted

DIGEST_TITLE = "Daily quota digest"
ALERT_WORDS = "Team usage of"


@dataclass
class Team:
    env: WatchEnv
    quota: QuotaService
    notices: QuotaNotices

    async def run_jobs(self) -> None:
        """One run of the digest and alert jobs, then of the outbox."""
        await self.notices.queue_due_digests()
        await self.notices.check_thresholds()
        await self.env.notifier.deliver_due()

    def digests(self) -> list[Message]:
        return [m for m in self.env.channel_posts() if DIGEST_TITLE in m.all_text()]

    def alerts(self) -> list[Message]:
        return [m for m in self.env.channel_posts() if ALERT_WORDS in m.all_text()]

    def at(self, iso: str) -> None:
        self.env.scnet.clock.set(datetime.fromisoformat(iso).timestamp())


def team_of(env: WatchEnv, client: ScnetClient) -> Team:
    quota = QuotaService(db=env.db, client=client, accounts=env.accounts, now=env.now)
    return Team(env, quota, QuotaNotices(db=env.db, quota=quota, now=env.now))


@pytest.fixture
def team(env: WatchEnv, client: ScnetClient) -> Team:
    return team_of(env, client)


async def create_past_the_limit(env: WatchEnv, name: str) -> str:
    """An admin's ``create --force``: how usage passes a limit through the bot."""
    command = Create(image=IMAGE, name=name, force=True)
    where = SlackOrigin(env.channel, THREAD)
    created = await env.instances.create(env.owner, command, origin=where, is_admin=True)
    return created.instance_id


async def digest_at_nine_in_shanghai(team: Team, *, hours: int = 24) -> None:
    change = DigestChange(
        channel_id=team.env.channel, at=time(9, 0), timezone="Asia/Shanghai", hours=hours
    )
    await team.quota.configure_digest(team.env.owner.team_id, change, locale="en")


async def test_the_digest_posts_once_a_day_at_its_local_time(
    team: Team,
    client: ScnetClient,
    database: Database,
    slack: FakeSlack,
    slack_client: AsyncWebClient,
) -> None:
    env = team.env
    await digest_at_nine_in_shanghai(team, hours=6)
    await env.create("train")
    await env.run_for(30)  # Running
    await team.run_jobs()
    assert team.digests() == []

    team.at("2025-06-16T00:59:00+00:00")  # 08:59 in Shanghai
    await team.run_jobs()
    assert team.digests() == []
    team.at("2025-06-16T01:00:00+00:00")  # 09:00
    await team.run_jobs()
    [digest] = team.digests()
    text = digest.all_text()
    assert "Daily quota digest · 2025-06-16" in text
    assert f"<@{env.owner.user_id}>" in text  # the top holder
    assert "Running longer than 6 h" in text
    assert "*train*" in text
    assert "running for 9 h 5" in text  # since 15:07 UTC the day before
    assert "Asia/Shanghai" in text

    team.at("2025-06-16T01:01:00+00:00")
    await team.run_jobs()
    assert len(team.digests()) == 1  # a second run the same day posts nothing

    after = team_of(restarted(env, client, database, slack, slack_client), client)
    team.at("2025-06-16T05:00:00+00:00")
    await after.run_jobs()
    assert len(team.digests()) == 1  # nor does a restarted bot

    team.at("2025-06-17T01:00:30+00:00")
    await after.run_jobs()
    days = [m.all_text() for m in team.digests()]
    assert len(days) == 2
    assert "2025-06-17" in days[1]


async def test_a_bot_that_was_down_sends_todays_digest_late_but_never_a_missed_day(
    team: Team,
) -> None:
    await digest_at_nine_in_shanghai(team)
    team.at("2025-06-16T06:00:00+00:00")  # 14:00 in Shanghai: down at 09:00, back now
    await team.run_jobs()
    assert ["2025-06-16" in m.all_text() for m in team.digests()] == [True]

    team.at("2025-06-18T02:00:00+00:00")  # down all of the 17th
    await team.run_jobs()
    texts = [m.all_text() for m in team.digests()]
    assert len(texts) == 2
    assert "2025-06-18" in texts[1]
    assert not any("2025-06-17" in text for text in texts)


async def test_no_digest_and_no_alerts_after_it_is_turned_off(team: Team) -> None:
    env = team.env
    await digest_at_nine_in_shanghai(team)
    await team.quota.configure_digest(env.owner.team_id, DigestChange(off=True), locale="en")
    await team.quota.set_limits(env.owner.team_id, QuotaLimits(cpus=4), member_user_id=None)
    await env.create("a1")
    team.at("2025-06-16T01:00:00+00:00")
    await team.run_jobs()
    assert team.digests() == []
    assert team.alerts() == []


async def test_alerts_reach_the_channel_once_per_crossing(team: Team) -> None:
    env = team.env
    await digest_at_nine_in_shanghai(team)
    await team.quota.set_limits(env.owner.team_id, QuotaLimits(cpus=5), member_user_id=None)
    await env.create("a1")  # 4 CPUs: 80%
    await team.run_jobs()
    [near] = team.alerts()
    assert "Team usage of CPU cores reached 80% of the limit: 4 of 5." in near.all_text()
    assert f"<@{env.owner.user_id}> 4" in near.all_text()
    await team.run_jobs()
    assert len(team.alerts()) == 1  # not repeated while it stays there

    second = await create_past_the_limit(env, "a2")  # 8 of 5
    await team.run_jobs()
    assert len(team.alerts()) == 2
    assert "reached the limit: 8 of 5" in team.alerts()[-1].all_text()

    env.scnet.sim.set_status(second, "Terminated")
    await team.quota.sync_usage()  # 4 of 5: the 100% alert re-arms
    await team.run_jobs()
    assert len(team.alerts()) == 2
    await create_past_the_limit(env, "a3")  # 8 of 5 again: a new crossing
    await team.run_jobs()
    assert len(team.alerts()) == 3
    assert "reached the limit" in team.alerts()[-1].all_text()


async def test_the_scheduler_runs_the_digest_and_alert_jobs(team: Team) -> None:
    env = team.env
    await digest_at_nine_in_shanghai(team)
    await team.quota.set_limits(env.owner.team_id, QuotaLimits(instances=1), member_user_id=None)
    await env.create("only")
    team.at("2025-06-16T03:00:00+00:00")  # 11:00 in Shanghai: today's digest is due

    runs = 0
    many_runs = asyncio.Event()

    async def digests() -> None:
        nonlocal runs
        await team.notices.queue_due_digests()
        runs += 1
        if runs >= 10:
            many_runs.set()

    jobs = Jobs(leadership=SoleLeader(), leadership_interval=0.05)
    define_jobs(
        jobs,
        watcher=env.watcher,
        notifier=env.notifier,
        renewals=env.renewals,
        digests=digests,
        quota_alerts=team.notices.check_thresholds,
        intervals=JobIntervals(outbox=0.05, digest=0.02, quota_alerts=0.02, watch_sweep=3600),
    )
    await jobs.start()
    try:
        await asyncio.wait_for(many_runs.wait(), 10)
    finally:
        await jobs.stop()
    await env.notifier.deliver_due()  # whatever the outbox job had not sent yet
    assert len(team.digests()) == 1  # ten runs, one digest
    assert len(team.alerts()) == 1  # and one alert: 100% of one instance


MEMBER_ALERT_WORDS = "their own limit"
DM_ALERT_WORDS = "your own limit"


async def test_a_members_alert_mentions_them_in_the_channel_and_reaches_their_dm(
    team: Team,
) -> None:
    env = team.env
    member = env.owner.user_id
    await digest_at_nine_in_shanghai(team)
    await team.quota.set_limits(env.owner.team_id, QuotaLimits(cpus=5), member_user_id=member)

    def channel_alerts() -> list[Message]:
        return [m for m in env.channel_posts() if MEMBER_ALERT_WORDS in m.all_text()]

    def dm_alerts() -> list[Message]:
        return [m for m in env.dms() if DM_ALERT_WORDS in m.all_text()]

    await env.create("a1")  # 4 CPUs: 80% of the member's own limit
    await team.run_jobs()
    [posted] = channel_alerts()
    assert (
        f"<@{member}>'s usage of CPU cores reached 80% of their own limit: 4 of 5."
        in posted.all_text()
    )
    [dm] = dm_alerts()
    assert "Your usage of CPU cores reached 80% of your own limit: 4 of 5." in dm.all_text()
    assert "/scnet quota" in dm.all_text()
    assert team.alerts() == []  # no team limit: no team alert
    await team.run_jobs()
    assert (len(channel_alerts()), len(dm_alerts())) == (1, 1)  # not repeated

    await create_past_the_limit(env, "a2")  # 8 of 5
    await team.run_jobs()
    assert "reached their own limit: 8 of 5" in channel_alerts()[-1].all_text()
    assert "reached your own limit: 8 of 5" in dm_alerts()[-1].all_text()
    assert (len(channel_alerts()), len(dm_alerts())) == (2, 2)


async def test_a_members_dm_is_in_their_language_the_channels_in_the_teams(
    team: Team, slack: FakeSlack
) -> None:
    env = team.env
    await digest_at_nine_in_shanghai(team)  # the team's alerts in English
    async with env.db.transaction() as session:
        await preferences.set_locale(session, env.owner, locale="zh", now=env.now())
    await team.quota.set_limits(
        env.owner.team_id, QuotaLimits(instances=1), member_user_id=env.owner.user_id
    )
    await env.create("only")
    await team.run_jobs()
    [posted] = [m for m in env.channel_posts() if MEMBER_ALERT_WORDS in m.all_text()]
    assert "reached their own limit: 1 of 1" in posted.all_text()
    [dm] = [m for m in env.dms() if "个人限额" in m.all_text()]
    assert "您的实例数用量已达到个人限额：1 / 1。" in dm.all_text()
