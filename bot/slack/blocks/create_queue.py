"""The team's create queue in Slack: the "queued" answer, ``/scnet queue``, App Home's part,
and the requester's DMs (started, failed, dropped). Pure: data in, blocks out.

Each row of the requester's own shows a Cancel button (``ids.QUEUE_CANCEL``, value: the
request id); a button pressed by anyone else is refused by the queue service.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Final, cast

from bot.domain.create_queue import QueuedCreate
from bot.domain.i18n import Locale, translate
from bot.domain.identity import SlackUser

from . import ids, limits
from .display import duration_text, resources_text, short_id, slack_time
from .elements import Block, Element, button, confirm_dialog, context, header, section
from .instances import build_created
from .limits import escape_mrkdwn
from .reply import Message, ReplyContext
from .wording import words, words_with

if TYPE_CHECKING:  # results of the injected use cases; importing them would load the store
    from bot.domain.commands import Command, Create
    from bot.services.create_queue import Enqueued, QueueView
    from bot.services.instances import Created

QUEUE_SHOWN: Final = 40  # rows of ``/scnet queue``: each is one block, and a message holds 50
HOME_QUEUE_SHOWN: Final = 10


def _mention(user_id: str) -> str:
    return f"<@{escape_mrkdwn(user_id)}>"


def _what(request: QueuedCreate, locale: Locale) -> str:
    image = escape_mrkdwn(request.image)
    spec = resources_text(request.resources, "gpu", locale)
    return f"*{escape_mrkdwn(request.name)}* · `{image}` · {spec}"


def cancel_button(request: QueuedCreate, locale: Locale) -> Element:
    return button(
        translate("queue.button.cancel", locale),
        ids.QUEUE_CANCEL,
        value=str(request.id),
        confirm=confirm_dialog(
            title=translate("queue.cancel.title", locale),
            text=translate("queue.cancel.confirm", locale, name=request.name),
            confirm=translate("queue.button.cancel", locale),
            deny=translate("queue.button.keep", locale),
        ),
    )


def build_enqueued(
    request: QueuedCreate, *, position: int, length: int, locale: Locale, command: str
) -> list[Block]:
    """The answer to a create that was queued: its place, and a way out."""
    text = words_with(
        "queue.enqueued",
        locale,
        markup={"what": _what(request, locale)},
        position=position,
        length=length,
    )
    return limits.message_blocks(
        [
            section(f":hourglass_flowing_sand: {text}", accessory=cancel_button(request, locale)),
            context(words("queue.enqueued.hint", locale, command=command)),
        ]
    )


def enqueued_text(request: QueuedCreate, *, position: int, length: int, locale: Locale) -> str:
    return translate(
        "queue.enqueued.text", locale, name=request.name, position=position, length=length
    )


def _row(
    request: QueuedCreate, place: int, *, viewer: SlackUser | None, locale: Locale, now: datetime
) -> Block:
    since = words_with(
        "queue.row.since",
        locale,
        markup={"at": slack_time(request.created_at)},
        waited=duration_text(now - request.created_at, locale),
    )
    state = f" · _{words('queue.row.starting', locale)}_" if request.state == "claimed" else ""
    text = (
        f"*{place}.* {_mention(request.requester.user_id)} {_what(request, locale)}{state}\n{since}"
    )
    accessory = None
    if viewer is not None and request.requester == viewer and request.state == "queued":
        accessory = cancel_button(request, locale)
    return section(text, accessory=accessory)


def build_queue(
    requests: Sequence[QueuedCreate],
    placements: Mapping[int, int],
    *,
    viewer: SlackUser,
    locale: Locale,
    now: datetime,
    command: str,
) -> list[Block]:
    """``/scnet queue``: the team's waiting creates in order, who, what, since when."""
    blocks: list[Block] = [header(translate("queue.title", locale, count=len(requests)))]
    if not requests:
        blocks.append(section(words("queue.empty", locale, command=command)))
        return limits.message_blocks(blocks)
    shown = requests[:QUEUE_SHOWN]
    blocks += [
        _row(r, placements.get(r.id, n), viewer=viewer, locale=locale, now=now)
        for n, r in enumerate(shown, start=1)
    ]
    if len(shown) < len(requests):
        blocks.append(context(words("queue.more", locale, more=len(requests) - len(shown))))
    blocks.append(context(words("queue.rule", locale)))
    return limits.message_blocks(blocks)


def queue_text(requests: Sequence[QueuedCreate], locale: Locale) -> str:
    return translate("queue.title", locale, count=len(requests))


def build_home_queue(
    requests: Sequence[QueuedCreate],
    placements: Mapping[int, int],
    *,
    viewer: SlackUser,
    locale: Locale,
    now: datetime,
) -> list[Block]:
    """App Home's part: the user's own queued creates, with Cancel; nothing when none."""
    if not requests:
        return []
    blocks: list[Block] = [section(f"*{words('home.queue', locale)}*")]
    shown = requests[:HOME_QUEUE_SHOWN]
    blocks += [
        _row(r, placements.get(r.id, n), viewer=viewer, locale=locale, now=now)
        for n, r in enumerate(shown, start=1)
    ]
    return blocks


def queue_length_line(length: int, *, locale: Locale, command: str) -> str:
    """For ``/scnet quota``: how many creates wait for the team's capacity."""
    return words("quota.queue_length", locale, count=length, command=command)


def build_cancelled(request: QueuedCreate, *, locale: Locale) -> list[Block]:
    return [section(words("queue.cancelled", locale, name=request.name))]


def _payload_text(data: Mapping[str, object], key: str) -> str:
    value = data.get(key)
    return value if isinstance(value, str) else ""


def build_queue_notice(
    payload: Mapping[str, object], *, locale: Locale, command: str
) -> tuple[list[Block], str]:
    """The requester's DM about their queued create: started, failed or dropped."""
    raw = payload.get("queue")
    data: Mapping[str, object] = raw if isinstance(raw, Mapping) else {}
    event = _payload_text(data, "event")
    name = _payload_text(data, "name") or "?"
    again = f"{command} {_payload_text(data, 'command_text')} --queue"
    if event == "created":
        instance_id = _payload_text(data, "instance_id")
        text = translate("queue.dm.created", locale, name=name, id=short_id(instance_id))
        blocks = [
            section(f":rocket: {escape_mrkdwn(text)}"),
            context(words("queue.dm.created.hint", locale, command=command)),
        ]
        return limits.message_blocks(blocks), text
    if event == "expired":
        hours = _payload_text(data, "hours") or "72"
        text = translate("queue.dm.expired", locale, name=name, hours=hours)
        blocks = [
            section(f":hourglass: {escape_mrkdwn(text)}"),
            context(words_with("queue.dm.again", locale, markup={"again": _code(again)})),
        ]
        return limits.message_blocks(blocks), text
    reason = _payload_text(data, "reason")
    why = _failure_reason(data, reason, locale=locale, command=command)
    text = translate("queue.dm.failed", locale, name=name, why=why)
    blocks = [section(f":warning: {escape_mrkdwn(text)}")]
    if reason != "login":
        blocks.append(context(words_with("queue.dm.again", locale, markup={"again": _code(again)})))
    return limits.message_blocks(blocks), text


def _code(text: str) -> str:
    inner = escape_mrkdwn(limits.clip(text, 500)).replace("`", "'")
    return f"`{inner}`"


def _failure_reason(
    data: Mapping[str, object], reason: str, *, locale: Locale, command: str
) -> str:
    if reason == "login":
        return translate("queue.why.login", locale, command=command)
    if reason == "image":
        return translate("queue.why.image", locale, image=_payload_text(data, "image"))
    key = _payload_text(data, "message_key")
    raw = data.get("params")
    params = {str(k): v for k, v in raw.items()} if isinstance(raw, Mapping) else {}
    if key:
        try:
            return translate(key, locale, command=command, **params)
        except (KeyError, ValueError):  # a text whose params changed since it was queued
            pass
    return translate("queue.why.other", locale)


# --- replies (``bot.domain.commands.registry``'s renderers) -----------------------------------


def create_or_queue_reply(
    ctx: ReplyContext, command: Create, result: Created | Enqueued
) -> Message:
    """``create ... --queue``: created at once, or its place in the team's queue."""
    enqueued = getattr(result, "request", None)
    if isinstance(enqueued, QueuedCreate):
        position, length = int(getattr(result, "position", 1)), int(getattr(result, "length", 1))
        blocks = build_enqueued(
            enqueued, position=position, length=length, locale=ctx.locale, command=ctx.slash
        )
        text = enqueued_text(enqueued, position=position, length=length, locale=ctx.locale)
        return Message(blocks, text, public=command.public)
    created = cast("Created", result)
    name = created.spec.name
    blocks = build_created(instance_id=created.instance_id, name=name, locale=ctx.locale)
    text = translate("created.text", ctx.locale, name=name, id=created.instance_id)
    return Message(blocks, text, public=command.public)


def queue_reply(ctx: ReplyContext, command: Command, view: QueueView) -> Message:
    """``/scnet queue``."""
    viewer = view.viewer or SlackUser("", "")
    blocks = build_queue(
        view.requests,
        view.positions,
        viewer=viewer,
        locale=ctx.locale,
        now=ctx.now,
        command=ctx.slash,
    )
    return Message(blocks, queue_text(view.requests, ctx.locale), public=command.public)


def cancelled_reply(request: QueuedCreate, *, locale: Locale) -> Message:
    text = translate("queue.cancelled", locale, name=request.name)
    return Message(build_cancelled(request, locale=locale), text)
