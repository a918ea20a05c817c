"""Block Kit building blocks as plain dicts; every text passes through ``limits`` here."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal, TypeAlias

from bot.domain.commands import IntRange

from . import limits
from .ids import INPUT

Block: TypeAlias = dict[str, Any]
Element: TypeAlias = dict[str, Any]
ButtonStyle = Literal["primary", "danger"]

# Slack refuses an empty text object; this stands in for text that came out empty.
_EMPTY = "-"


def plain(text: str, limit: int) -> Element:
    return {"type": "plain_text", "text": limits.clip(text or _EMPTY, limit), "emoji": True}


def mrkdwn(text: str, limit: int = limits.SECTION_TEXT) -> Element:
    return {"type": "mrkdwn", "text": limits.clip_mrkdwn(text or _EMPTY, limit)}


def header(text: str) -> Block:
    return {"type": "header", "text": plain(text, limits.HEADER_TEXT)}


def section(text: str, *, accessory: Element | None = None, block_id: str | None = None) -> Block:
    block: Block = {"type": "section", "text": mrkdwn(text)}
    if accessory is not None:
        block["accessory"] = accessory
    if block_id is not None:
        block["block_id"] = limits.checked(block_id, limits.BLOCK_ID, "block_id")
    return block


def fields_section(fields: Sequence[str], *, text: str | None = None) -> Block:
    block: Block = {
        "type": "section",
        "fields": [
            mrkdwn(field, limits.FIELD_TEXT)
            for field in limits.capped(fields, limits.SECTION_FIELDS)
        ],
    }
    if text is not None:
        block["text"] = mrkdwn(text)
    return block


def field(label: str, value: str) -> str:
    """A section field's text: a bold label over its value (the value is already mrkdwn)."""
    return f"*{label}*\n{value}"


def context(*texts: str) -> Block:
    return {
        "type": "context",
        "elements": [
            mrkdwn(text, limits.CONTEXT_TEXT)
            for text in limits.capped(texts, limits.CONTEXT_ELEMENTS)
        ],
    }


def divider() -> Block:
    return {"type": "divider"}


def actions(elements: Sequence[Element], *, block_id: str | None = None) -> Block:
    block: Block = {"type": "actions", "elements": limits.capped(elements, limits.ACTIONS_ELEMENTS)}
    if block_id is not None:
        block["block_id"] = limits.checked(block_id, limits.BLOCK_ID, "block_id")
    return block


def button(
    text: str,
    action_id: str,
    *,
    value: str | None = None,
    style: ButtonStyle | None = None,
    url: str | None = None,
    confirm: Element | None = None,
) -> Element:
    element: Element = {
        "type": "button",
        "text": plain(text, limits.BUTTON_TEXT),
        "action_id": limits.checked(action_id, limits.ACTION_ID, "action_id"),
    }
    if value is not None:
        element["value"] = limits.checked(value, limits.ACTION_VALUE, "button value")
    if style is not None:
        element["style"] = style
    if url is not None:
        element["url"] = limits.checked(url, limits.BUTTON_URL, "button url")
    if confirm is not None:
        element["confirm"] = confirm
    return element


def confirm_dialog(*, title: str, text: str, confirm: str, deny: str) -> Element:
    return {
        "title": plain(title, limits.CONFIRM_TITLE),
        "text": mrkdwn(text, limits.CONFIRM_TEXT),
        "confirm": plain(confirm, limits.CONFIRM_BUTTON),
        "deny": plain(deny, limits.CONFIRM_BUTTON),
        "style": "danger",
    }


def option(text: str, value: str) -> Element:
    return {
        "text": plain(text, limits.OPTION_TEXT),
        "value": limits.checked(value, limits.OPTION_VALUE, "option value"),
    }


def option_group(label: str, options: Sequence[Element]) -> Element:
    return {
        "label": plain(label, limits.GROUP_LABEL),
        "options": limits.capped(options, limits.SELECT_OPTIONS),
    }


def static_select(
    *,
    placeholder: str,
    options: Sequence[Element] = (),
    option_groups: Sequence[Element] = (),
    initial: Element | None = None,
) -> Element:
    """A select of ``options``, or of ``option_groups`` when those are given."""
    element: Element = {
        "type": "static_select",
        "action_id": INPUT,
        "placeholder": plain(placeholder, limits.PLACEHOLDER_TEXT),
    }
    if option_groups:
        element["option_groups"] = limits.capped(option_groups, limits.OPTION_GROUPS)
    else:
        element["options"] = limits.capped(options, limits.SELECT_OPTIONS)
    if initial is not None:
        element["initial_option"] = initial
    return element


def text_input(
    *,
    initial: str | None = None,
    placeholder: str | None = None,
    multiline: bool = False,
    max_length: int = limits.TEXT_INPUT_CHARS,
) -> Element:
    element: Element = {
        "type": "plain_text_input",
        "action_id": INPUT,
        "multiline": multiline,
        "max_length": min(max_length, limits.TEXT_INPUT_CHARS),
    }
    if initial:
        element["initial_value"] = initial[: element["max_length"]]
    if placeholder:
        element["placeholder"] = plain(placeholder, limits.PLACEHOLDER_TEXT)
    return element


def checkbox(text: str, value: str, *, checked: bool) -> Element:
    """A single checkbox; its state comes back as ``selected_options``."""
    choice = option(text, value)
    element: Element = {"type": "checkboxes", "action_id": INPUT, "options": [choice]}
    if checked:
        element["initial_options"] = [choice]
    return element


def number_input(*, initial: int | None, bounds: IntRange) -> Element:
    element: Element = {
        "type": "number_input",
        "action_id": INPUT,
        "is_decimal_allowed": False,
        "min_value": str(bounds.low),
        "max_value": str(bounds.high),
    }
    if initial is not None:
        element["initial_value"] = str(initial)
    return element


def input_block(
    block_id: str,
    label: str,
    element: Element,
    *,
    optional: bool = False,
    hint: str | None = None,
) -> Block:
    block: Block = {
        "type": "input",
        "block_id": limits.checked(block_id, limits.BLOCK_ID, "block_id"),
        "label": plain(label, limits.INPUT_LABEL),
        "element": element,
        "optional": optional,
    }
    if hint:
        block["hint"] = plain(hint, limits.INPUT_HINT)
    return block


def modal(
    *,
    callback_id: str,
    title: str,
    blocks: Sequence[Block],
    submit: str | None,
    close: str,
    private_metadata: str = "",
) -> Block:
    view: Block = {
        "type": "modal",
        "callback_id": limits.checked(callback_id, limits.CALLBACK_ID, "callback_id"),
        "title": plain(title, limits.VIEW_TITLE),
        "close": plain(close, limits.VIEW_TITLE),
        "blocks": limits.view_blocks(blocks),
    }
    if private_metadata:
        view["private_metadata"] = limits.checked(
            private_metadata, limits.PRIVATE_METADATA, "private_metadata"
        )
    if submit is not None:
        view["submit"] = plain(submit, limits.VIEW_TITLE)
    return view


def home(blocks: Sequence[Block]) -> Block:
    return {"type": "home", "blocks": limits.view_blocks(blocks)}
