"""Every example in the README's "Using it" block and in ``/scnet help`` works as written in
the demo: each is typed by Alice (an admin, logged in) in ``#general`` of the playground, and
none may be refused: answered with the bot's error tone (:x:), a usage error (:warning: and the
usage line in a context block) or "not logged in". A :warning: with buttons is a confirmation
(stop, delete): its confirming button is pressed, as a newcomer would, and what that answers
may not be a refusal either.

The create examples run first, as a newcomer starts: they make the ``nb`` and ``train`` that
the others name, and the rest waits until both run. Examples that change what later ones need
run last, in the order a newcomer meets them (stop, then restart of the stopped instance,
delete, logout); ``lang`` is set back to English after each, and a modal an example opens is
closed again.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from bot.playground.page import Playground
from bot.slack.blocks import ids

README = Path(__file__).resolve().parents[2] / "README.md"


def refusal(reply: dict[str, Any]) -> str | None:
    """The reply's first line if it refuses what was typed, else None."""
    blocks = reply.get("blocks") or []
    first = _all_text(blocks[0] if blocks else reply.get("text")).strip()
    kinds = {block.get("type") for block in blocks}
    usage_error = first.startswith(":warning:") and "context" in kinds and "actions" not in kinds
    if first.startswith(":x:") or usage_error or "not logged in" in first:
        return first.splitlines()[0][:160]
    return None


FIRST = ("create",)
LAST = ("stop", "restart", "delete", "logout")
CONFIRMING = (ids.CONFIRM_STOP, ids.CONFIRM_DELETE)


def readme_examples(command: str = "/scnet") -> list[str]:
    """The ``/scnet …`` lines of the README's "Using it" block, alternatives spelled out:
    ``list | status nb`` is two examples, ``restart|stop|delete nb`` three, ``[off]`` both
    with and without."""
    text = README.read_text(encoding="utf-8")
    block = text.split("## Using it", 1)[1].split("```", 2)[1]
    examples: list[str] = []
    for line in block.splitlines():
        if not line.startswith(command + " "):
            continue
        usage = re.split(r"\s{2,}", line.strip())[0]
        for part in usage.split(" | "):
            examples += _spelled_out(part if part.startswith(command) else f"{command} {part}")
    return examples


def _spelled_out(example: str) -> list[str]:
    optional = re.search(r"\s*\[([^\]]+)\]", example)
    if optional:
        without = example[: optional.start()] + example[optional.end() :]
        with_it = example[: optional.start()] + " " + optional.group(1) + example[optional.end() :]
        return _spelled_out(without) + _spelled_out(with_it)
    words = example.split()
    for i, word in enumerate(words):
        if "|" in word:
            return [
                x
                for choice in word.split("|")
                for x in _spelled_out(" ".join([*words[:i], choice, *words[i + 1 :]]))
            ]
    return [example]


def commands_in(message: dict[str, Any], command: str) -> list[str]:
    """The ``/scnet …`` code spans of a reply."""
    found = re.findall(r"`([^`\n]+)`", _all_text(message))
    return [span.strip() for span in found if span.startswith(command + " ") or span == command]


def examples_in(message: dict[str, Any], command: str) -> list[str]:
    """Its commands that are examples, not usage lines (with ``<…>``, ``[…]`` or ``a|b``)."""
    return [s for s in commands_in(message, command) if not re.search(r"&lt;|<|\[|\||…", s)]


def _all_text(node: Any) -> str:
    """The visible text of blocks (or a plain text), one piece per line, in order."""
    if isinstance(node, dict):
        return "\n".join(
            value if key == "text" and isinstance(value, str) else _all_text(value)
            for key, value in node.items()
            if isinstance(value, (dict, list)) or key == "text"
        )
    if isinstance(node, list):
        return "\n".join(_all_text(item) for item in node)
    return node if isinstance(node, str) else ""


async def _say(playground: Playground, text: str) -> list[dict[str, Any]]:
    """Type ``text`` as Alice in #general; the bot's replies to it (modals: closed again)."""
    world, relay = playground.world, playground.relay
    alice = world.users[0].slack.id
    channel = world.channel.id
    before = len(relay.visible_to(alice, channel))
    changes = world.slack.changes
    await relay.command(alice, channel, text.removeprefix(world.command).strip())
    for _ in range(100):
        replies = [
            m for m in relay.visible_to(alice, channel)[before:] if m.get("author") != "command"
        ]
        modal = relay.state(alice)["modal"]
        if replies or modal is not None:
            if modal is not None:
                await relay.close(alice, modal["id"])
            return replies
        changes = await world.slack.wait_for_change(changes, 5.0)
    raise AssertionError(f"no answer to {text!r}")


async def _confirm(playground: Playground, reply: dict[str, Any]) -> list[dict[str, Any]]:
    """Press the confirming button of a stop/delete confirmation; the bot's answers to it (none
    when ``reply`` is no confirmation)."""
    world, relay = playground.world, playground.relay
    alice = world.users[0].slack.id
    channel = world.channel.id
    for block in reply.get("blocks") or []:
        for element in block.get("elements") or []:
            if element.get("action_id") not in CONFIRMING:
                continue
            before = len(relay.visible_to(alice, channel))
            changes = world.slack.changes
            await relay.action(
                alice,
                action_id=element["action_id"],
                block_id=block.get("block_id"),
                channel_id=channel,
                ts=reply["ts"],
            )
            for _ in range(100):
                answers = relay.visible_to(alice, channel)[before:]
                if answers:
                    return answers
                changes = await world.slack.wait_for_change(changes, 5.0)
            raise AssertionError(f"no answer to {element['action_id']}")
    return []


async def _prepare(playground: Playground) -> None:
    world = playground.world
    alice = world.users[0]
    await _say(playground, f"/scnet login {alice.token}")


async def _until_all_run(playground: Playground) -> None:
    """Wait for each instance's link DM and channel notice: then every one is running."""
    world = playground.world
    count = len(world.simulator.instances)
    await world.slack.wait_for("chat.postMessage", 2 * count, timeout=60)


async def _try(playground: Playground, example: str) -> list[str]:
    """Type ``example`` (confirming it, if asked); what refused it, if anything did."""
    replies = await _say(playground, example)
    why = refusal(replies[0]) if replies else None  # no reply: a modal opened
    if why is None and replies:
        confirmed = await _confirm(playground, replies[0])
        why = refusal(confirmed[0]) if confirmed else None
    if example.split()[1] == "lang":
        await _say(playground, f"{playground.world.command} lang en")
    return [] if why is None else [f"{example}  →  {why}"]


async def test_every_readme_and_help_example_works_in_the_demo(playground: Playground) -> None:
    command = playground.world.command
    await _prepare(playground)
    examples = readme_examples(command)
    overview = await _say(playground, f"{command} help")
    spans = [span for reply in overview for span in commands_in(reply, command)]
    topics = sorted({span.split()[1] for span in spans if len(span.split()) > 1} - {"help"})
    for reply in overview:
        examples += examples_in(reply, command)
    for topic in topics:
        for reply in await _say(playground, f"{command} help {topic}"):
            examples += examples_in(reply, command)
    unique = list(dict.fromkeys(examples))
    first = [e for name in FIRST for e in unique if e.split()[1] == name]
    middle = [e for e in unique if e.split()[1] not in FIRST + LAST]
    last = [e for name in LAST for e in unique if e.split()[1] == name]
    refused: list[str] = []
    for example in first:
        refused += await _try(playground, example)
    await _until_all_run(playground)
    for example in [*middle, *last]:
        refused += await _try(playground, example)
    assert len(unique) > 20, unique
    assert not refused, "refused in the demo:\n" + "\n".join(refused)
