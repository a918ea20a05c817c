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


async def test_non_admins_cannot_configure_the_digest(world: SlackWorld) -> None:
    for text in (f"quota digest <#{world.channel}|gpu-team>", "quota digest off", "quota digest"):
        refused = (await world.command(world.alice, text))[-1]
        assert "Only admins can do that." in refused.all_text()
    assert await world.runtime.quota.digest(world.slack.team.id) is None


async def test_an_admin_sets_up_the_digest_then_turns_it_off(world: SlackWorld) -> None:
    boss = world.slack.add_user("boss", is_admin=True)
    mention = f"<#{world.channel}|gpu-team>"
    reply = (await world.command(boss, f"quota digest {mention} at=8:30 tz=Europe/Berlin"))[-1]
    text = reply.all_text()
    assert f"Daily digest: in <#{world.channel}> at 08:30 (Europe/Berlin)" in text
    assert "longer than 24 h" in text  # the default
    assert "Next one:" in text
    shown = (await world.command(boss, "quota digest"))[-1]
    assert "08:30 (Europe/Berlin)" in shown.all_text()
    changed = (await world.command(boss, "quota digest hours=12"))[-1]
    assert "08:30 (Europe/Berlin), listing instances running longer than 12 h" in (
        changed.all_text()
    )
    off = (await world.command(boss, "quota digest off"))[-1]
    assert "The daily digest and quota alerts are off." in off.all_text()
    none = (await world.command(boss, "quota digest"))[-1]
    assert "No daily digest is set up" in none.all_text()
    audit = (await world.command(boss, "audit 5"))[-1]
    assert audit.all_text().count("quota_digest") == 3


async def test_bad_digest_options_are_refused_naming_the_bad_part(world: SlackWorld) -> None:
    boss = world.slack.add_user("boss", is_admin=True)
    mention = f"<#{world.channel}|gpu-team>"
    bad_zone = (await world.command(boss, f"quota digest {mention} tz=Mars/Olympus"))[-1]
    assert "`tz=Mars/Olympus` is not a time zone" in bad_zone.all_text()
    assert "| digest [#channel | off] [at=HH:MM] [tz=Area/City]" in bad_zone.all_text()  # usage
    bad_time = (await world.command(boss, f"quota digest {mention} at=25:00"))[-1]
    assert "`at=25:00` is not a time of day" in bad_time.all_text()
    by_name = (await world.command(boss, "quota digest #gpu-team"))[-1]
    assert "Pick the channel from Slack's # list" in by_name.all_text()
    no_channel = (await world.command(boss, "quota digest at=10:00"))[-1]
    assert "Name the channel for the digest first" in no_channel.all_text()
    assert await world.runtime.quota.digest(world.slack.team.id) is None


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
