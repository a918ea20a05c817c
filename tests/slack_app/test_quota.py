"""Team quota through Slack: admins set limits, creates past them are refused with numbers."""

from __future__ import annotations

from tests.slack_app.conftest import LEAD_ID, SlackWorld

CREATE = "create jupyter:4.4-py3.7-cpu cpus=2 ram=4G"


async def test_non_admins_cannot_set_limits_or_read_the_audit(world: SlackWorld) -> None:
    refused = (await world.command(world.alice, "quota set gpus=4"))[-1]
    assert "admin" in refused.all_text().lower()
    audit = (await world.command(world.alice, "audit"))[-1]
    assert "admin" in audit.all_text().lower()


async def test_limits_refuse_a_create_and_admins_may_force(world: SlackWorld) -> None:
    boss = world.slack.add_user("boss", is_admin=True)
    await world.log_in(world.alice)
    await world.log_in(boss, scnet_user="alice")
    set_reply = (await world.command(boss, "quota set gpus=2 instances=5"))[-1]
    assert "2" in set_reply.all_text()
    await world.command(world.alice, f"{CREATE} name=a1 gpus=2")
    refused = (await world.command(world.alice, f"{CREATE} name=a2 gpus=1"))[-1]
    text = refused.all_text()
    assert "limit for gpus: 2 used of 2" in text
    assert len(world.scnet.sim.instances) == 1
    not_admin = (await world.command(world.alice, f"{CREATE} name=a3 gpus=1 --force"))[-1]
    assert "admin" in not_admin.all_text().lower()
    await world.command(boss, f"{CREATE} name=b1 gpus=1 --force")
    assert len(world.scnet.sim.instances) == 2


async def test_quota_shows_team_totals_members_and_balance(world: SlackWorld) -> None:
    boss = world.slack.add_user("boss", is_admin=True)
    await world.log_in(world.alice)
    await world.command(boss, "quota set gpus=4")
    await world.command(world.alice, f"{CREATE} name=q1 gpus=2")
    report = (await world.command(world.alice, "quota"))[-1]
    text = report.all_text()
    assert "2 / 4" in text  # GPUs used of the limit, with a usage bar
    assert "50%" in text
    assert f"<@{world.alice.id}>" in text
    assert "1,000.00" in text  # the caller's own SCNet balance
    shared = (await world.command(world.alice, "quota --public"))[-1]
    assert "1,000.00" not in shared.all_text()
    audit = (await world.command(boss, "audit 5"))[-1]
    assert "create" in audit.all_text()
    assert "quota_set" in audit.all_text()


async def test_a_user_listed_in_bot_admins_may_set_limits(world: SlackWorld) -> None:
    lead = world.slack.add_user("lead", id=LEAD_ID)  # not a Slack admin or owner
    reply = (await world.command(lead, "quota set gpus=3"))[-1]
    assert "admin" not in reply.all_text().lower()
    report = await world.runtime.quota.report(world.slack.team.id)
    assert report.team_limits is not None
    assert report.team_limits.gpus == 3


async def test_quota_shows_the_callers_own_node_limits_but_not_when_shared(
    world: SlackWorld,
) -> None:
    await world.log_in(world.alice)
    text = (await world.command(world.alice, "quota"))[-1].all_text()
    assert "Your SCNet node limits" in text
    assert "*TeslaM40* (GPU): 40 CPU · 2 cards · 31.1 GB per node, 4 nodes" in text
    assert "*kshcpu* (CPU)" in text
    shared = (await world.command(world.alice, "quota --public"))[-1].all_text()
    assert "Your SCNet node limits" not in shared
    assert "TeslaM40" not in shared
