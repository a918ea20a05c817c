"""Queueing notices with their cause: the ``announce_*`` functions write to the outbox in the
caller's transaction, the one that records the new status, so a status and its notices commit
together or not at all.

Each notice has a dedupe key ``<instance>:<event>:<watch generation>``: a poll repeated after
a crash queues nothing twice, and a restarted watch (a new generation) may notify again.

Team notices (the daily digest, quota alerts) go to the team's digest channel; their keys
are ``digest:<team>:<local day>`` and ``quota-alert:<team>:<resource>:<percent>:<crossing>``,
and their payloads carry the language to post in and a snapshot of the numbers. A member's
own limit alerts in that channel under ``quota-alert:<team>:<member>:<resource>:<percent>:
<crossing>`` (one field more than a team's, so the two never meet) and in a DM to the member
under the same key plus ``:dm``, in the member's language.

Payloads never hold a secret: an instance snapshot without its port URLs, the owner, a few
numbers. The access URL is fetched when the notice is sent (``bot.services.notify``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime, timedelta

from bot.domain.digest import Digest, QuotaAlert
from bot.domain.i18n import DEFAULT_LOCALE, Locale
from bot.domain.identity import NoticeTarget, SlackUser
from bot.domain.instances import Instance
from bot.domain.notices import NoticeKind, snapshot
from bot.store import outbox
from bot.store.database import Session
from bot.store.instances import TrackedInstance


def channel_of(tracked: TrackedInstance) -> NoticeTarget | None:
    """Where the instance was asked for, unless that was the owner's DM with the bot."""
    origin = tracked.origin
    if origin is None or origin.channel_id.startswith("D"):
        return None  # a DM with the bot: the owner hears it there anyway
    return NoticeTarget.channel(origin.channel_id, origin.thread_ts)


async def _queue(
    session: Session,
    key: str,
    *,
    owner: SlackUser,
    target: NoticeTarget,
    kind: NoticeKind,
    now: datetime,
    extra: Mapping[str, object] | None = None,
) -> int:
    payload = {"owner": owner.user_id, **(extra or {})}
    queued = await outbox.enqueue(
        session, key, team_id=owner.team_id, target=target, kind=kind, payload=payload, now=now
    )
    return int(queued)


async def _announce_pair(
    session: Session,
    tracked: TrackedInstance,
    instance: Instance,
    *,
    event: str,
    kinds: tuple[NoticeKind, NoticeKind],
    generation: int,
    now: datetime,
) -> int:
    extra = {"instance": snapshot(instance)}
    owner = tracked.owner
    prefix = f"{tracked.instance_id}:{event}"
    queued = await _queue(
        session,
        f"{prefix}:{generation}",
        owner=owner,
        target=NoticeTarget.dm(owner.user_id),
        kind=kinds[0],
        now=now,
        extra=extra,
    )
    channel = channel_of(tracked)
    if channel is not None:
        queued += await _queue(
            session,
            f"{prefix}-channel:{generation}",
            owner=owner,
            target=channel,
            kind=kinds[1],
            now=now,
            extra=extra,
        )
    return queued


async def announce_ready(
    session: Session,
    tracked: TrackedInstance,
    instance: Instance,
    *,
    generation: int,
    now: datetime,
) -> int:
    """The owner gets the link (at send time) and the card; the channel only hears it runs."""
    return await _announce_pair(
        session,
        tracked,
        instance,
        event="ready",
        kinds=(NoticeKind.READY, NoticeKind.READY_CHANNEL),
        generation=generation,
        now=now,
    )


async def announce_ended(
    session: Session,
    tracked: TrackedInstance,
    instance: Instance,
    *,
    generation: int,
    now: datetime,
) -> int:
    return await _announce_pair(
        session,
        tracked,
        instance,
        event="ended",
        kinds=(NoticeKind.ENDED, NoticeKind.ENDED_CHANNEL),
        generation=generation,
        now=now,
    )


async def announce_queued(
    session: Session,
    tracked: TrackedInstance,
    instance: Instance,
    *,
    generation: int,
    waited: timedelta,
    now: datetime,
) -> int:
    return await _queue(
        session,
        f"{tracked.instance_id}:queued:{generation}",
        owner=tracked.owner,
        target=NoticeTarget.dm(tracked.owner.user_id),
        kind=NoticeKind.QUEUED,
        now=now,
        extra={"instance": snapshot(instance), "waited_seconds": int(waited.total_seconds())},
    )


async def announce_autostop(
    session: Session,
    tracked: TrackedInstance,
    instance: Instance,
    *,
    generation: int,
    time_left: timedelta,
    now: datetime,
) -> int:
    return await _queue(
        session,
        f"{tracked.instance_id}:autostop:{generation}",
        owner=tracked.owner,
        target=NoticeTarget.dm(tracked.owner.user_id),
        kind=NoticeKind.AUTOSTOP,
        now=now,
        extra={
            "instance": snapshot(instance),
            "minutes_left": max(1, math.ceil(time_left.total_seconds() / 60)),
        },
    )


async def announce_login_needed(
    session: Session, owner: SlackUser, *, episode: str, paused: int, now: datetime
) -> int:
    """Ask the user to log in again, once per ``episode`` (e.g. the expired token's expiry)."""
    return await _queue(
        session,
        f"login:{owner.team_id}:{owner.user_id}:{episode}"[:255],
        owner=owner,
        target=NoticeTarget.dm(owner.user_id),
        kind=NoticeKind.LOGIN,
        now=now,
        extra={"paused_watches": paused},
    )


async def announce_digest(
    session: Session,
    team_id: str,
    *,
    channel_id: str,
    digest: Digest,
    locale: Locale | None,
    now: datetime,
) -> int:
    """Queue the team's digest for ``digest.day``: once per local day, however often asked.

    The payload is the digest itself, computed now: a retried send shows the numbers as
    they were when the digest was due, and delivery needs no quota lookups of its own.
    """
    key = f"digest:{team_id}:{digest.day.isoformat()}"
    return await _queue_team(
        session,
        key,
        team_id=team_id,
        channel_id=channel_id,
        kind=NoticeKind.DIGEST,
        locale=locale,
        extra={"digest": digest.to_json()},
        now=now,
    )


async def announce_quota_alert(
    session: Session,
    team_id: str,
    *,
    channel_id: str,
    alert: QuotaAlert,
    crossing: int,
    locale: Locale | None,
    now: datetime,
) -> int:
    """Queue the alert for the ``crossing``-th time usage reached ``alert.percent``: the
    team's, or with ``alert.member_user_id`` that member's of their own limit."""
    return await _queue_team(
        session,
        quota_alert_key(team_id, alert, crossing),
        team_id=team_id,
        channel_id=channel_id,
        kind=NoticeKind.QUOTA_ALERT,
        locale=locale,
        extra={"alert": alert.to_json()},
        now=now,
    )


async def announce_member_quota_alert(
    session: Session, team_id: str, *, alert: QuotaAlert, crossing: int, now: datetime
) -> int:
    """Tell the member in a DM, in their own language, that their usage reached
    ``alert.percent`` of their limit, for the ``crossing``-th time."""
    member = alert.member_user_id
    if member is None:
        raise ValueError("a member's quota alert needs the member")
    return await _queue(
        session,
        f"{quota_alert_key(team_id, alert, crossing)}:dm",
        owner=SlackUser(team_id, member),
        target=NoticeTarget.dm(member),
        kind=NoticeKind.QUOTA_ALERT_DM,
        now=now,
        extra={"alert": alert.to_json()},
    )


def quota_alert_key(team_id: str, alert: QuotaAlert, crossing: int) -> str:
    """``quota-alert:<team>:[<member>:]<resource>:<percent>:<crossing>``. Slack ids are
    at most 64 characters (the tables enforce it), so even a member's DM key stays far below
    the outbox's 255 and is never cut short into another's."""
    scope = f"{team_id}:{alert.member_user_id}" if alert.member_user_id else team_id
    return f"quota-alert:{scope}:{alert.resource}:{alert.percent}:{crossing}"


async def _queue_team(
    session: Session,
    key: str,
    *,
    team_id: str,
    channel_id: str,
    kind: NoticeKind,
    locale: Locale | None,
    extra: Mapping[str, object],
    now: datetime,
) -> int:
    """A team notice to a channel: it has no owner ("" stands for none) and names the
    team's language, which the owner's preference would otherwise give."""
    return await _queue(
        session,
        key,
        owner=SlackUser(team_id, ""),
        target=NoticeTarget.channel(channel_id),
        kind=kind,
        now=now,
        extra={"locale": locale or DEFAULT_LOCALE, **extra},
    )
