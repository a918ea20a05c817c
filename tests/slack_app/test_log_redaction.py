"""What libraries log about Slack's requests passes the same redaction as the bot's own lines."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.commands.model import InstanceRef
from bot.logs import configure_logging
from bot.slack.blocks.watch_notices import build_ready_dm
from bot.store.identity import SlackUser
from tests.slack_app.conftest import SlackWorld


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    """The process's logging as ``scnet-bot run`` configures it, written to a buffer."""
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    buffer = io.StringIO()
    configure_logging("INFO", stream=buffer)
    try:
        yield buffer
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)


async def test_a_badly_signed_button_press_logs_no_part_of_the_access_url(
    log_lines: io.StringIO, world: SlackWorld
) -> None:
    # log_lines comes first: Bolt copies the root level into its loggers when the app is built.
    await world.log_in(world.alice)
    await world.command(world.alice, "create jupyter:4.4-py3.7-cpu name=nb")
    (instance,) = world.scnet.sim.instances.values()
    world.scnet.sim.set_status(instance.id, "Running")
    user = SlackUser(world.slack.team.id, world.alice.id)
    found, url = await world.runtime.instances.access_url(user, InstanceRef("id", instance.id))
    # The ready DM, as the watcher posts it: a message (not ephemeral), so a button press on
    # it carries the whole message, access link included, back in the request body.
    blocks = build_ready_dm(found, url=url, problem=None, locale="en", command="/scnet")
    client = AsyncWebClient(token=world.slack.bot_token, base_url=world.slack.api_url)
    await client.chat_postMessage(channel=world.alice.id, text="ready", blocks=blocks)
    (dm,) = [m for m in world.replies_to(world.alice) if not m.ephemeral]
    key = instance.access_hex
    assert key in dm.all_text()
    press = world.slack.block_action(world.alice.id, "instance.stop", message=dm)
    assert key.encode() in press.body
    headers = press.headers("a-rotated-signing-secret")
    async with world.http.post(world.events_url, data=press.body, headers=headers) as answer:
        assert answer.status == 401
    logged = log_lines.getvalue()
    assert "Invalid request signature" in logged  # the line is there, and readable
    assert key not in logged
