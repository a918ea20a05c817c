"""What the watcher tells people: ready, ended, still queued, stopping soon, log in again.

``build_delivery`` turns a ``bot.domain.notices.Delivery`` into blocks plus the fallback
text Slack shows in notifications; the Slack sender and the console both use it. It also
dispatches the team notices (digest, quota alerts) to ``quota_notices``.

Only the owner's ready DM reveals the access URL (through ``build_access_url``). A channel
notice shows a link only when the delivery carries one, which the notify service fetches
solely for a channel that opted in; otherwise the channel learns that the instance runs and
nothing of its URL. The fallback text never holds a URL: it may show on a lock screen.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import quote

from bot.domain.i18n import Locale, translate
from bot.domain.instances import Instance
from bot.domain.notices import Delivery, LinkProblem, NoticeKind
from bot.domain.secret import Secret

from . import ids, limits
from .approvals import build_approval_notice
from .costs import COST_NOTICES, build_cost_notice
from .create_queue import build_queue_notice
from .display import duration_text, short_id, slack_time, status_label, status_text
from .elements import Block, Element, actions, button, context, divider, section
from .instances import build_access_url, build_instance_card
from .limits import escape_mrkdwn
from .quota_notices import (
    build_digest,
    build_member_quota_alert,
    build_quota_alert,
    digest_text,
    member_quota_alert_text,
    quota_alert_text,
)
from .wording import words, words_with

READY_EMOJI = ":large_green_circle:"


def _name(instance: Instance) -> str:
    return instance.name or short_id(instance.id)


def _mention(user_id: str) -> str:
    return f"<@{escape_mrkdwn(user_id)}>"


def _details(instance: Instance, locale: Locale) -> Element:
    return button(translate("button.details", locale), ids.SHOW_CARD, value=instance.id)


def build_ready_dm(
    instance: Instance,
    *,
    url: Secret | None,
    problem: LinkProblem | None,
    locale: Locale,
    command: str,
    now: datetime | None = None,
) -> list[Block]:
    """To the owner: it runs, its access link (or why there is none yet), and its card."""
    name = _name(instance)
    blocks = [section(f"{READY_EMOJI} {words('notice.ready', locale, name=name)}")]
    if url is not None:
        blocks += build_access_url(url, instance_id=instance.id, name=name, locale=locale)
    else:
        key = "watch.ready.login" if problem == "login" else "watch.ready.no_link"
        blocks.append(context(words(key, locale, command=command)))
    blocks.append(divider())
    blocks += build_instance_card(
        instance, locale=locale, viewer_is_owner=True, watching=True, now=now
    )
    return limits.message_blocks(blocks)


def build_ready_channel(
    instance: Instance, *, owner_id: str, url: Secret | None, locale: Locale
) -> list[Block]:
    """To the channel it was created from: it runs. A link only for an opted-in channel."""
    name = _name(instance)
    markup = {"owner": _mention(owner_id)}
    if url is None:
        text = words_with("watch.ready.channel", locale, markup=markup, name=name)
    else:
        revealed = url.reveal().strip()
        link = f"<{escape_mrkdwn(revealed).replace('|', quote('|'))}|{escape_mrkdwn(name)}>"
        text = words_with(
            "watch.ready.channel_link", locale, markup={**markup, "link": link}, name=name
        )
    return [section(f"{READY_EMOJI} {text}"), actions([_details(instance, locale)])]


def build_ended(instance: Instance, *, owner_id: str | None, locale: Locale) -> list[Block]:
    """Failed, stopped or completed, as SCNet says, with Restart. ``owner_id``: in a channel."""
    markup = {"status": status_text(instance.status, locale)}
    if owner_id is None:
        text = words_with("watch.ended.owner", locale, markup=markup, name=_name(instance))
    else:
        markup["owner"] = _mention(owner_id)
        text = words_with("watch.ended.channel", locale, markup=markup, name=_name(instance))
    detail = words_with(
        "watch.ended.detail",
        locale,
        markup={
            "started": slack_time(instance.started_at) if instance.started_at else "-",
            "ended": slack_time(instance.ended_at) if instance.ended_at else "-",
        },
        raw=instance.status or "?",
    )
    restart = button(translate("button.restart", locale), ids.RESTART, value=instance.id)
    return [section(text), context(detail), actions([restart, _details(instance, locale)])]


def build_queued(instance: Instance, *, waited: timedelta, locale: Locale) -> list[Block]:
    text = words_with(
        "watch.queued",
        locale,
        markup={"waited": duration_text(waited, locale)},
        name=_name(instance),
    )
    return [section(f":hourglass_flowing_sand: {text}"), actions([_details(instance, locale)])]


def build_autostop_reminder(
    instance: Instance, *, minutes_left: int, locale: Locale
) -> list[Block]:
    text = words("watch.autostop", locale, name=_name(instance), minutes=minutes_left)
    return [section(f":warning: {text}"), actions([_details(instance, locale)])]


def build_login_again(*, paused_watches: int, locale: Locale, command: str) -> list[Block]:
    if paused_watches:
        text = words("watch.login_paused", locale, command=command, count=paused_watches)
    else:
        text = words("watch.login", locale, command=command)
    login = button(translate("button.login_again", locale), ids.OPEN_LOGIN, style="primary")
    return [section(f":lock: {text}"), actions([login])]


def build_delivery(delivery: Delivery, *, command: str = "/scnet") -> tuple[list[Block], str]:
    """The blocks for ``delivery`` and the plain fallback text (never with a URL)."""
    locale = delivery.locale
    instance = delivery.instance
    if delivery.kind == NoticeKind.APPROVAL_RESULT:
        return build_approval_notice(delivery, command=command)
    if delivery.kind == NoticeKind.QUEUE:
        return build_queue_notice(delivery.payload, locale=locale, command=command)
    if delivery.kind in COST_NOTICES:
        return build_cost_notice(delivery.kind, delivery.payload, locale=locale)
    if delivery.kind == NoticeKind.DIGEST and delivery.digest is not None:
        digest = delivery.digest
        return build_digest(digest, locale=locale, command=command), digest_text(digest, locale)
    if delivery.kind == NoticeKind.QUOTA_ALERT and delivery.alert is not None:
        alert = delivery.alert
        return build_quota_alert(alert, locale=locale), quota_alert_text(alert, locale)
    if delivery.kind == NoticeKind.QUOTA_ALERT_DM and delivery.alert is not None:
        alert = delivery.alert
        blocks = build_member_quota_alert(alert, locale=locale, command=command)
        return blocks, member_quota_alert_text(alert, locale)
    if delivery.kind in {NoticeKind.DIGEST, NoticeKind.QUOTA_ALERT, NoticeKind.QUOTA_ALERT_DM}:
        raise ValueError(f"notice kind {delivery.kind!r} without its snapshot")
    if delivery.kind == NoticeKind.LOGIN or instance is None:
        blocks = build_login_again(
            paused_watches=delivery.paused_watches, locale=locale, command=command
        )
        return blocks, translate("watch.login", locale, command=command)
    name = _name(instance)
    owner = delivery.owner.user_id
    match delivery.kind:
        case NoticeKind.READY:
            blocks = build_ready_dm(
                instance,
                url=delivery.access_url,
                problem=delivery.link_problem,
                locale=locale,
                command=command,
                now=delivery.now,
            )
            return blocks, translate("notice.ready", locale, name=name)
        case NoticeKind.READY_CHANNEL:
            blocks = build_ready_channel(
                instance, owner_id=owner, url=delivery.access_url, locale=locale
            )
            text = translate("watch.ready.channel", locale, owner=f"<@{owner}>", name=name)
            return blocks, text
        case NoticeKind.ENDED | NoticeKind.ENDED_CHANNEL:
            in_channel = delivery.kind == NoticeKind.ENDED_CHANNEL
            blocks = build_ended(instance, owner_id=owner if in_channel else None, locale=locale)
            status = status_label(instance.status, locale)
            return blocks, translate("notice.ended", locale, name=name, status=status)
        case NoticeKind.QUEUED:
            blocks = build_queued(instance, waited=delivery.waited, locale=locale)
            waited = duration_text(delivery.waited, locale)
            return blocks, translate("watch.queued", locale, name=name, waited=waited)
        case NoticeKind.AUTOSTOP:
            minutes = delivery.minutes_left
            blocks = build_autostop_reminder(instance, minutes_left=minutes, locale=locale)
            return blocks, translate("watch.autostop", locale, name=name, minutes=minutes)
    raise ValueError(f"no blocks for notice kind {delivery.kind!r}")
