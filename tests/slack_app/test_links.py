"""``/scnet links``: an admin opts a channel in to full access links, typed in that channel."""

from __future__ import annotations

from bot.store import team_settings
from tests.slack_app.conftest import SlackWorld


async def _shares(world: SlackWorld, channel: str) -> bool:
    async with world.runtime.db.transaction() as session:
        return await team_settings.shares_access_urls(
            session, world.slack.team.id, channel_id=channel
        )


async def test_only_admins_turn_links_on_and_everyone_can_ask(world: SlackWorld) -> None:
    refused = (await world.command(world.alice, "links on", channel_id=world.channel))[-1]
    assert "Only admins" in refused.all_text()
    assert not await _shares(world, world.channel)

    asked = (await world.command(world.alice, "links", channel_id=world.channel))[-1]
    assert "only hears that instances are ready" in asked.all_text()


async def test_an_admin_turns_links_on_then_off_for_that_channel_alone(world: SlackWorld) -> None:
    boss = world.slack.add_user("boss", is_admin=True)
    other = world.slack.add_channel("elsewhere", members=[boss.id]).id

    on = (await world.command(boss, "links on", channel_id=world.channel))[-1]
    assert "Anyone in the channel can open those instances" in on.all_text()
    assert await _shares(world, world.channel)
    assert not await _shares(world, other)
    asked = (await world.command(world.alice, "links", channel_id=world.channel))[-1]
    assert "gets full access links" in asked.all_text()

    await world.command(boss, "links off", channel_id=world.channel)
    assert not await _shares(world, world.channel)
    audit = (await world.command(boss, "audit"))[-1].all_text()
    assert f"{world.channel} on" in audit
    assert f"{world.channel} off" in audit


async def test_links_in_a_direct_message_or_with_a_bad_choice_change_nothing(
    world: SlackWorld,
) -> None:
    boss = world.slack.add_user("boss", is_admin=True)
    in_dm = (await world.command(boss, "links on"))[-1]  # default: the DM with the app
    assert "not in a direct message" in in_dm.all_text()
    bad = (await world.command(boss, "links maybe", channel_id=world.channel))[-1]
    assert "`maybe`" in bad.all_text()
    assert not await _shares(world, world.channel)
