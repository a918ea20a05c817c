"""The playground without a browser: what each demo user sees, and the page's guards."""

from __future__ import annotations

import aiohttp

from bot.playground.page import Playground


async def test_a_reply_only_one_user_should_see_stays_out_of_the_others_channel(
    playground: Playground,
) -> None:
    world, relay = playground.world, playground.relay
    alice, bob = world.users
    await relay.command(alice.slack.id, world.channel.id, "help")
    await world.slack.wait_for("response_url")
    seen_by_alice = relay.visible_to(alice.slack.id, world.channel.id)
    assert [m.get("ephemeral") for m in seen_by_alice] == [True, True]  # her command, the reply
    assert relay.visible_to(bob.slack.id, world.channel.id) == []
    assert relay.visible_to(bob.slack.id, world.slack.dm_channel(alice.slack.id)) == []
    state = relay.state(bob.slack.id)
    assert all(not c["messages"] for c in state["conversations"])


async def test_the_login_form_opens_for_its_user_only_and_a_bad_token_keeps_nothing_open(
    playground: Playground,
) -> None:
    world, relay = playground.world, playground.relay
    alice, bob = world.users
    await relay.command(alice.slack.id, world.channel.id, "login")
    await world.slack.wait_for("views.open")
    modal = relay.state(alice.slack.id)["modal"]
    assert modal is not None
    assert modal["callback_id"] == "login"
    assert relay.state(bob.slack.id)["modal"] is None
    await relay.close(bob.slack.id, modal["id"])  # not his to close
    assert relay.state(alice.slack.id)["modal"] is not None
    await relay.close(alice.slack.id, modal["id"])
    assert relay.state(alice.slack.id)["modal"] is None


async def test_the_page_answers_loopback_hosts_and_json_bodies_only(
    playground: Playground,
) -> None:
    async with aiohttp.ClientSession() as http:
        async with http.get(playground.url) as page:
            assert page.status == 200
            assert "scnet-bot playground" in await page.text()
        async with http.get(playground.url, headers={"Host": "evil.example:80"}) as rebound:
            assert rebound.status == 403
        form = {"user": playground.world.users[0].slack.id, "text": "help"}
        async with http.post(f"{playground.url}ui/command", data=form) as cross_site:
            assert cross_site.status == 415
