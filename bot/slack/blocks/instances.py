"""Instances: the card, the paginated list, the "created" reply and the owner's access URL."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Final
from urllib.parse import quote

from bot.domain.costs import InstanceCost
from bot.domain.i18n import Locale, translate
from bot.domain.instances import (
    PENDING_STATUSES,
    TERMINAL_STATUSES,
    Instance,
    InstanceStatus,
    known_status,
)
from bot.domain.secret import Secret

from . import ids, limits
from .confirm import Destructive, build_confirm_dialog
from .costs import cost_fields, cost_line, estimate_note
from .display import (
    remaining_text,
    resources_text,
    short_id,
    slack_time,
    status_text,
    timeout_text,
)
from .elements import (
    Block,
    Element,
    actions,
    button,
    context,
    field,
    fields_section,
    header,
    section,
)
from .limits import escape_mrkdwn
from .wording import words, words_with

LIST_PAGE_SIZE: Final = 20
_DESTRUCTIVE_BUTTONS: Final[Mapping[Destructive, str]] = {
    "stop": "button.stop",
    "delete": "button.delete",
}


def build_instance_card(
    instance: Instance,
    *,
    locale: Locale,
    viewer_is_owner: bool,
    watching: bool,
    now: datetime | None = None,
    cost: InstanceCost | None = None,
) -> list[Block]:
    """Status, resources, image, times and the buttons that fit the status.

    Pass ``viewer_is_owner=False`` for a card posted in a channel: the Open button (which makes
    the bot DM the access URL) is only for the owner, and only while the instance runs.
    """
    blocks = [
        header(instance.name or short_id(instance.id)),
        section(f"{status_text(instance.status, locale)}  ·  `{instance.id}`"),
        fields_section(_card_fields(instance, locale, now)),
    ]
    if cost is not None:  # running time and estimated cost so far (``bot.services.costs``)
        blocks.append(
            fields_section(
                [field(words(key, locale), value) for key, value in cost_fields(cost, locale)]
            )
        )
        blocks.append(estimate_note(locale))
    if instance.description:
        blocks.append(section(escape_mrkdwn(instance.description)))
    blocks.append(actions(card_buttons(instance, locale, viewer_is_owner, watching)))
    return limits.message_blocks(blocks)


def _card_fields(instance: Instance, locale: Locale, now: datetime | None) -> list[str]:
    rows = [
        ("card.type", escape_mrkdwn(instance.task_type)),
        ("card.accelerator", escape_mrkdwn(instance.accelerator)),
        ("card.resources", resources_text(instance.resources, instance.accelerator, locale)),
        ("card.image", f"`{escape_mrkdwn(instance.version or instance.image_path or '-')}`"),
        ("card.resource_group", escape_mrkdwn(instance.resource_group or "-")),
        ("card.owner", escape_mrkdwn(instance.user_name or "-")),
        ("card.created", slack_time(instance.created_at) if instance.created_at else "-"),
        ("card.started", slack_time(instance.started_at) if instance.started_at else "-"),
        ("card.timeout", timeout_text(instance.timeout_limit, locale)),
        ("card.remaining", remaining_text(instance, locale, now) or "-"),
    ]
    return [field(words(label, locale), value) for label, value in rows]


def card_buttons(
    instance: Instance, locale: Locale, viewer_is_owner: bool, watching: bool
) -> list[Element]:
    status = known_status(instance.status)
    name = instance.name or short_id(instance.id)
    value = instance.id
    buttons: list[Element] = []
    if viewer_is_owner and status == InstanceStatus.RUNNING:
        buttons.append(
            button(translate("button.open", locale), ids.OPEN_URL, value=value, style="primary")
        )
    buttons.append(button(translate("button.refresh", locale), ids.REFRESH, value=value))
    if status in TERMINAL_STATUSES:
        buttons.append(button(translate("button.restart", locale), ids.RESTART, value=value))
    if status in PENDING_STATUSES or status == InstanceStatus.RUNNING:
        buttons.append(
            _confirmed_button("stop", ids.STOP, instance_id=value, name=name, locale=locale)
        )
    if status in TERMINAL_STATUSES:
        buttons.append(
            _confirmed_button("delete", ids.DELETE, instance_id=value, name=name, locale=locale)
        )
    if watching:
        buttons.append(button(translate("button.unwatch", locale), ids.UNWATCH, value=value))
    else:
        buttons.append(button(translate("button.watch", locale), ids.WATCH, value=value))
    return buttons


def _confirmed_button(
    action: Destructive, action_id: str, *, instance_id: str, name: str, locale: Locale
) -> Element:
    """A danger button that asks before it acts (Slack's own confirm dialog)."""
    return button(
        translate(_DESTRUCTIVE_BUTTONS[action], locale),
        action_id,
        value=instance_id,
        style="danger",
        confirm=build_confirm_dialog(action, name=name, locale=locale),
    )


def instance_row(instance: Instance, locale: Locale, cost: InstanceCost | None = None) -> str:
    """One compact line: status, name, short id, resources; running time and cost so far."""
    name = escape_mrkdwn(instance.name or "-")
    resources = resources_text(instance.resources, instance.accelerator, locale)
    return (
        f"{status_text(instance.status, locale)}  *{name}*  `{short_id(instance.id)}`\n"
        f"{resources} · {escape_mrkdwn(instance.task_type)}"
    ) + ("" if cost is None else f" · {cost_line(cost, locale)}")


def build_instance_list(
    instances: Sequence[Instance],
    *,
    locale: Locale,
    page: int = 0,
    page_size: int = LIST_PAGE_SIZE,
    costs: Mapping[str, InstanceCost] | None = None,
) -> list[Block]:
    """One page of compact rows, each with a Details button; Previous/Next when there are more.

    ``page_size`` is capped so that a page always fits one message.
    """
    size = max(1, min(page_size, limits.MESSAGE_BLOCKS - 4))
    costs = costs or {}
    total = len(instances)
    if total == 0:
        return [section(words("list.empty", locale))]
    last_page = (total - 1) // size
    page = max(0, min(page, last_page))
    shown = instances[page * size : (page + 1) * size]
    blocks = [header(translate("list.title", locale, count=total))]
    details = translate("button.details", locale)
    blocks += [
        section(
            instance_row(item, locale, costs.get(item.id)),
            accessory=button(details, ids.SHOW_CARD, value=item.id),
        )
        for item in shown
    ]
    first = page * size + 1
    showing = words("list.showing", locale, first=first, last=first + len(shown) - 1, total=total)
    if any(item.id in costs for item in shown):
        blocks.append(context(showing, words("costs.estimate_note", locale)))
    else:
        blocks.append(context(showing))
    pager = _pager(page, last_page, locale)
    if pager:
        blocks.append(actions(pager))
    return limits.message_blocks(blocks)


def _pager(page: int, last_page: int, locale: Locale) -> list[Element]:
    buttons: list[Element] = []
    if page > 0:
        buttons.append(
            button(
                translate("button.previous", locale), ids.LIST_PREVIOUS_PAGE, value=str(page - 1)
            )
        )
    if page < last_page:
        buttons.append(
            button(translate("button.next", locale), ids.LIST_NEXT_PAGE, value=str(page + 1))
        )
    return buttons


def build_created(
    *, instance_id: str, name: str, locale: Locale, watching: bool = True
) -> list[Block]:
    """The reply to create: id and name, and that the bot watches it and will DM when ready."""
    text = words("created.text", locale, name=name, id=instance_id)
    follow_up = words("created.watching" if watching else "created.not_watching", locale)
    return [
        section(f":rocket: {text}\n{follow_up}"),
        actions(
            [
                button(translate("button.details", locale), ids.SHOW_CARD, value=instance_id),
                button(
                    translate("button.unwatch" if watching else "button.watch", locale),
                    ids.UNWATCH if watching else ids.WATCH,
                    value=instance_id,
                ),
            ]
        ),
    ]


def build_access_url(url: Secret, *, instance_id: str, name: str, locale: Locale) -> list[Block]:
    """The owner's private message with the access URL: the one builder that reveals it."""
    revealed = url.reveal().strip()
    link = f"<{escape_mrkdwn(revealed).replace('|', quote('|'))}|{escape_mrkdwn(name)}>"
    blocks = [
        section(words_with("url.text", locale, markup={"link": link}, name=name)),
        context(words("url.private", locale, id=short_id(instance_id))),
    ]
    if len(revealed) <= limits.BUTTON_URL:
        open_button = button(
            translate("button.open", locale), ids.OPEN_LINK, url=revealed, value=instance_id
        )
        blocks.insert(1, actions([open_button]))
    return blocks
