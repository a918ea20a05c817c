"""Asking before stop and delete: a confirm dialog on the button, or a message of its own."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final, Literal

from bot.domain.i18n import Locale, translate

from . import ids
from .elements import Block, Element, actions, button, confirm_dialog, section
from .wording import words

Destructive = Literal["stop", "delete"]
_CONFIRM_ACTION: Final = {"stop": ids.CONFIRM_STOP, "delete": ids.CONFIRM_DELETE}


@dataclass(frozen=True, slots=True)
class ConfirmKeys:
    title: str
    text: str
    confirm: str


CONFIRM_KEYS: Final[Mapping[Destructive, ConfirmKeys]] = {
    "stop": ConfirmKeys("confirm.stop.title", "confirm.stop.text", "confirm.stop.confirm"),
    "delete": ConfirmKeys("confirm.delete.title", "confirm.delete.text", "confirm.delete.confirm"),
}


def build_confirm_dialog(action: Destructive, *, name: str, locale: Locale) -> Element:
    """Slack's ``confirm`` object for a Stop or Delete button on ``name``'s card."""
    return confirm_dialog(
        title=translate(CONFIRM_KEYS[action].title, locale),
        text=words(CONFIRM_KEYS[action].text, locale, name=name),
        confirm=translate(CONFIRM_KEYS[action].confirm, locale),
        deny=translate("confirm.cancel", locale),
    )


def build_confirmation(
    action: Destructive, *, instance_id: str, name: str, locale: Locale
) -> list[Block]:
    """A message asking to confirm ``stop`` / ``delete`` (the commands, not the buttons)."""
    return [
        section(":warning: " + words(CONFIRM_KEYS[action].text, locale, name=name)),
        actions(
            [
                button(
                    translate(CONFIRM_KEYS[action].confirm, locale),
                    _CONFIRM_ACTION[action],
                    value=instance_id,
                    style="danger",
                ),
                button(translate("confirm.cancel", locale), ids.CANCEL, value=instance_id),
            ]
        ),
    ]
