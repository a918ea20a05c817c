"""``scnet-bot run`` with SLACK_APP_TOKEN: the real Bolt app behind ``run_socket_mode``, reached
over the fake Slack's WebSocket. Each request arrives as an envelope and must be acked on the
socket within Slack's 3 seconds (``socket_send`` raises otherwise)."""

from __future__ import annotations

from tests.slack_app.conftest import SlackWorld, SocketModeApp

AI = "/ai/openapi/v2/instance-service"


async def test_help_is_acked_on_the_socket_and_answered(
    world: SlackWorld, socket_mode: SocketModeApp
) -> None:
    (opened,) = world.slack.calls("apps.connections.open")
    assert opened.ok
    assert opened.authorized  # with the app-level token, not the bot's
    ack, replies = await socket_mode.command(world.alice, "help")
    envelope = world.slack.socket_mode.sent[-1]
    assert envelope["type"] == "slash_commands"
    assert ack == {"envelope_id": envelope["envelope_id"]}
    (reply,) = replies
    assert reply.ephemeral
    assert "/scnet create" in reply.all_text()
    assert world.slack.count("apps.connections.open") == 1


async def test_a_hanging_scnet_does_not_delay_the_ack(
    world: SlackWorld, socket_mode: SocketModeApp
) -> None:
    await world.log_in(world.alice)
    held = world.scnet.sim.faults.hold("GET", f"{AI}/images")
    # SCNet answers only once the envelope is acked (socket_send raises after 3 s without).
    ack = await world.slack.socket_send(world.slack.slash_command(world.alice.id, "images"))
    assert ack["envelope_id"] == world.slack.socket_mode.sent[-1]["envelope_id"]
    await world.scnet.sim.requests.wait_for("GET", f"{AI}/images")  # the handler is in SCNet
    assert world.slack.response_posts() == []
    held.release()
    await world.slack.wait_for("response_url")
    assert "jupyter" in world.last_reply(world.alice).all_text()


async def test_a_button_on_the_socket_stops_the_instance(
    world: SlackWorld, socket_mode: SocketModeApp
) -> None:
    await world.log_in(world.alice)
    await socket_mode.command(world.alice, "create jupyter:4.4-py3.7-cpu name=nb3")
    _, replies = await socket_mode.command(world.alice, "stop nb3")
    (instance,) = world.scnet.sim.instances.values()
    assert instance.status == "Waiting"
    before = len(world.slack.response_posts())
    press = world.slack.block_action(world.alice.id, "instance.stop.confirm", message=replies[-1])
    ack = await world.slack.socket_send(press)
    assert world.slack.socket_mode.sent[-1]["type"] == "interactive"
    assert ack == {"envelope_id": world.slack.socket_mode.sent[-1]["envelope_id"]}
    await world.slack.wait_for("response_url", count=before + 1)
    assert world.scnet.sim.instance(instance.id).status == "Terminated"
    assert "nb3" in world.last_reply(world.alice).all_text()


async def test_a_retried_event_envelope_does_nothing_twice(
    world: SlackWorld, socket_mode: SocketModeApp
) -> None:
    await world.log_in(world.alice)
    event = world.slack.app_home_opened(world.alice.id)
    first = await world.slack.socket_send(event)
    await world.slack.wait_for("views.publish")
    retry = await world.slack.socket_send(event, retry_attempt=1, retry_reason="timeout")
    first_sent, retry_sent = world.slack.socket_mode.sent[-2:]
    assert first == {"envelope_id": first_sent["envelope_id"]}
    assert retry == {"envelope_id": retry_sent["envelope_id"]}
    assert retry_sent["payload"]["event_id"] == first_sent["payload"]["event_id"]
    # The retry is acked but does nothing: still one publish once its listener has finished.
    await world.settle()
    assert world.slack.count("views.publish") == 1


async def test_form_errors_travel_back_in_the_ack(
    world: SlackWorld, socket_mode: SocketModeApp
) -> None:
    await world.log_in(world.alice)
    await world.slack.socket_send(world.slack.slash_command(world.alice.id, "create"))
    await world.slack.wait_for("views.update")
    (modal,) = world.slack.open_modals(world.alice.id)
    select = next(b for b in modal["blocks"] if b.get("block_id") == "create.image")["element"]
    first = next(o for g in select.get("option_groups", [select]) for o in g["options"])
    values = {"create.image": first["value"], "create.timeout": "soon"}
    submission = world.slack.view_submission(world.alice.id, modal["id"], values)
    ack = await world.slack.socket_send(submission)
    assert ack["payload"]["response_action"] == "errors"
    assert "create.timeout" in ack["payload"]["errors"]
    assert world.scnet.sim.instances == {}


async def test_a_refresh_request_reconnects_and_keeps_serving(
    world: SlackWorld, socket_mode: SocketModeApp
) -> None:
    await world.slack.socket_disconnect("refresh_requested")
    await world.slack.wait_for_socket(opened=2)
    assert world.slack.count("apps.connections.open", ok=True) == 2
    _, replies = await socket_mode.command(world.alice, "help")
    assert "/scnet create" in replies[-1].all_text()


async def test_stop_closes_the_socket_and_the_handler_returns(
    world: SlackWorld, socket_mode: SocketModeApp
) -> None:
    await socket_mode.shut_down()
    assert socket_mode.serving.result() is None
    await world.slack.socket_mode.wait_closed()
    # Closed for good: the client did not reconnect.
    assert world.slack.count("apps.connections.open") == 1
    assert world.slack.socket_mode.live == 0
