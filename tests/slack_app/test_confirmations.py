"""Stop and delete are confirmed once, wherever they start: the card's buttons carry Slack's
confirm dialog and act as soon as Slack delivers the press (the user has confirmed by then);
a typed ``stop``/``delete`` asks with a message whose button then acts."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from bot.slack.blocks import ids
from tests.fake_slack import Message
from tests.slack_app.conftest import SlackWorld

AI = "/ai/openapi/v2/instance-service"
STOP = ("POST", f"{AI}/task/actions/stop")
DELETE = ("DELETE", f"{AI}/task")


def buttons(message: Message) -> Iterator[dict[str, Any]]:
    for block in message.blocks or []:
        for element in block.get("elements", []) if block.get("type") == "actions" else []:
            if element.get("type") == "button":
                yield element
        accessory = block.get("accessory")
        if isinstance(accessory, dict) and accessory.get("type") == "button":
            yield accessory


def asks_to_confirm(message: Message) -> bool:
    """Whether ``message`` asks for a confirmation of its own, in its text or a button."""
    confirming = {ids.CONFIRM_STOP, ids.CONFIRM_DELETE}
    return any(b.get("action_id") in confirming or "confirm" in b for b in buttons(message))


async def press(world: SlackWorld, action_id: str, message: Message) -> Message:
    """Press ``action_id`` on ``message`` and return the one reply it gets."""
    before = len(world.slack.response_posts())
    answer = await world.send(world.slack.block_action(world.alice.id, action_id, message=message))
    assert answer.status == 200
    await world.slack.wait_for("response_url", count=before + 1)
    await world.command(world.alice, "help")  # anything more the press caused has landed now
    posts = world.slack.response_posts()[before:-1]
    assert len(posts) == 1, posts
    return world.replies_to(world.alice)[-2]


@pytest.mark.parametrize(
    ("status", "action_id", "request_line", "after"),
    [
        ("Running", ids.STOP, STOP, "Terminated"),
        ("Failed", ids.DELETE, DELETE, None),
    ],
)
async def test_a_card_button_acts_at_once_after_its_confirm_dialog(
    world: SlackWorld,
    status: str,
    action_id: str,
    request_line: tuple[str, str],
    after: str | None,
) -> None:
    await world.log_in(world.alice)
    await world.command(world.alice, "create jupyter:4.4-py3.7-cpu name=card1")
    (instance,) = world.scnet.sim.instances.values()
    world.scnet.sim.set_status(instance.id, status)
    card = (await world.command(world.alice, "status card1"))[-1]
    (button,) = [b for b in buttons(card) if b["action_id"] == action_id]
    assert "confirm" in button  # Slack asks before it sends the press

    reply = await press(world, action_id, card)

    assert world.scnet.sim.requests.count(*request_line) == 1
    if after is None:
        assert instance.id not in world.scnet.sim.instances
    else:
        assert world.scnet.sim.instance(instance.id).status == after
    assert not asks_to_confirm(reply)
    assert "card1" in reply.all_text()


@pytest.mark.parametrize(
    ("status", "verb", "request_line", "confirm_id"),
    [
        ("Running", "stop", STOP, ids.CONFIRM_STOP),
        ("Failed", "delete", DELETE, ids.CONFIRM_DELETE),
    ],
)
async def test_a_typed_command_asks_once_and_its_button_acts(
    world: SlackWorld, status: str, verb: str, request_line: tuple[str, str], confirm_id: str
) -> None:
    await world.log_in(world.alice)
    await world.command(world.alice, "create jupyter:4.4-py3.7-cpu name=typed1")
    (instance,) = world.scnet.sim.instances.values()
    world.scnet.sim.set_status(instance.id, status)

    question = (await world.command(world.alice, f"{verb} typed1"))[-1]
    assert world.scnet.sim.requests.count(*request_line) == 0  # nothing happened yet
    (button,) = [b for b in buttons(question) if b["action_id"] == confirm_id]
    assert "confirm" not in button  # the message is the question: no dialog on top of it

    reply = await press(world, confirm_id, question)

    assert world.scnet.sim.requests.count(*request_line) == 1
    assert not asks_to_confirm(reply)
    assert "typed1" in reply.all_text()
