"""Slack's Block Kit limits, and the one place that makes built blocks respect them.

Text that is too long is clipped with an ellipsis (user text can be any length); an identifier
that is too long (an action value, private_metadata) is a programming error and raises, since a
clipped id would point at the wrong thing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final, TypeVar

MESSAGE_BLOCKS: Final = 50
VIEW_BLOCKS: Final = 100  # modals and App Home
SECTION_TEXT: Final = 3000
SECTION_FIELDS: Final = 10
FIELD_TEXT: Final = 2000
HEADER_TEXT: Final = 150
CONTEXT_ELEMENTS: Final = 10
CONTEXT_TEXT: Final = 3000
ACTIONS_ELEMENTS: Final = 25
BUTTON_TEXT: Final = 75
BUTTON_URL: Final = 3000
ACTION_VALUE: Final = 255  # Slack allows 2,000 for buttons; ours only ever carry an id
ACTION_ID: Final = 255
BLOCK_ID: Final = 255
CALLBACK_ID: Final = 255
PRIVATE_METADATA: Final = 3000
SELECT_OPTIONS: Final = 100
OPTION_GROUPS: Final = 100
OPTION_TEXT: Final = 75
OPTION_VALUE: Final = 150
GROUP_LABEL: Final = 75
PLACEHOLDER_TEXT: Final = 150
INPUT_LABEL: Final = 2000
INPUT_HINT: Final = 2000
TEXT_INPUT_CHARS: Final = 3000
VIEW_TITLE: Final = 24  # also the submit and close buttons
CONFIRM_TITLE: Final = 100
CONFIRM_TEXT: Final = 300
CONFIRM_BUTTON: Final = 30

ELLIPSIS: Final = "…"
_T = TypeVar("_T")


def escape_mrkdwn(text: str) -> str:
    """User text made safe for mrkdwn: ``&``, ``<`` and ``>`` are Slack's control characters."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, ending with an ellipsis when it was cut."""
    if len(text) <= limit:
        return text
    return text[: limit - len(ELLIPSIS)] + ELLIPSIS


def clip_mrkdwn(text: str, limit: int) -> str:
    """``clip`` for mrkdwn: never cuts inside an ``&amp;`` entity or a ``<link|label>``, which
    Slack would show broken."""
    if len(text) <= limit:
        return text
    cut = text[: limit - len(ELLIPSIS)]
    for opener, closer in (("&", ";"), ("<", ">")):
        start = cut.rfind(opener)
        if start != -1 and cut.find(closer, start) == -1:
            cut = cut[:start]
    return cut + ELLIPSIS


def checked(value: str, limit: int, what: str) -> str:
    if len(value) > limit:
        raise ValueError(f"{what} is {len(value)} characters; Slack allows {limit}")
    return value


def capped(items: Sequence[_T], limit: int) -> list[_T]:
    """The first ``limit`` items: the last guard; builders plan to stay under it themselves."""
    return list(items[:limit])


def message_blocks(blocks: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    return capped(blocks, MESSAGE_BLOCKS)


def view_blocks(blocks: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    return capped(blocks, VIEW_BLOCKS)
