"""The create refusal card's buttons: ask an admin, or queue the create until capacity frees.

A create refused by the team's policy (``LimitRefusal``: a limit, a budget) is answered with
the refusal's notice and these buttons. Both carry the whole create in their ``value`` as its
canonical command text (``spec_text``), which ``spec_command`` reads back; the handlers of
``ids.ASK_ADMIN`` (approvals) and ``ids.QUEUE_IT`` (the create queue) start from there. Slack
allows 2,000 characters in a button's value: a longer create (a long start script) gets no
buttons but a line saying to type it again with ``--ask`` or ``--queue``.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Final

from bot.domain.commands import Create, command_text, parse_command
from bot.domain.i18n import Locale, translate
from bot.services.errors import LimitRefusal

from . import ids, limits
from .elements import Block, Element, actions, button, context
from .reply import Message, ReplyContext
from .wording import words

SPEC_VALUE_CHARS: Final = 2000  # Slack's limit on a button's value
REFUSED_BLOCK: Final = "create.refused"


def spec_text(command: Create) -> str:
    """The create as the refusal card's buttons carry it: its canonical text, without
    ``--force`` or ``--public`` (``create jupyter:4.4 name=nb gpus=2``)."""
    # Refused, it was neither ``--ask`` nor ``--queue`` (those answers come first).
    return command_text(replace(command, force=False, public=False))


def spec_command(value: str) -> Create | None:
    """The create a refusal card's button carries; None when the value reads as no create
    with an image (a garbled or stale button)."""
    if not value or len(value) > SPEC_VALUE_CHARS:
        return None
    parsed = parse_command(value)
    if not isinstance(parsed, Create) or parsed.image is None:
        return None
    return parsed


def _spec_button(text: str, action_id: str, value: str, *, primary: bool) -> Element:
    element = button(text, action_id, style="primary" if primary else None)
    element["value"] = limits.checked(value, SPEC_VALUE_CHARS, "button value")
    return element


def refusal_actions(command_text: str, *, can_queue: bool, locale: Locale) -> list[Block]:
    """The blocks to put under a create's refusal notice: [Ask an admin] and, when the
    create could fit once capacity frees (``can_queue``), [Queue it]."""
    if len(command_text) > SPEC_VALUE_CHARS:
        return [context(words("approval.too_long_for_button", locale))]
    elements = [
        _spec_button(
            translate("approval.button.ask", locale), ids.ASK_ADMIN, command_text, primary=True
        )
    ]
    if can_queue:
        elements.append(
            _spec_button(
                translate("queue.button.queue_it", locale),
                ids.QUEUE_IT,
                command_text,
                primary=False,
            )
        )
    return [actions(elements, block_id=REFUSED_BLOCK)]


def refused_create(ctx: ReplyContext, command: Create, error: Exception, told: Message) -> Message:
    """A create's refusal: a limit's (``LimitRefusal``) gets the card's buttons under its
    notice; any other refusal is told as it is."""
    if not isinstance(error, LimitRefusal):
        return told
    extra = refusal_actions(spec_text(command), can_queue=error.queueable, locale=ctx.locale)
    return Message([*told.blocks, *extra], told.text)
