"""Block Kit checks the fake runs where Slack's are cheap to mirror.

Each problem is reported the way Slack words it in ``response_metadata.messages``: a reason
and a JSON pointer, e.g. ``"[ERROR] must be less than 3001 characters
[json-pointer:/blocks/0/text/text]"``. The limits are Slack's published ones (Block Kit
reference, 2025) written out independently of ``bot/slack/blocks/limits.py``, so a wrong limit
there is not mirrored here.

What is checked: block counts (50 per message, 100 per modal or Home tab), known block and
element types, text objects (type, non-empty, lengths), section text/fields, header, context,
actions, input, buttons, selects and their options, confirm dialogs, ``number_input``'s
required ``is_decimal_allowed``, block_id uniqueness and length, action_id length and
uniqueness within a block, and for views the title/submit/close, callback_id,
private_metadata, and "a modal with input blocks needs submit".
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Final, Literal

Surface = Literal["message", "modal", "home"]

MAX_BLOCKS: Final[Mapping[Surface, int]] = {"message": 50, "modal": 100, "home": 100}
MAX_VIEW_BYTES: Final = 250_000

_BLOCK_TYPES: Final = frozenset(
    {
        "actions",
        "context",
        "divider",
        "file",
        "header",
        "image",
        "input",
        "markdown",
        "rich_text",
        "section",
        "video",
    }
)
_SELECTS: Final = frozenset(
    {
        "static_select",
        "multi_static_select",
        "external_select",
        "multi_external_select",
        "users_select",
        "multi_users_select",
        "conversations_select",
        "multi_conversations_select",
        "channels_select",
        "multi_channels_select",
    }
)
_ELEMENT_TYPES: Final = _SELECTS | frozenset(
    {
        "button",
        "checkboxes",
        "datepicker",
        "datetimepicker",
        "email_text_input",
        "file_input",
        "image",
        "number_input",
        "overflow",
        "plain_text_input",
        "radio_buttons",
        "rich_text_input",
        "timepicker",
        "url_text_input",
        "workflow_button",
    }
)


def _err(reason: str, pointer: str) -> str:
    return f"[ERROR] {reason} [json-pointer:{pointer}]"


def _too_long(limit: int, pointer: str) -> str:
    return _err(f"must be less than {limit + 1} characters", pointer)


def _too_many(limit: int, pointer: str) -> str:
    return _err(f"no more than {limit} items allowed", pointer)


def _missing(name: str, pointer: str) -> str:
    return _err(f"missing required field: {name}", pointer)


def check_text(
    obj: object,
    pointer: str,
    limit: int,
    *,
    plain_only: bool = False,
) -> Iterator[str]:
    if not isinstance(obj, Mapping):
        yield _err("must be an object", pointer)
        return
    kind = obj.get("type")
    allowed = ("plain_text",) if plain_only else ("plain_text", "mrkdwn")
    if kind not in allowed:
        yield _err(f"must be one of: {', '.join(allowed)}", f"{pointer}/type")
    text = obj.get("text")
    if not isinstance(text, str):
        yield _missing("text", pointer)
    elif not text:
        yield _err("must be more than 0 characters", f"{pointer}/text")
    elif len(text) > limit:
        yield _too_long(limit, f"{pointer}/text")


def _check_str(obj: Mapping[str, Any], key: str, limit: int, pointer: str) -> Iterator[str]:
    value = obj.get(key)
    if value is None:
        return
    if not isinstance(value, str):
        yield _err("must be a string", f"{pointer}/{key}")
    elif len(value) > limit:
        yield _too_long(limit, f"{pointer}/{key}")


def _check_option(option: object, pointer: str) -> Iterator[str]:
    if not isinstance(option, Mapping):
        yield _err("must be an object", pointer)
        return
    yield from check_text(option.get("text"), f"{pointer}/text", 75)
    value = option.get("value")
    if not isinstance(value, str):
        yield _missing("value", pointer)
    elif len(value) > 150:
        yield _too_long(150, f"{pointer}/value")
    if option.get("description") is not None:
        yield from check_text(option["description"], f"{pointer}/description", 75)


def _check_options(element: Mapping[str, Any], pointer: str, limit: int) -> Iterator[str]:
    options = element.get("options")
    groups = element.get("option_groups")
    if options is not None:
        if not isinstance(options, list):
            yield _err("must be an array", f"{pointer}/options")
            return
        if len(options) > limit:
            yield _too_many(limit, f"{pointer}/options")
        for i, option in enumerate(options):
            yield from _check_option(option, f"{pointer}/options/{i}")
    if groups is not None:
        if not isinstance(groups, list):
            yield _err("must be an array", f"{pointer}/option_groups")
            return
        if len(groups) > 100:
            yield _too_many(100, f"{pointer}/option_groups")
        for i, group in enumerate(groups):
            if not isinstance(group, Mapping):
                yield _err("must be an object", f"{pointer}/option_groups/{i}")
                continue
            yield from check_text(
                group.get("label"), f"{pointer}/option_groups/{i}/label", 75, plain_only=True
            )
            group_options = group.get("options")
            if not isinstance(group_options, list):
                yield _missing("options", f"{pointer}/option_groups/{i}")
                continue
            if len(group_options) > 100:
                yield _too_many(100, f"{pointer}/option_groups/{i}/options")
            for j, option in enumerate(group_options):
                yield from _check_option(option, f"{pointer}/option_groups/{i}/options/{j}")


def _check_confirm(confirm: object, pointer: str) -> Iterator[str]:
    if not isinstance(confirm, Mapping):
        yield _err("must be an object", pointer)
        return
    yield from check_text(confirm.get("title"), f"{pointer}/title", 100, plain_only=True)
    yield from check_text(confirm.get("text"), f"{pointer}/text", 300)
    yield from check_text(confirm.get("confirm"), f"{pointer}/confirm", 30, plain_only=True)
    yield from check_text(confirm.get("deny"), f"{pointer}/deny", 30, plain_only=True)


def check_element(element: object, pointer: str) -> Iterator[str]:
    if not isinstance(element, Mapping):
        yield _err("must be an object", pointer)
        return
    kind = element.get("type")
    if kind not in _ELEMENT_TYPES:
        yield _err("failed to match all allowed schemas", pointer)
        return
    yield from _check_str(element, "action_id", 255, pointer)
    if element.get("confirm") is not None:
        yield from _check_confirm(element["confirm"], f"{pointer}/confirm")
    if element.get("placeholder") is not None:
        yield from check_text(
            element["placeholder"], f"{pointer}/placeholder", 150, plain_only=True
        )
    if kind == "button":
        yield from check_text(element.get("text"), f"{pointer}/text", 75, plain_only=True)
        yield from _check_str(element, "value", 2000, pointer)
        yield from _check_str(element, "url", 3000, pointer)
        style = element.get("style")
        if style is not None and style not in ("primary", "danger"):
            yield _err("must be one of: primary, danger", f"{pointer}/style")
    elif kind in ("static_select", "multi_static_select"):
        if element.get("options") is None and element.get("option_groups") is None:
            yield _missing("options", pointer)
        yield from _check_options(element, pointer, 100)
    elif kind in ("radio_buttons", "checkboxes"):
        if element.get("options") is None:
            yield _missing("options", pointer)
        yield from _check_options(element, pointer, 10)
    elif kind == "overflow":
        if element.get("options") is None:
            yield _missing("options", pointer)
        yield from _check_options(element, pointer, 5)
    elif kind == "plain_text_input":
        yield from _check_str(element, "initial_value", 3000, pointer)
        max_length = element.get("max_length")
        if isinstance(max_length, int) and max_length > 3000:
            yield _err("must be less than 3001", f"{pointer}/max_length")
    elif kind == "number_input" and not isinstance(element.get("is_decimal_allowed"), bool):
        yield _missing("is_decimal_allowed", pointer)


def _check_block(block: Mapping[str, Any], pointer: str) -> Iterator[str]:
    kind = block.get("type")
    if kind == "section":
        if block.get("text") is None and block.get("fields") is None:
            yield _err("must provide either text or fields", pointer)
        if block.get("text") is not None:
            yield from check_text(block["text"], f"{pointer}/text", 3000)
        fields = block.get("fields")
        if fields is not None:
            if not isinstance(fields, list):
                yield _err("must be an array", f"{pointer}/fields")
            else:
                if len(fields) > 10:
                    yield _too_many(10, f"{pointer}/fields")
                for i, item in enumerate(fields):
                    yield from check_text(item, f"{pointer}/fields/{i}", 2000)
        if block.get("accessory") is not None:
            yield from check_element(block["accessory"], f"{pointer}/accessory")
    elif kind == "header":
        yield from check_text(block.get("text"), f"{pointer}/text", 150, plain_only=True)
    elif kind == "context":
        elements = block.get("elements")
        if not isinstance(elements, list) or not elements:
            yield _missing("elements", pointer)
            return
        if len(elements) > 10:
            yield _too_many(10, f"{pointer}/elements")
        for i, item in enumerate(elements):
            if isinstance(item, Mapping) and item.get("type") == "image":
                continue
            yield from check_text(item, f"{pointer}/elements/{i}", 3000)
    elif kind == "actions":
        elements = block.get("elements")
        if not isinstance(elements, list) or not elements:
            yield _missing("elements", pointer)
            return
        if len(elements) > 25:
            yield _too_many(25, f"{pointer}/elements")
        yield from _unique_action_ids(elements, f"{pointer}/elements")
        for i, item in enumerate(elements):
            yield from check_element(item, f"{pointer}/elements/{i}")
    elif kind == "input":
        yield from check_text(block.get("label"), f"{pointer}/label", 2000, plain_only=True)
        if block.get("hint") is not None:
            yield from check_text(block["hint"], f"{pointer}/hint", 2000, plain_only=True)
        if block.get("element") is None:
            yield _missing("element", pointer)
        else:
            yield from check_element(block["element"], f"{pointer}/element")


def _unique_action_ids(elements: list[Any], pointer: str) -> Iterator[str]:
    seen: set[str] = set()
    for i, item in enumerate(elements):
        action_id = item.get("action_id") if isinstance(item, Mapping) else None
        if isinstance(action_id, str):
            if action_id in seen:
                yield _err("action_id must be unique within a block", f"{pointer}/{i}/action_id")
            seen.add(action_id)


def check_blocks(blocks: object, surface: Surface, pointer: str = "/blocks") -> list[str]:
    """Every problem Slack would report for ``blocks`` on ``surface``; empty when valid."""
    if not isinstance(blocks, list):
        return [_err("must be an array", pointer)]
    problems: list[str] = []
    limit = MAX_BLOCKS[surface]
    if len(blocks) > limit:
        problems.append(_too_many(limit, pointer))
    seen_ids: set[str] = set()
    for i, block in enumerate(blocks):
        at = f"{pointer}/{i}"
        if not isinstance(block, Mapping) or block.get("type") not in _BLOCK_TYPES:
            problems.append(_err("failed to match all allowed schemas", at))
            continue
        block_id = block.get("block_id")
        if block_id is not None:
            if not isinstance(block_id, str) or len(block_id) > 255:
                problems.append(_too_long(255, f"{at}/block_id"))
            elif block_id in seen_ids:
                problems.append(_err("block_id must be unique", f"{at}/block_id"))
            else:
                seen_ids.add(block_id)
        problems.extend(_check_block(block, at))
    return problems


def check_view(view: Mapping[str, Any], pointer: str = "/view") -> list[str]:
    """Problems with a ``modal`` or ``home`` view, blocks included."""
    problems: list[str] = []
    kind = view.get("type")
    if kind not in ("modal", "home"):
        return [_err("must be one of: modal, home", f"{pointer}/type")]
    if kind == "modal":
        if view.get("title") is None:
            problems.append(_missing("title", pointer))
        else:
            problems.extend(check_text(view["title"], f"{pointer}/title", 24, plain_only=True))
        for key in ("submit", "close"):
            if view.get(key) is not None:
                problems.extend(check_text(view[key], f"{pointer}/{key}", 24, plain_only=True))
        blocks = view.get("blocks")
        has_input = isinstance(blocks, list) and any(
            isinstance(block, Mapping) and block.get("type") == "input" for block in blocks
        )
        if has_input and view.get("submit") is None:
            problems.append(_err("submit is required when an input block is present", pointer))
    problems.extend(_check_str(view, "private_metadata", 3000, pointer))
    problems.extend(_check_str(view, "callback_id", 255, pointer))
    problems.extend(_check_str(view, "external_id", 255, pointer))
    if view.get("blocks") is None:
        problems.append(_missing("blocks", pointer))
    else:
        problems.extend(check_blocks(view["blocks"], kind, f"{pointer}/blocks"))
    return problems
