"""The Cancel button as the console presses it: through ``Conversation.action``, the same
dispatch the console's numbered buttons use (Slack's press has a handler of its own)."""

from __future__ import annotations

from bot.domain.identity import SlackUser
from bot.slack.blocks import ids
from bot.slack.replies import Invocation
from tests.queue.conftest import QueueEnv


async def test_the_console_cancels_its_own_request_and_nothing_of_another_workspace(
    env: QueueEnv,
) -> None:
    await env.limit(instances=1)
    await env.create(env.alice, "held")
    queued = await env.enqueue(env.bob, "console-made")
    value = str(queued.request.id)
    conversation = env.runtime.conversation

    stranger = Invocation(user=SlackUser("T0ELSEWHERE", env.bob.user_id), locale="en")
    assert await conversation.action(stranger, ids.QUEUE_CANCEL, value) == []
    assert (await env.request(queued.request.id)).state == "queued"

    other = await conversation.action(
        Invocation(user=env.alice, locale="en"), ids.QUEUE_CANCEL, value
    )
    assert "Only the member" in other[0].text
    mine = await conversation.action(Invocation(user=env.bob, locale="en"), ids.QUEUE_CANCEL, value)
    assert "console-made" in mine[0].text
    assert (await env.request(queued.request.id)).state == "cancelled"
