"""Checks every built message or view against Slack's limits and its own schema.

The numbers here are written out again on purpose rather than read from ``limits``, so a wrong
constant there fails a test instead of hiding.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from slack_sdk.models.blocks import Block as SdkBlock
from slack_sdk.models.views import View as SdkView

from bot.domain.i18n import CATALOG

TEXT_LIMITS = {"section": 3000, "header": 150}


def walk(node: object) -> Iterator[Mapping[str, Any]]:
    if isinstance(node, Mapping):
        yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from walk(item)


def texts(node: object) -> list[str]:
    return [
        item["text"]
        for item in walk(node)
        if item.get("type") in {"plain_text", "mrkdwn"} and isinstance(item.get("text"), str)
    ]


def buttons(node: object) -> list[Mapping[str, Any]]:
    return [item for item in walk(node) if item.get("type") == "button"]


def action_ids(node: object) -> list[str]:
    return [button["action_id"] for button in buttons(node)]


def check_element(element: Mapping[str, Any]) -> None:
    kind = element.get("type")
    if kind == "button":
        assert len(element["text"]["text"]) <= 75
        assert len(element.get("value", "")) <= 255
        assert len(element.get("url", "")) <= 3000
    if "options" in element and kind != "mrkdwn":
        assert len(element["options"]) <= 100
        for option in element["options"]:
            assert len(option["text"]["text"]) <= 75
            assert len(option["value"]) <= 150
    if "option_groups" in element:
        assert len(element["option_groups"]) <= 100
        for group in element["option_groups"]:
            assert len(group["label"]["text"]) <= 75
    if kind == "button" and "confirm" in element:
        confirm = element["confirm"]
        assert len(confirm["title"]["text"]) <= 100
        assert len(confirm["text"]["text"]) <= 300


def check_block(block: Mapping[str, Any]) -> None:
    kind = block["type"]
    # Slack refuses a block whose elements share an action id.
    own_ids = [
        element["action_id"] for element in block.get("elements", []) if "action_id" in element
    ]
    assert len(own_ids) == len(set(own_ids)), own_ids
    if kind in TEXT_LIMITS and "text" in block:
        assert 0 < len(block["text"]["text"]) <= TEXT_LIMITS[kind]
    if "fields" in block:
        assert len(block["fields"]) <= 10
        assert all(0 < len(field["text"]) <= 2000 for field in block["fields"])
    if kind == "context":
        assert len(block["elements"]) <= 10
    if kind == "actions":
        assert len(block["elements"]) <= 25
    for item in walk(block):
        check_element(item)
    parsed = SdkBlock.parse(dict(block))
    assert parsed is not None
    parsed.validate_json()
    # slack_sdk knows every field we wrote: a misspelt key would be dropped here.
    assert parsed.to_dict() == block


def check_no_raw_keys(node: object) -> None:
    """A text that shows a catalog key means a missing or misspelt entry."""
    for text in texts(node):
        for key in CATALOG:
            assert key not in text, f"{key!r} shown raw in {text!r}"


def check_unique_block_ids(blocks: Sequence[Mapping[str, Any]]) -> None:
    block_ids = [block["block_id"] for block in blocks if "block_id" in block]
    assert len(block_ids) == len(set(block_ids)), block_ids


def check_message(blocks: Sequence[Mapping[str, Any]]) -> None:
    assert 0 < len(blocks) <= 50
    check_unique_block_ids(blocks)
    for block in blocks:
        check_block(block)
    check_no_raw_keys(list(blocks))


def check_view(view: Mapping[str, Any]) -> None:
    assert 0 < len(view["blocks"]) <= 100
    check_unique_block_ids(view["blocks"])
    for block in view["blocks"]:
        check_block(block)
    check_no_raw_keys(view)
    sdk_view = SdkView(**view)
    sdk_view.validate_json()
    assert sdk_view.to_dict() == view
