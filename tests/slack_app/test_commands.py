"""Slash commands through the real Bolt app: signed requests in, Slack Web API calls out."""

from __future__ import annotations

import asyncio
import time

from tests.slack_app.conftest import SlackWorld

AI = "/ai/openapi/v2/instance-service"


async def test_help_is_acked_and_answered_privately(world: SlackWorld) -> None:
    (reply,) = await world.command(world.alice, "help")
    assert reply.ephemeral
    assert "/scnet create" in reply.all_text()
    assert len(world.scnet.sim.requests) == 0


async def test_forged_and_stale_signatures_are_refused(world: SlackWorld) -> None:
    request = world.slack.slash_command(world.alice.id, "help")
    forged = request.headers("not-the-secret")
    async with world.http.post(world.events_url, data=request.body, headers=forged) as answer:
        assert answer.status == 401
    stale = await world.send(request, timestamp=int(time.time()) - 6 * 60)
    assert stale.status == 401
    assert world.slack.response_posts() == []


async def test_not_logged_in_gets_a_login_hint(world: SlackWorld) -> None:
    (reply,) = await world.command(world.alice, "images")
    assert "/scnet login" in reply.all_text()
    assert len(world.scnet.sim.requests) == 0


async def test_login_with_a_token_never_echoes_it(world: SlackWorld) -> None:
    token = world.scnet.sim.issue_token("alice")
    (reply,) = await world.command(world.alice, f"login {token}")
    assert "alice" in reply.all_text()
    assert token not in reply.all_text()
    whoami = (await world.command(world.alice, "whoami"))[-1]
    assert "alice" in whoami.all_text()


async def test_whoami_shows_the_account_status_and_balance_in_both_languages(
    world: SlackWorld,
) -> None:
    world.scnet.sim.user("alice").balance = "12345.6"
    await world.log_in(world.alice)
    await world.log_in(world.chen)
    english = (await world.command(world.alice, "whoami"))[-1].all_text()
    assert "Account status" in english
    assert "Normal" in english
    assert "¥12,345.60" in english
    assert len(world.scnet.sim.requests.matching("GET", "/ac/openapi/v2/user")) == 1
    world.scnet.sim.user("alice").frozen = True
    chinese = (await world.command(world.chen, "whoami"))[-1].all_text()
    assert "账号状态" in chinese
    assert "已停用" in chinese  # SCNet's ``Disable``, in the user's language
    assert "¥12,345.60" in chinese


async def test_a_second_instance_with_a_name_in_use_is_refused_in_the_users_language(
    world: SlackWorld,
) -> None:
    await world.log_in(world.alice)
    await world.log_in(world.chen, "bob")
    await world.command(world.alice, "create jupyter:4.4-py3.7-cpu name=dup")
    (first,) = world.scnet.sim.instances
    refused = (await world.command(world.alice, "create jupyter:4.4-py3.7-cpu name=dup"))[-1]
    assert f"already have an instance named `dup` (`{first[:8]}`)" in refused.all_text()
    assert f"/scnet delete {first[:8]}" in refused.all_text()
    await world.command(world.chen, "create jupyter:4.4-py3.7-cpu name=重名")
    chinese = (await world.command(world.chen, "create jupyter:4.4-py3.7-cpu name=重名"))[-1]
    assert "您已有名为 `重名` 的实例" in chinese.all_text()
    assert len(world.scnet.sim.instances) == 2
    status = (await world.command(world.alice, "status dup"))[-1]
    assert first[:8] in status.all_text()  # not ambiguous


async def test_images_create_list_and_status(world: SlackWorld) -> None:
    await world.log_in(world.alice)
    images = (await world.command(world.alice, "images gpu"))[-1]
    assert "jupyter:4.4-py3.7-cpu" in images.all_text()
    created = (
        await world.command(
            world.alice, "create jupyter:4.4-py3.7-cpu name=nb1 gpus=1 cpus=2 ram=8G"
        )
    )[-1]
    assert "nb1" in created.all_text()
    (instance,) = world.scnet.sim.instances.values()
    assert instance.spec.name == "nb1"
    assert instance.owner == "alice"
    listing = (await world.command(world.alice, "list"))[-1]
    assert "nb1" in listing.all_text()
    card = (await world.command(world.alice, "status nb1"))[-1]
    assert "Waiting" in card.all_text()
    assert world.scnet.sim.requests.count("POST", f"{AI}/task") == 1


async def test_bad_input_names_the_problem_and_calls_no_scnet(world: SlackWorld) -> None:
    await world.log_in(world.alice)
    cases = {
        "frobnicate": "frobnicate",
        "create jupyter:4.4-py3.7-cpu gpus=lots": "gpus",
        "create jupyter:4.4-py3.7-cpu colour=blue": "colour",
        "create jupyter:4.4-py3.7-cpu gpus=999": "gpus",
        "x" * 6000: "6000",  # its length, against the limit
    }
    for text, offending in cases.items():
        reply = (await world.command(world.alice, text))[-1]
        assert offending in reply.all_text()
        assert len(reply.all_text()) < 1500
    assert len(world.scnet.sim.requests) == 0


async def test_the_access_url_only_reaches_its_owner(world: SlackWorld) -> None:
    await world.log_in(world.alice)
    await world.command(
        world.alice, "create jupyter:4.4-py3.7-cpu name=nb2", channel_id=world.channel
    )
    world.scnet.clock.advance(60)
    reply = (await world.command(world.alice, "url nb2", channel_id=world.channel))[-1]
    assert reply.ephemeral
    assert reply.ephemeral_to == world.alice.id
    assert "jupyter-forward" in reply.all_text()
    # Nothing public in the channel holds any part of it.
    for message in world.slack.public_messages(world.channel):
        assert "jupyter-forward" not in message.all_text()
    public = (await world.command(world.alice, "url nb2 --public", channel_id=world.channel))[-1]
    assert "jupyter-forward" not in public.all_text()


async def test_stop_asks_for_confirmation_then_stops(world: SlackWorld) -> None:
    await world.log_in(world.alice)
    await world.command(world.alice, "create jupyter:4.4-py3.7-cpu name=nb3")
    confirmation = (await world.command(world.alice, "stop nb3"))[-1]
    (instance,) = world.scnet.sim.instances.values()
    assert instance.status == "Waiting"  # nothing happened yet
    before = len(world.slack.response_posts())
    press = world.slack.block_action(world.alice.id, "instance.stop.confirm", message=confirmation)
    assert (await world.send(press)).status == 200
    await world.slack.wait_for("response_url", count=before + 1)
    assert world.scnet.sim.instance(instance.id).status == "Terminated"
    assert "nb3" in world.last_reply(world.alice).all_text()


async def test_replies_follow_the_users_slack_locale(world: SlackWorld) -> None:
    reply = (await world.command(world.chen, "frobnicate"))[-1]
    assert "未知" in reply.all_text() or "命令" in reply.all_text()
    await world.command(world.chen, "lang en")
    english = (await world.command(world.chen, "frobnicate"))[-1]
    assert "Unknown command" in english.all_text()


async def test_a_failing_scnet_becomes_a_message(world: SlackWorld) -> None:
    await world.log_in(world.alice)
    world.scnet.sim.faults.http_error("GET", f"{AI}/images", 503, times=None)
    reply = (await world.command(world.alice, "images"))[-1]
    assert "SCNet" in reply.all_text()


async def test_a_hanging_scnet_does_not_delay_the_ack(world: SlackWorld) -> None:
    await world.log_in(world.alice)
    held = world.scnet.sim.faults.hold("GET", f"{AI}/images")
    # SCNet answers only once Slack got its 200: an ack that waited for SCNet never comes.
    async with asyncio.timeout(3):  # Slack's deadline
        answer = await world.send(world.slack.slash_command(world.alice.id, "images"))
    assert answer.status == 200
    await world.scnet.sim.requests.wait_for("GET", f"{AI}/images")  # the handler is in SCNet
    assert world.slack.response_posts() == []
    held.release()
    await world.slack.wait_for("response_url")
    assert "jupyter" in world.last_reply(world.alice).all_text()


async def test_a_command_mentioning_payload_is_not_lost(world: SlackWorld) -> None:
    # Bolt reads form bodies containing "payload" as interactions; the adapter repairs that.
    reply = (await world.command(world.alice, "frobnicate payload"))[-1]
    assert "frobnicate" in reply.all_text()


async def test_a_retried_create_is_acked_and_creates_one_instance(world: SlackWorld) -> None:
    await world.log_in(world.alice)
    create = world.slack.slash_command(world.alice.id, "create jupyter:4.4-py3.7-cpu name=x")
    assert (await world.send(create)).status == 200
    await world.slack.wait_for("response_url")
    # A proxy's (or Slack's) retry of the same invocation: same body, same trigger id.
    assert (await world.send(create, retry_num=1)).status == 200
    assert (await world.send(create, retry_num=2)).status == 200
    await world.settle()  # the retries' handlers have finished
    assert world.scnet.sim.requests.count("POST", f"{AI}/task") == 1
    assert len(world.scnet.sim.instances) == 1
    assert sum("Creating" in m.all_text() for m in world.replies_to(world.alice)) == 1


async def test_the_same_command_typed_twice_runs_twice(world: SlackWorld) -> None:
    await world.log_in(world.alice)
    await world.command(world.alice, "create jupyter:4.4-py3.7-cpu name=a")
    await world.command(world.alice, "create jupyter:4.4-py3.7-cpu name=b")
    assert world.scnet.sim.requests.count("POST", f"{AI}/task") == 2


async def test_the_cards_stop_button_is_confirmed_once_by_its_dialog(world: SlackWorld) -> None:
    await world.log_in(world.alice)
    await world.command(world.alice, "create jupyter:4.4-py3.7-cpu name=nb5")
    card = (await world.command(world.alice, "status nb5"))[-1]
    stop = next(
        element
        for block in card.blocks or []
        for element in block.get("elements", [])
        if element.get("action_id") == "instance.stop"
    )
    assert "confirm" in stop  # Slack asks first, in its own dialog
    (instance,) = world.scnet.sim.instances.values()
    before = len(world.slack.response_posts())
    press = world.slack.block_action(world.alice.id, "instance.stop", message=card)
    assert (await world.send(press)).status == 200  # pressed through the dialog
    await world.slack.wait_for("response_url", count=before + 1)
    assert world.scnet.sim.instance(instance.id).status == "Terminated"  # no second question
    reply = world.last_reply(world.alice)
    assert "instance.stop.confirm" not in str(reply.blocks)
