"""Quota alerts and the digest's settings against the simulator and a real database.

What the channel reads is tested through Slack in ``tests/watch/test_quota_notices.py``;
here: which alerts are queued, once per crossing, across restarts and races.
"""

from __future__ import annotations

import asyncio
from datetime import time

import pytest
from sqlalchemy import select

from bot.domain.commands import Create
from bot.domain.digest import DigestSchedule
from bot.domain.quota import QuotaLimits
from bot.domain.secret import Secret
from bot.services.quota import DigestChange, DigestChannelNeeded, QuotaService
from bot.services.quota_notices import QuotaNotices
from bot.store import quota_alerts, quotas
from bot.store.identity import SlackUser
from bot.store.tables import OutboxRow
from tests.services.conftest import ALICE, BOB, Services

IMAGE = "jupyter:4.4-py3.7-cpu"
CHANNEL = "C0DIGEST01"


async def log_in(services: Services, user: SlackUser = ALICE, scnet_user: str = "alice") -> None:
    token = Secret(services.scnet.sim.issue_token(scnet_user))
    await services.accounts.login_with_token(user, token)


async def start(services: Services, name: str, gpus: int = 1, user: SlackUser = ALICE) -> str:
    command = Create(image=IMAGE, name=name, gpus=gpus, cpus=2, ram_mb=4096)
    created = await services.instances.create(user, command, origin=None)
    return created.instance_id


async def stop(services: Services, instance_id: str) -> None:
    services.scnet.sim.set_status(instance_id, "Terminated")
    await services.quota.sync_usage()  # the bot learns it holds nothing any more


def notices_of(services: Services) -> QuotaNotices:
    return QuotaNotices(db=services.database, quota=services.quota, now=services.now)


async def alert_keys(services: Services) -> list[str]:
    async with services.database.transaction() as session:
        statement = (
            select(OutboxRow.dedupe_key)
            .where(OutboxRow.kind == "quota.alert")
            .order_by(OutboxRow.id)
        )
        return list((await session.execute(statement)).scalars())


async def with_digest_channel(services: Services) -> None:
    await services.quota.configure_digest("T1", DigestChange(channel_id=CHANNEL), locale="en")


async def test_alerts_fire_once_per_crossing_and_rearm_below(services: Services) -> None:
    await log_in(services)
    await with_digest_channel(services)
    await services.quota.set_limits("T1", QuotaLimits(gpus=5), member_user_id=None)
    notices = notices_of(services)
    first = [await start(services, f"a{n}") for n in range(3)]
    assert (await notices.check_thresholds()).queued == 0  # 3 of 5: below 80%

    await start(services, "a3")  # 4 of 5
    assert (await notices.check_thresholds()).queued == 1
    assert (await notices.check_thresholds()).queued == 0  # still there: no repeat
    last = await start(services, "a4")  # 5 of 5
    assert (await notices.check_thresholds()).queued == 1
    assert (await notices.check_thresholds()).queued == 0

    await stop(services, last)  # back to 80%: the 100% alert re-arms, 80% stays reached
    assert (await notices.check_thresholds()).queued == 0
    await start(services, "again")  # 100% again: a new crossing
    assert (await notices.check_thresholds()).queued == 1

    assert await alert_keys(services) == [
        "quota-alert:T1:gpus:80:1",
        "quota-alert:T1:gpus:100:1",
        "quota-alert:T1:gpus:100:2",
    ]
    for instance_id in first:
        await stop(services, instance_id)  # 2 of 5: both re-arm
    assert (await notices.check_thresholds()).queued == 0
    await start(services, "b1")
    await start(services, "b2")  # 4 of 5 again
    assert (await notices.check_thresholds()).queued == 1
    assert (await alert_keys(services))[-1] == "quota-alert:T1:gpus:80:2"


def restarted_notices(services: Services) -> QuotaNotices:
    """A new process over the same database: nothing kept in memory carries over."""
    restarted = QuotaService(
        db=services.database,
        client=services.client,
        accounts=services.accounts,
        now=services.now,
    )
    return QuotaNotices(db=services.database, quota=restarted, now=services.now)


async def test_a_restarted_bot_does_not_alert_again(services: Services) -> None:
    await log_in(services)
    await with_digest_channel(services)
    await services.quota.set_limits("T1", QuotaLimits(instances=1), member_user_id=None)
    await start(services, "only")
    assert (await notices_of(services).check_thresholds()).queued == 1

    again = restarted_notices(services)
    assert (await again.check_thresholds()).queued == 0
    assert len(await alert_keys(services)) == 1


async def test_two_replicas_checking_at_once_alert_once(services: Services) -> None:
    await log_in(services)
    await with_digest_channel(services)
    await services.quota.set_limits("T1", QuotaLimits(instances=1), member_user_id=None)
    await start(services, "only")
    results = await asyncio.gather(
        notices_of(services).check_thresholds(), notices_of(services).check_thresholds()
    )
    assert sum(result.queued for result in results) == 1
    assert await alert_keys(services) == ["quota-alert:T1:instances:100:1"]


async def test_a_jump_past_both_thresholds_alerts_once(services: Services) -> None:
    await log_in(services)
    await with_digest_channel(services)
    await services.quota.set_limits("T1", QuotaLimits(gpus=2), member_user_id=None)
    await start(services, "big", gpus=2)  # 0% to 100% in one step
    assert (await notices_of(services).check_thresholds()).queued == 1
    assert await alert_keys(services) == ["quota-alert:T1:gpus:100:1"]


async def test_without_a_digest_channel_crossings_are_kept_not_sent(services: Services) -> None:
    await log_in(services)
    await services.quota.set_limits("T1", QuotaLimits(instances=1), member_user_id=None)
    await start(services, "only")
    check = await notices_of(services).check_thresholds()
    assert (check.crossed, check.queued) == (2, 0)  # 80% and 100% of one instance
    await with_digest_channel(services)  # configured later: no flood of old crossings
    assert (await notices_of(services).check_thresholds()).queued == 0
    assert await alert_keys(services) == []


async def test_members_usage_counts_towards_the_team_limit(services: Services) -> None:
    services.scnet.sim.add_user("bob")
    await log_in(services)
    await log_in(services, BOB, "bob")
    await with_digest_channel(services)
    await services.quota.set_limits("T1", QuotaLimits(instances=2), member_user_id=None)
    await start(services, "a")
    await start(services, "b", user=BOB)
    assert (await notices_of(services).check_thresholds()).queued == 1


async def test_digest_settings_merge_and_off_keeps_the_schedule(services: Services) -> None:
    with pytest.raises(DigestChannelNeeded):
        await services.quota.configure_digest("T1", DigestChange(hours=12), locale="en")
    first = await services.quota.configure_digest(
        "T1", DigestChange(channel_id=CHANNEL, timezone="UTC"), locale="zh"
    )
    assert first.schedule == DigestSchedule(at=time(9, 0), timezone="UTC", long_running_hours=24)
    assert first.locale == "zh"
    changed = await services.quota.configure_digest(
        "T1", DigestChange(at=time(18, 30)), locale="en"
    )
    assert (changed.channel_id, changed.schedule.at, changed.schedule.timezone) == (
        CHANNEL,
        time(18, 30),
        "UTC",
    )
    off = await services.quota.configure_digest("T1", DigestChange(off=True), locale="en")
    assert off.channel_id is None
    assert off.schedule == changed.schedule


# --- a member's own limits ---------------------------------------------------------------------


async def member_alerts(services: Services) -> list[tuple[str, str, str | None, str | None]]:
    """Every quota alert queued, team's and members', as (kind, key, DM to, channel)."""
    async with services.database.transaction() as session:
        statement = (
            select(
                OutboxRow.kind, OutboxRow.dedupe_key, OutboxRow.target_user_id, OutboxRow.channel_id
            )
            .where(OutboxRow.kind.in_(["quota.alert", "quota.alert.dm"]))
            .order_by(OutboxRow.id)
        )
        return [tuple(row) for row in (await session.execute(statement)).all()]


def both(member: SlackUser, scope: str) -> list[tuple[str, str, str | None, str | None]]:
    """A member's alert: in their DM, and in the digest channel."""
    key = f"quota-alert:{member.team_id}:{member.user_id}:{scope}"
    return [
        ("quota.alert.dm", f"{key}:dm", member.user_id, None),
        ("quota.alert", key, None, CHANNEL),
    ]


async def with_bob(services: Services) -> None:
    services.scnet.sim.add_user("bob")
    await log_in(services)
    await log_in(services, BOB, "bob")
    await with_digest_channel(services)


async def test_a_members_alert_fires_once_per_crossing_and_rearms_below(
    services: Services,
) -> None:
    await with_bob(services)
    # No team limit at all: a member's own is enough to be checked.
    await services.quota.set_limits("T1", QuotaLimits(gpus=5), member_user_id=BOB.user_id)
    notices = notices_of(services)
    first = [await start(services, f"b{n}", user=BOB) for n in range(3)]
    await start(services, "alices", gpus=2)  # Alice's GPUs are not Bob's
    assert (await notices.check_thresholds()).queued == 0  # Bob: 3 of 5

    await start(services, "b3", user=BOB)  # 4 of 5
    check = await notices.check_thresholds()
    assert (check.crossed, check.queued) == (1, 2)  # one crossing: a DM and a channel post
    assert (await notices.check_thresholds()).queued == 0  # still there: no repeat
    last = await start(services, "b4", user=BOB)  # 5 of 5
    assert (await notices.check_thresholds()).queued == 2
    assert (await notices.check_thresholds()).queued == 0

    await stop(services, last)  # back to 80%: the 100% alert re-arms, 80% stays reached
    assert (await notices.check_thresholds()).queued == 0
    await start(services, "again", user=BOB)  # 100% again: a new crossing
    assert (await notices.check_thresholds()).queued == 2
    for instance_id in first:
        await stop(services, instance_id)  # 2 of 5: both re-arm
    assert (await notices.check_thresholds()).queued == 0
    await start(services, "c1", user=BOB)
    await start(services, "c2", user=BOB)  # 4 of 5 again
    assert (await notices.check_thresholds()).queued == 2

    assert await member_alerts(services) == [
        *both(BOB, "gpus:80:1"),
        *both(BOB, "gpus:100:1"),
        *both(BOB, "gpus:100:2"),
        *both(BOB, "gpus:80:2"),
    ]


async def test_no_member_alert_without_a_member_limit(services: Services) -> None:
    await with_bob(services)
    await services.quota.set_limits("T1", QuotaLimits(gpus=100), member_user_id=None)
    await services.quota.set_limits("T1", QuotaLimits(gpus=1), member_user_id=BOB.user_id)
    await start(services, "alices", gpus=2)  # Alice has no limit of her own
    await start(services, "bobs", gpus=0, user=BOB)  # and Bob holds no GPU
    check = await notices_of(services).check_thresholds()
    assert (check.crossed, check.queued) == (0, 0)
    assert await member_alerts(services) == []


async def test_team_and_member_alerts_are_kept_apart(services: Services) -> None:
    await with_bob(services)
    await services.quota.set_limits("T1", QuotaLimits(gpus=4), member_user_id=None)
    await services.quota.set_limits("T1", QuotaLimits(gpus=2), member_user_id=BOB.user_id)
    await start(services, "bobs", gpus=2, user=BOB)  # Bob: 100% of his; the team: 50%
    assert (await notices_of(services).check_thresholds()).queued == 2
    await start(services, "alices", gpus=2)  # the team: 100%; Bob unchanged
    assert (await notices_of(services).check_thresholds()).queued == 1
    assert await member_alerts(services) == [
        *both(BOB, "gpus:100:1"),
        ("quota.alert", "quota-alert:T1:gpus:100:1", None, CHANNEL),  # the team's, as before
    ]
    assert await alert_keys(services) == [
        "quota-alert:T1:U_BOB:gpus:100:1",
        "quota-alert:T1:gpus:100:1",
    ]


async def test_a_member_hears_in_a_dm_without_a_digest_channel(services: Services) -> None:
    await with_bob(services)
    await services.quota.configure_digest("T1", DigestChange(off=True), locale="en")
    await services.quota.set_limits("T1", QuotaLimits(instances=1), member_user_id=BOB.user_id)
    await start(services, "only", user=BOB)
    check = await notices_of(services).check_thresholds()
    assert (check.crossed, check.queued) == (2, 1)  # 80% and 100%: one DM, at 100%
    await with_digest_channel(services)  # configured later: no flood of old crossings
    assert (await notices_of(services).check_thresholds()).queued == 0
    assert await member_alerts(services) == [both(BOB, "instances:100:1")[0]]


async def test_a_removed_member_limit_rearms_the_members_alerts(services: Services) -> None:
    await with_bob(services)
    await services.quota.set_limits("T1", QuotaLimits(instances=1), member_user_id=BOB.user_id)
    await start(services, "only", user=BOB)
    assert (await notices_of(services).check_thresholds()).queued == 2
    async with services.database.transaction() as session:
        await quotas.clear_limits(session, "T1", member_user_id=BOB.user_id)
    assert (await notices_of(services).check_thresholds()).queued == 0
    async with services.database.transaction() as session:
        assert await quota_alerts.members_reached(session, "T1") == {}
    await services.quota.set_limits("T1", QuotaLimits(instances=1), member_user_id=BOB.user_id)
    assert (await notices_of(services).check_thresholds()).queued == 2
    assert [key for _, key, _, _ in await member_alerts(services)][-1] == (
        "quota-alert:T1:U_BOB:instances:100:2"
    )


async def test_member_alerts_survive_a_restart_and_racing_replicas(services: Services) -> None:
    await with_bob(services)
    await services.quota.set_limits("T1", QuotaLimits(instances=1), member_user_id=BOB.user_id)
    await services.quota.set_limits("T1", QuotaLimits(instances=1), member_user_id=ALICE.user_id)
    await start(services, "bobs", user=BOB)
    await start(services, "alices")
    results = await asyncio.gather(
        notices_of(services).check_thresholds(), notices_of(services).check_thresholds()
    )
    assert sum(result.queued for result in results) == 4  # each member: a DM and a post

    again = restarted_notices(services)
    assert (await again.check_thresholds()).queued == 0
    assert sorted(await member_alerts(services)) == sorted(
        both(ALICE, "instances:100:1") + both(BOB, "instances:100:1")
    )
