"""A modal filled in the terminal, field by field, into the ``view.state.values`` Slack sends.

The view is the one Slack opens (``bot.slack.blocks.modals``); its answers come back in
Slack's shape, so the same readers (``read_create_submission``, ``read_login_submission``)
and the same validation (``Conversation.read_create_form``) apply, and an error is shown
under its field and only that field is asked again, as the modal does. Enter keeps the value
shown in brackets (or leaves an optional field empty), ``-`` clears it, ``/cancel`` closes
the form. What Slack checks in the browser (a required field left empty, a text too long, a
choice that is not in the menu) is checked here, before the submission.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from bot.domain.i18n import Locale, translate
from bot.slack.blocks import ids

from .terminal import Terminal
from .text import Json, buttons_of, input_label, render_blocks, text_of

CANCEL: Final = "/cancel"
CLEAR: Final = "-"
# Fields whose answer is a secret: not echoed, kept out of the history.
SECRET_BLOCKS: Final = frozenset({ids.LOGIN_TOKEN_BLOCK, ids.LOGIN_AK_BLOCK, ids.LOGIN_SK_BLOCK})
YES: Final = frozenset({"y", "yes", "是", "好", "确认"})

State = dict[str, dict[str, dict[str, Any]]]


@dataclass(frozen=True, slots=True)
class Submitted:
    values: State


@dataclass(frozen=True, slots=True)
class Pressed:
    """A button inside the form was pressed (the login modal's token / AK-SK switch)."""

    element: Json


class Cancelled:
    pass


FormResult = Submitted | Pressed | Cancelled


def input_blocks(view: Json) -> list[Json]:
    return [
        block
        for block in view.get("blocks") or ()
        if isinstance(block, Mapping) and block.get("type") == "input"
    ]


class FormFiller:
    def __init__(self, terminal: Terminal, *, locale: Locale) -> None:
        self._terminal = terminal
        self._locale = locale

    async def fill(
        self, view: Json, state: State, *, errors: Mapping[str, str] | None = None
    ) -> FormResult:
        """Ask every field of ``view`` (only those in ``errors``, with their error, when
        given), writing the answers into ``state``."""
        write = self._terminal.write
        if not errors:
            write(f"┌─ {text_of(view.get('title'))} ─┐")
            for block in view.get("blocks") or ():
                if not isinstance(block, Mapping):
                    continue
                if block.get("type") in {"section", "context"}:
                    write(render_blocks([block]))
                elif block.get("type") == "actions":
                    pressed = await self._offer(buttons_of([block]))
                    if pressed is not None:
                        return pressed if isinstance(pressed, Pressed) else Cancelled()
            write(translate("console.form.intro", self._locale, cancel=CANCEL, clear=CLEAR))
        for block in input_blocks(view):
            block_id = str(block.get("block_id", ""))
            if errors and block_id not in errors:
                continue
            answer = await self._field(block, state, error=(errors or {}).get(block_id))
            if answer is None:
                return Cancelled()
            element = block.get("element") or {}
            state[block_id] = {str(element.get("action_id", ids.INPUT)): answer}
        return Submitted(state)

    async def _offer(self, buttons: Sequence[Json]) -> Pressed | Cancelled | None:
        """Buttons drawn inside a form: a number presses one, Enter goes on to the fields."""
        if not buttons:
            return None
        labels = "  ".join(
            f"[{n} {text_of(b.get('text'))}]" for n, b in enumerate(buttons, start=1)
        )
        line = await self._terminal.ask(
            translate("console.form.buttons", self._locale, buttons=labels), remember=False
        )
        if line is None or line.strip() == CANCEL:
            return Cancelled()
        choice = line.strip()
        if choice.isdigit() and 1 <= int(choice) <= len(buttons):
            return Pressed(buttons[int(choice) - 1])
        return None

    async def _field(
        self, block: Json, state: State, *, error: str | None
    ) -> dict[str, Any] | None:
        element: Json = block.get("element") or {}
        block_id = str(block.get("block_id", ""))
        previous = (state.get(block_id) or {}).get(str(element.get("action_id", ids.INPUT)))
        hint = text_of(block.get("hint"))
        kind = element.get("type")
        label = input_label(block, self._locale)
        if error:
            self._terminal.write(f"⚠️ {error}")
        elif hint:
            self._terminal.write(f"  {hint}")
        if kind in {"static_select", "radio_buttons"}:
            return await self._select(block, element, label, previous)
        if kind == "checkboxes":
            return await self._checkboxes(element, label, previous)
        return await self._text(block, element, label, previous, secret=block_id in SECRET_BLOCKS)

    async def _text(
        self,
        block: Json,
        element: Json,
        label: str,
        previous: Mapping[str, Any] | None,
        *,
        secret: bool,
    ) -> dict[str, Any] | None:
        shown = previous.get("value") if previous is not None else element.get("initial_value")
        default = str(shown) if shown else ""
        bracket = f" [{'•' * len(default) if secret else default}]" if default else ""
        while True:
            line = await self._terminal.ask(f"{label}{bracket}: ", secret=secret, remember=False)
            if line is None or line.strip() == CANCEL:
                return None
            value = line.strip() or default
            if line.strip() == CLEAR:
                value = ""
            problem = self._check_text(block, element, value)
            if problem is None:
                return {"type": element.get("type", "plain_text_input"), "value": value or None}
            self._terminal.write(f"⚠️ {problem}")

    def _check_text(self, block: Json, element: Json, value: str) -> str | None:
        """What Slack's client refuses before a submission is sent."""
        if not value:
            return (
                None if block.get("optional") else translate("console.form.required", self._locale)
            )
        limit = element.get("max_length")
        if isinstance(limit, int) and len(value) > limit:
            return translate("console.form.too_long", self._locale, max=limit)
        least = element.get("min_length")
        if isinstance(least, int) and len(value) < least:
            return translate("console.form.too_short", self._locale, min=least)
        return None

    async def _select(
        self, block: Json, element: Json, label: str, previous: Mapping[str, Any] | None
    ) -> dict[str, Any] | None:
        options = _options(element)
        chosen = previous.get("selected_option") if previous is not None else None
        if previous is None:
            chosen = element.get("initial_option")
        for number, (group, choice) in enumerate(options, start=1):
            if group and (number == 1 or options[number - 2][0] != group):
                self._terminal.write(f"  {group}")
            self._terminal.write(f"    {number}) {text_of(choice.get('text'))}")
        while True:
            default = text_of(chosen.get("text")) if isinstance(chosen, Mapping) else ""
            bracket = f" [{default}]" if default else ""
            line = await self._terminal.ask(f"{label}{bracket}: ", remember=False)
            if line is None or line.strip() == CANCEL:
                return None
            answer = line.strip()
            if answer == CLEAR:
                chosen = None
            elif answer:
                chosen = _pick(options, answer)
                if chosen is None:
                    self._terminal.write(
                        "⚠️ " + translate("console.form.choose", self._locale, count=len(options))
                    )
                    continue
            if chosen is None and not block.get("optional"):
                self._terminal.write("⚠️ " + translate("console.form.required", self._locale))
                continue
            return {"type": element.get("type"), "selected_option": chosen}

    async def _checkboxes(
        self, element: Json, label: str, previous: Mapping[str, Any] | None
    ) -> dict[str, Any] | None:
        if previous is not None:
            initial = previous.get("selected_options") or []
        else:
            initial = element.get("initial_options") or []
        ticked = {o.get("value") for o in initial if isinstance(o, Mapping)}
        selected: list[Json] = []
        if label:
            self._terminal.write(label)
        for _group, choice in _options(element):
            was = choice.get("value") in ticked
            mark = "Y/n" if was else "y/N"
            line = await self._terminal.ask(
                f"  [{'x' if was else ' '}] {text_of(choice.get('text'))} ({mark}): ",
                remember=False,
            )
            if line is None or line.strip() == CANCEL:
                return None
            answer = line.strip().lower()
            if (answer in YES) or (was and not answer):
                selected.append(choice)
        return {"type": "checkboxes", "selected_options": selected}


def _options(element: Json) -> list[tuple[str, Json]]:
    found: list[tuple[str, Json]] = [
        ("", o) for o in element.get("options") or () if isinstance(o, Mapping)
    ]
    for group in element.get("option_groups") or ():
        if isinstance(group, Mapping):
            name = text_of(group.get("label"))
            found += [(name, o) for o in group.get("options") or () if isinstance(o, Mapping)]
    return found


def _pick(options: Sequence[tuple[str, Json]], answer: str) -> Json | None:
    """The option a number, a value or a label names."""
    if answer.isdigit() and 1 <= int(answer) <= len(options):
        return options[int(answer) - 1][1]
    for _group, choice in options:
        if answer in {choice.get("value"), text_of(choice.get("text"))}:
            return choice
    return None
