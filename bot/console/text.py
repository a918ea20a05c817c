"""Block Kit blocks and views as plain terminal text, for the console demo.

Renders whatever ``bot.slack.blocks`` builds: headers, sections (text, fields, accessory),
context, dividers, actions (``[Refresh] [Stop]``) and the input blocks of modals. Given a
``number`` function, each button shows the number that presses it (``[3 Stop]``). mrkdwn is
lightly converted: ``*bold*`` -> ``bold``, ``<url|label>`` -> ``label (url)``, dates to their
fallback text, entities back to ``& < >``, and the emoji the builders use to Unicode. A block of
an unknown type shows as ``[type]`` rather than failing.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from bot.domain.i18n import DEFAULT_LOCALE, Locale, translate

DIVIDER: Final = "─" * 40
EMOJI: Final[Mapping[str, str]] = {
    ":hourglass_flowing_sand:": "⏳",
    ":gear:": "⚙️",
    ":large_green_circle:": "🟢",
    ":white_check_mark:": "✅",
    ":red_circle:": "🔴",
    ":black_square_for_stop:": "⏹️",
    ":grey_question:": "❔",
    ":warning:": "⚠️",
    ":information_source:": "ℹ️",
    ":x:": "❌",
    ":rocket:": "🚀",
    ":lock:": "🔒",
    ":bust_in_silhouette:": "👤",
}

_DATE = re.compile(r"<!date\^[^|>]*\|([^>]*)>")
_USER = re.compile(r"<@([A-Z0-9]+)(?:\|([^>]*))?>")
_CHANNEL = re.compile(r"<#([A-Z0-9]+)(?:\|([^>]*))?>")
_SPECIAL = re.compile(r"<!(here|channel|everyone)>")
_LINK = re.compile(r"<([^<>|]+)\|([^<>]*)>")
_BARE_LINK = re.compile(r"<([^<>|]+)>")
_BOLD = re.compile(r"(?<![\w*])\*([^*\n]+)\*(?![\w*])")
_ITALIC = re.compile(r"(?<![\w_])_([^_\n]+)_(?![\w_])")
_STRIKE = re.compile(r"(?<![\w~])~([^~\n]+)~(?![\w~])")
_FIELD = re.compile(r"\A\*([^*\n]+)\*\n", re.DOTALL)
_EMOJI = re.compile(r":[a-z0-9_+\-]+:")

Json = Mapping[str, Any]
# The number that presses a button (the element as the blocks hold it), or None.
Numbering = Callable[[Json], int | None]


@dataclass(frozen=True, slots=True)
class Style:
    """How to render: the reader's language (for the words the console adds itself) and the
    numbering of pressable buttons."""

    locale: Locale = DEFAULT_LOCALE
    number: Numbering | None = None


PLAIN: Final = Style()


def display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal: wide (CJK, full-width) characters take two,
    combining marks and zero-width joiners none."""
    width = 0
    for char in text:
        if unicodedata.combining(char) or char in "\u200d\ufe0f":
            continue
        width += 2 if unicodedata.east_asian_width(char) in {"W", "F"} else 1
    return width


def mrkdwn_to_text(text: str) -> str:
    text = _DATE.sub(r"\1", text)
    text = _USER.sub(lambda m: "@" + (m[2] or m[1]), text)
    text = _CHANNEL.sub(lambda m: "#" + (m[2] or m[1]), text)
    text = _SPECIAL.sub(r"@\1", text)
    text = _LINK.sub(lambda m: f"{m[2]} ({m[1]})" if m[2] != m[1] else m[1], text)
    text = _BARE_LINK.sub(r"\1", text)
    for pattern in (_BOLD, _ITALIC, _STRIKE):
        text = pattern.sub(r"\1", text)
    text = _EMOJI.sub(lambda m: EMOJI.get(m[0], m[0]), text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def text_of(obj: object) -> str:
    """The readable text of a text object (plain_text or mrkdwn), or "" for anything else."""
    if not isinstance(obj, Mapping):
        return ""
    text = obj.get("text")
    if not isinstance(text, str):
        return ""
    if obj.get("type") == "mrkdwn":
        return mrkdwn_to_text(text)
    return _EMOJI.sub(lambda m: EMOJI.get(m[0], m[0]), text)


def field_text(obj: object) -> str:
    """A section field: ``*Label*\\nvalue`` reads as ``Label: value``."""
    if isinstance(obj, Mapping) and isinstance(obj.get("text"), str):
        raw = _FIELD.sub(r"\1: ", obj["text"])
        return text_of({**obj, "text": raw})
    return text_of(obj)


def element_text(element: object, style: Style = PLAIN) -> str:
    """A button, select or input as a bracketed control: ``[Stop]``, ``[gpu ▾]``, ``[____]``."""
    if not isinstance(element, Mapping):
        return "[?]"
    kind = element.get("type")
    if kind == "button":
        number = style.number(element) if style.number is not None else None
        label = text_of(element.get("text"))
        return f"[{number} {label}]" if number is not None else f"[{label}]"
    if kind in {"static_select", "external_select", "users_select", "overflow"}:
        return _select_text(element)
    if kind in {"checkboxes", "radio_buttons"}:
        return _choices_text(element)
    if kind in {"plain_text_input", "number_input"}:
        shown = element.get("initial_value") or text_of(element.get("placeholder"))
        return f"[{shown or '____'}]"
    return f"[{kind}]"


def _select_text(element: Json) -> str:
    options = list(_options(element))
    initial = element.get("initial_option")
    chosen = text_of(initial.get("text")) if isinstance(initial, Mapping) else ""
    shown = chosen or text_of(element.get("placeholder")) or "…"
    return f"[{shown} ▾] ({len(options)})" if options else f"[{shown} ▾]"


def _choices_text(element: Json) -> str:
    """Checkboxes as ``[x] label`` / ``[ ] label``, one after the other."""
    chosen = element.get("initial_options") or ()
    chosen_values = {item.get("value") for item in chosen if isinstance(item, Mapping)}
    parts = []
    for choice in _options(element):
        if isinstance(choice, Mapping):
            mark = "x" if choice.get("value") in chosen_values else " "
            parts.append(f"[{mark}] {text_of(choice.get('text'))}")
    return "  ".join(parts)


def _options(element: Json) -> Iterable[object]:
    yield from element.get("options") or ()
    for group in element.get("option_groups") or ():
        if isinstance(group, Mapping):
            yield from group.get("options") or ()


def _header(block: Json, _style: Style) -> list[str]:
    title = text_of(block.get("text"))
    return [title, "═" * max(4, display_width(title))]


def _section(block: Json, style: Style) -> list[str]:
    lines = text_of(block.get("text")).splitlines() if block.get("text") else []
    for field in block.get("fields") or ():
        lines.append("  " + field_text(field).replace("\n", " "))
    accessory = block.get("accessory")
    if accessory is not None:
        control = element_text(accessory, style)
        if lines:
            lines[0] = f"{lines[0]}  {control}"
        else:
            lines.append(control)
    return lines


def _context(block: Json, _style: Style) -> list[str]:
    parts = [text_of(element) for element in block.get("elements") or ()]
    return ["  " + "  ·  ".join(part for part in parts if part)]


def _actions(block: Json, style: Style) -> list[str]:
    return [" ".join(element_text(element, style) for element in block.get("elements") or ())]


def input_label(block: Json, locale: Locale) -> str:
    """An input block's label, marked optional as Slack marks it, in the reader's language."""
    label = text_of(block.get("label"))
    if block.get("optional"):
        return label + translate("console.optional", locale)
    return label


def _input(block: Json, style: Style) -> list[str]:
    lines = [f"{input_label(block, style.locale)}: {element_text(block.get('element'), style)}"]
    hint = text_of(block.get("hint"))
    if hint:
        lines.append(f"  {hint}")
    return lines


_RENDERERS: Final[Mapping[str, Callable[[Json, Style], list[str]]]] = {
    "header": _header,
    "section": _section,
    "context": _context,
    "divider": lambda _block, _style: [DIVIDER],
    "actions": _actions,
    "input": _input,
}


def render_block(block: object, style: Style = PLAIN) -> list[str]:
    if not isinstance(block, Mapping):
        return ["[?]"]
    renderer = _RENDERERS.get(str(block.get("type")))
    if renderer is None:
        return [f"[{block.get('type')}]"]
    return renderer(block, style)


def render_blocks(blocks: Sequence[object], style: Style = PLAIN) -> str:
    """The blocks of one message as lines of text."""
    return "\n".join(line for block in blocks for line in render_block(block, style))


def buttons_of(blocks: Sequence[object]) -> list[Json]:
    """The buttons of ``blocks`` in the order they are drawn (section accessories, actions)."""
    found: list[Json] = []
    for block in blocks:
        if not isinstance(block, Mapping):
            continue
        elements = [block.get("accessory"), *(block.get("elements") or ())]
        found += [e for e in elements if isinstance(e, Mapping) and e.get("type") == "button"]
    return found


def render_view(view: Json, style: Style = PLAIN) -> str:
    """A modal (title, inputs, ``[Submit] [Cancel]``) or the App Home, as text."""
    title = text_of(view.get("title")) or ("Home" if view.get("type") == "home" else "")
    lines = [f"┌─ {title} ─┐"] if title else []
    body = render_blocks(view.get("blocks") or (), style)
    if body:
        lines.append(body)
    buttons = [text_of(view.get(key)) for key in ("submit", "close") if view.get(key)]
    if buttons:
        lines.append(" ".join(f"[{label}]" for label in buttons))
    return "\n".join(lines)
