"""Team quota against the simulator and a real database: usage, limits, refusals, sync."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.domain.commands import Create, InstanceRef, MemberRef, QuotaSet
from bot.domain.instances import InstanceSpec, Resources
from bot.domain.quota import QuotaLimits, Usage
from bot.domain.secret import Secret
from bot.services.errors import AdminOnly, MemberNotMentioned
from bot.services.quota import ForceNotAllowed, QuotaExceeded
from bot.store import audit, instances
from bot.store.identity import SlackUser
from bot.store.instances import TrackedInstance
from tests.services.conftest import ALICE, BOB, Services

IMAGE = "jupyter:4.4-py3.7-cpu"


async def login_both(services: Services) -> None:
    services.scnet.sim.add_user("bob")
    for slack_user, scnet_user in ((ALICE, "alice"), (BOB, "bob")):
        token = Secret(services.scnet.sim.issue_token(scnet_user))
        await services.accounts.login_with_token(slack_user, token)


async def create(
    services: Services,
    user: SlackUser,
    name: str,
    gpus: int,
    *,
    force: bool = False,
    admin: bool = False,
) -> str:
    command = Create(image=IMAGE, name=name, gpus=gpus, cpus=2, ram_mb=4096, force=force)
    created = await services.instances.create(user, command, origin=None, is_admin=admin)
    return created.instance_id


async def test_usage_totals_and_per_member(services: Services) -> None:
    await login_both(services)
    await create(services, ALICE, "a1", 1)
    await create(services, ALICE, "a2", 2)
    await create(services, BOB, "b1", 1)
    report = await services.quota.report("T1")
    assert report.team_usage == Usage(gpus=4, cpus=6, ram_mb=3 * 4096, instances=3)
    assert report.members[ALICE.user_id] == Usage(gpus=3, cpus=4, ram_mb=8192, instances=2)
    assert list(report.members) == [ALICE.user_id, BOB.user_id]  # biggest holder first


async def test_stopped_instances_hold_nothing(services: Services) -> None:
    await login_both(services)
    first = await create(services, ALICE, "a1", 1)
    services.scnet.sim.set_status(first, "Terminated")
    await services.instances.status(ALICE, _ref(first))  # the bot learns the new status
    report = await services.quota.report("T1")
    assert report.team_usage.gpus == 0


async def test_a_create_past_the_team_limit_is_refused_with_numbers(services: Services) -> None:
    await login_both(services)
    await services.quota.set_limits("T1", QuotaLimits(gpus=3), member_user_id=None)
    await create(services, ALICE, "a1", 2)
    with pytest.raises(QuotaExceeded) as caught:
        await create(services, BOB, "b1", 2)
    assert caught.value.params == {"resource": "gpus", "used": 2, "limit": 3, "requested": 2}
    assert len(services.scnet.sim.instances) == 1  # SCNet was never asked


async def test_a_member_limit_applies_before_the_team_limit(services: Services) -> None:
    await login_both(services)
    await services.quota.set_limits("T1", QuotaLimits(gpus=2), member_user_id=BOB.user_id)
    await create(services, BOB, "b1", 2)
    with pytest.raises(QuotaExceeded) as caught:
        await create(services, BOB, "b2", 1)
    assert caught.value.member is True
    await create(services, ALICE, "a1", 2)  # Alice is not limited by Bob's limit


async def test_force_is_for_admins_only(services: Services) -> None:
    await login_both(services)
    await services.quota.set_limits("T1", QuotaLimits(instances=1), member_user_id=None)
    await create(services, ALICE, "a1", 1)
    with pytest.raises(ForceNotAllowed):
        await create(services, BOB, "b1", 1, force=True)
    await create(services, BOB, "b1", 1, force=True, admin=True)
    assert len(services.scnet.sim.instances) == 2


async def test_set_limits_merges_with_what_is_set(services: Services) -> None:
    await services.quota.set_limits("T1", QuotaLimits(gpus=8, cpus=64), member_user_id=None)
    merged = await services.quota.set_limits("T1", QuotaLimits(gpus=4), member_user_id=None)
    assert merged == QuotaLimits(gpus=4, cpus=64)


async def test_sync_counts_instances_started_outside_the_bot(services: Services) -> None:
    await login_both(services)
    await create(services, ALICE, "via-bot", 1)
    # Bob starts one from SCNet's web console: the bot has never heard of it.
    console = services.scnet.caller("bob")
    console_id = await services.client.create_instance(console, _spec("console", 2))
    assert (await services.quota.report("T1")).team_usage.gpus == 1
    report = await services.quota.sync_usage()
    assert report.accounts == 2
    assert report.added == 1
    usage = await services.quota.report("T1")
    assert usage.team_usage.gpus == 3
    assert usage.members[BOB.user_id].gpus == 2
    # Deleted from the console: the next sync notices it is gone.
    await services.client.stop_instances(console, [console_id])
    await services.client.delete_instances(console, [console_id])
    assert (await services.quota.sync_usage()).gone == 1
    assert (await services.quota.report("T1")).team_usage.gpus == 1


async def test_a_sync_writes_only_what_changed(services: Services) -> None:
    await login_both(services)
    first = await create(services, ALICE, "a1", 1)
    second = await create(services, ALICE, "a2", 1)
    services.scnet.clock.advance(60)  # both Running
    await services.quota.sync_usage()
    before = {t.instance_id: t for t in await _tracked(services)}
    services.scnet.clock.advance(60)
    services.scnet.sim.set_status(second, "Terminated")
    await services.quota.sync_usage()
    after = {t.instance_id: t for t in await _tracked(services)}
    assert after[first] == before[first]  # unchanged: not even its updated_at was rewritten
    assert after[second].status == "Terminated"
    assert after[second].updated_at > before[second].updated_at
    assert (await services.quota.report("T1")).team_usage.gpus == 1


async def test_the_report_shows_the_callers_node_limits_per_resource_group(
    services: Services,
) -> None:
    await login_both(services)
    report = await services.quota.report("T1", caller=ALICE)
    groups = {limits.resource_group: limits for limits in report.node_limits}
    assert set(groups) == {"TeslaM40", "kshdtest", "kshcpu"}
    assert (groups["TeslaM40"].accelerator, groups["TeslaM40"].gpus) == ("gpu", 2)
    assert (groups["kshcpu"].accelerator, groups["kshcpu"].max_time) == ("cpu", "72:00:00")
    assert report.balance is not None

    services.scnet.sim.requests.clear()
    again = await services.quota.report("T1", caller=ALICE)
    assert again.node_limits == report.node_limits
    assert services.scnet.sim.requests.count("GET", "*resources*") == 0  # kept for a while


async def test_node_limits_are_left_out_when_scnet_cannot_say(services: Services) -> None:
    report = await services.quota.report("T1", caller=SlackUser("T1", "U_NOBODY"))
    assert report.node_limits == ()
    assert report.balance is None


async def _tracked(services: Services) -> list[TrackedInstance]:
    async with services.database.transaction() as session:
        return await instances.list_for_owner(session, ALICE)


def _ref(instance_id: str) -> InstanceRef:
    return InstanceRef("id", instance_id)


def _spec(name: str, gpus: int) -> InstanceSpec:
    return InstanceSpec(
        name=name,
        task_type="jupyter",
        accelerator="gpu",
        resource_group="TeslaM40",
        version=IMAGE,
        image_path="10.0.35.26:5000/gpu/admin/base/jupyter:4.4-py3.7-cpu",
        resources=Resources(cpus=2, gpus=gpus, ram_mb=4096),
        timeout_limit=timedelta(hours=1),
    )


async def test_quota_set_is_for_admins_names_members_by_mention_and_is_audited(
    services: Services,
) -> None:
    command = QuotaSet(limits=QuotaLimits(gpus=2), member=MemberRef("user_id", BOB.user_id))
    with pytest.raises(AdminOnly):
        await services.quota.apply_limits(ALICE, command, is_admin=False)
    typed = QuotaSet(limits=QuotaLimits(gpus=2), member=MemberRef("name", "bob"))
    with pytest.raises(MemberNotMentioned):
        await services.quota.apply_limits(ALICE, typed, is_admin=True)
    await services.quota.apply_limits(ALICE, command, is_admin=True)
    report = await services.quota.report("T1")
    assert report.member_limits == {BOB.user_id: QuotaLimits(gpus=2)}
    async with services.database.transaction() as session:
        entries = await audit.latest(session, "T1", limit=10)
    assert [(e.action, e.detail) for e in entries] == [("quota_set", BOB.user_id)]
