"""Notices about watched instances and team quotas: queueing them with their cause, and
delivering them.

Queueing: the ``announce_*`` functions write to the outbox in the caller's transaction, the
one that records the new status, so a status and its notices commit together or not at all.
Each notice has a dedupe key ``<instance>:<event>:<watch generation>``: a poll repeated after
a crash queues nothing twice, and a restarted watch (a new generation) may notify again.

Team notices (the daily digest, quota alerts) go to the team's digest channel; their keys
are ``digest:<team>:<local day>`` and ``quota-alert:<team>:<resource>:<percent>:<crossing>``,
and their payloads carry the language to post in and a snapshot of the numbers. A member's
own limit alerts in that channel under ``quota-alert:<team>:<member>:<resource>:<percent>:
<crossing>`` (one field more than a team's, so the two never meet) and in a DM to the member
under the same key plus ``:dm``, in the member's language.

Payloads never hold a secret: an instance snapshot without its port URLs, the owner, a few
numbers. The access URL is fetched when the notice is sent, as the owner
(``AccountService.call``), and lives only in memory until the sender hands it to Slack.

Delivering: ``NotifyService.deliver_due`` claims due notices (leased; ``SKIP LOCKED`` on
PostgreSQL), builds a ``Delivery`` for each and gives it to a ``NoticeSender`` (Slack in
``bot.slack.sender``, the terminal in the console demo), then settles it at once. What a
sender may raise::

    DeliveryError               .code: a Slack error code or a class name, for operators
    ├── RetryLater              Slack answered 429: again after .after seconds
    ├── TemporaryFailure        5xx, network, timeout: again after an exponential backoff
    ├── TargetUnavailable       the channel is gone or the bot is not in it: dead
    └── PermanentFailure        retrying cannot fix it (invalid blocks, user gone): dead

Exactly once: a notice is marked sent in its own commit as soon as Slack accepts it, and a
claim's lease outlasts an attempt (cut short at ``attempt_timeout``), so two claims of one
notice never overlap. Only a crash between Slack's answer and that commit can make the next
claimer send it again; a crash anywhere else loses nothing, as the notice stays pending.
"""

from __future__ import annotations

import asyncio
import logging
import math
import random
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Literal, Protocol

from bot.domain.digest import Digest, QuotaAlert
from bot.domain.i18n import DEFAULT_LOCALE, Locale, parse_locale
from bot.domain.instances import Instance, Resources
from bot.domain.secret import Secret
from bot.scnet.client import Caller, ScnetClient
from bot.scnet.errors import ScnetError, TokenInvalid, TransientError
from bot.services.accounts import AccountService, LoginNeeded
from bot.services.pacing import Pacer
from bot.store import outbox, preferences, team_settings
from bot.store.database import Database, Session
from bot.store.identity import SlackUser
from bot.store.instances import TrackedInstance
from bot.store.outbox import Notice, NoticeTarget

log = logging.getLogger(__name__)
Now = Callable[[], datetime]
LinkProblem = Literal["login", "unavailable"]


class NoticeKind(StrEnum):
    READY = "instance.ready"  # to the owner: running, with the access link and the card
    READY_CHANNEL = "instance.ready.channel"  # to the origin channel: running, no link
    ENDED = "instance.ended"  # Failed / Terminated / Completed, with a Restart button
    ENDED_CHANNEL = "instance.ended.channel"
    QUEUED = "instance.queued"  # still Waiting for capacity after a while: not a failure
    AUTOSTOP = "instance.autostop"  # the time limit stops it soon
    LOGIN = "account.login"  # the token expired and cannot be renewed; watches paused
    DIGEST = "quota.digest"  # the team's daily digest, to its digest channel
    QUOTA_ALERT = "quota.alert"  # team (or a member's) usage reached 80% / 100%, same channel
    QUOTA_ALERT_DM = "quota.alert.dm"  # to the member: 80% / 100% of their own limit


# --- what goes into the outbox -------------------------------------------------------------


def snapshot(instance: Instance) -> dict[str, object]:
    """What a notice needs to show about the instance, as JSON. No port URLs: they are secrets."""
    return {
        "id": instance.id,
        "name": instance.name,
        "status": instance.status,
        "task_type": instance.task_type,
        "accelerator": instance.accelerator,
        "cpus": instance.resources.cpus,
        "gpus": instance.resources.gpus,
        "ram_mb": instance.resources.ram_mb,
        "task_number": instance.resources.task_number,
        "resource_group": instance.resource_group,
        "version": instance.version,
        "image_path": instance.image_path,
        "timeout_seconds": (
            None if instance.timeout_limit is None else instance.timeout_limit.total_seconds()
        ),
        "created_at": _iso(instance.created_at),
        "started_at": _iso(instance.started_at),
        "ended_at": _iso(instance.ended_at),
        "duration": instance.duration,
        "remaining": instance.remaining,
        "user_name": instance.user_name,
        "description": instance.description[:300],
    }


def from_snapshot(data: Mapping[str, object]) -> Instance:
    timeout = data.get("timeout_seconds")
    return Instance(
        id=_text(data, "id"),
        name=_text(data, "name"),
        status=_text(data, "status"),
        task_type=_text(data, "task_type"),
        accelerator=_text(data, "accelerator"),
        resources=Resources(
            cpus=_int(data, "cpus"),
            gpus=_int(data, "gpus"),
            ram_mb=_int(data, "ram_mb"),
            task_number=max(1, _int(data, "task_number")),
        ),
        resource_group=_text(data, "resource_group"),
        version=_text(data, "version"),
        image_path=_text(data, "image_path"),
        timeout_limit=timedelta(seconds=timeout) if isinstance(timeout, int | float) else None,
        created_at=_time(data, "created_at"),
        started_at=_time(data, "started_at"),
        ended_at=_time(data, "ended_at"),
        duration=_text(data, "duration") or None,
        remaining=_text(data, "remaining") or None,
        user_name=_text(data, "user_name"),
        description=_text(data, "description"),
    )


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def _text(data: Mapping[str, object], key: str) -> str:
    value = data.get(key)
    return value if isinstance(value, str) else ""


def _int(data: Mapping[str, object], key: str) -> int:
    value = data.get(key)
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0


def _time(data: Mapping[str, object], key: str) -> datetime | None:
    value = data.get(key)
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


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


# --- delivering ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Delivery:
    """One notice, ready to render and send. ``access_url`` is set only where it may go.

    ``owner`` of a team notice (digest, alert) has an empty user id.
    """

    key: str  # the outbox dedupe key: unique per notice
    kind: NoticeKind
    target: NoticeTarget
    owner: SlackUser
    locale: Locale
    now: datetime
    instance: Instance | None = None
    access_url: Secret | None = None
    link_problem: LinkProblem | None = None  # why a ready notice comes without its link
    minutes_left: int = 0
    waited: timedelta = timedelta(0)
    paused_watches: int = 0
    digest: Digest | None = None
    alert: QuotaAlert | None = None


class DeliveryError(Exception):
    def __init__(self, code: str) -> None:
        self.code = code[:100]
        super().__init__(f"{type(self).__name__} {self.code}")


class RetryLater(DeliveryError):
    def __init__(self, code: str, *, after: float) -> None:
        self.after = max(0.0, after)
        super().__init__(code)


class TemporaryFailure(DeliveryError):
    pass


class TargetUnavailable(DeliveryError):
    pass


class PermanentFailure(DeliveryError):
    pass


class NoticeSender(Protocol):
    """What delivers a ``Delivery``: ``bot.slack.sender.SlackSender``, or the console's."""

    async def send(self, delivery: Delivery) -> None:
        """Return once the notice is delivered; raise a ``DeliveryError`` otherwise."""
        ...


LEASE_MARGIN = 5.0  # seconds of a claim's lease kept free: settling takes a moment too
MIN_ATTEMPT = 1.0  # seconds; with less of the lease left, the notice goes back to the queue


@dataclass(frozen=True, slots=True)
class DeliveryPolicy:
    lease: timedelta = timedelta(seconds=60)
    attempt_timeout: float = 45.0  # and no attempt outlasts its claim's lease
    batch: int = 50
    concurrency: int = 8  # targets served at once; one target's notices go in order
    # 5xx, network errors and timeouts: again after 1, 1, 2, 4 … seconds (capped, up to 20 %
    # early), dead after ``max_attempts``: about 8 minutes of an unreachable Slack.
    max_attempts: int = 12
    backoff_base: float = 1.0
    backoff_cap: float = 120.0
    backoff_jitter: float = 0.2
    link_attempts: int = 3  # after these, a ready notice goes out without its link
    link_retry_after: float = 5.0
    run_budget: float = 10.0  # seconds one run keeps claiming more notices
    # Slack allows about one message a second in a channel (a DM too), with short bursts,
    # and answers 429 past that: a target takes ``post_burst`` posts at once, then one per
    # ``post_interval`` (``bot.services.pacing``); 0 turns pacing off.
    post_interval: float = 1.0
    post_burst: int = 3


@dataclass(slots=True)
class _RunCache:
    """What one delivery run looks up once per owner: their locale and unlocked token."""

    locales: dict[SlackUser, Locale] = field(default_factory=dict)
    callers: dict[SlackUser, Caller] = field(default_factory=dict)


_Target = tuple[str | None, str | None]  # (user id of a DM, channel id)


def _target_of(notice: Notice) -> _Target:
    return (notice.target.user_id, notice.target.channel_id)


@dataclass(frozen=True, slots=True)
class _Outcome:
    status: Literal["sent", "retry", "dead"]
    error: str = ""
    retry_at: datetime | None = None
    defer_rest: bool = False  # the target refuses for a while (429): hold its later notices


class NotifyService:
    def __init__(
        self,
        *,
        db: Database,
        accounts: AccountService,
        client: ScnetClient,
        sender: NoticeSender,
        now: Now,
        policy: DeliveryPolicy | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
    ) -> None:
        self._db = db
        self._rng = rng or random.Random()
        self._accounts = accounts
        self._client = client
        self._sender = sender
        self._now = now
        self._policy = policy or DeliveryPolicy()
        self._monotonic = monotonic
        self._pacer = Pacer(interval=self._policy.post_interval, burst=self._policy.post_burst)

    async def deliver_due(self) -> int:
        """Send what is due, a batch at a time, for up to ``run_budget`` seconds; how many."""
        started = self._monotonic()
        cache = _RunCache()
        settled = 0
        self._pacer.forget_idle(now=started)
        while True:
            async with self._db.transaction() as session:
                claimed = await outbox.claim_due(
                    session,
                    now=self._now(),
                    lease_for=self._policy.lease,
                    limit=self._policy.batch,
                )
            if not claimed:
                return settled
            # Every attempt must end before the claim's lease does, or a later run could
            # claim and send the same notice while this one still is.
            lease = self._policy.lease.total_seconds()
            lease_ends = self._monotonic() + lease - min(LEASE_MARGIN, lease / 10)
            settled += await self._deliver_batch(claimed, cache, lease_ends)
            if len(claimed) < self._policy.batch:
                return settled
            if self._monotonic() - started >= self._policy.run_budget:
                return settled

    async def _deliver_batch(
        self, notices: Sequence[Notice], cache: _RunCache, lease_ends: float
    ) -> int:
        groups: dict[_Target, list[Notice]] = {}
        for notice in notices:
            groups.setdefault(_target_of(notice), []).append(notice)
        limit = asyncio.Semaphore(self._policy.concurrency)

        async def run(group: list[Notice]) -> int:
            async with limit:
                return await self._deliver_in_order(group, cache, lease_ends)

        return sum(await asyncio.gather(*(run(group) for group in groups.values())))

    async def _deliver_in_order(
        self, notices: list[Notice], cache: _RunCache, lease_ends: float
    ) -> int:
        """One target's notices, oldest first; a 429 puts the rest off by the same time.

        Paced (``Pacer``): notices whose turn has not come are handed back, due at their
        turns, rather than waited for, so a busy channel holds up neither the run nor the DMs
        claimed with it."""
        settled = 0
        target = _target_of(notices[0])
        for position, notice in enumerate(notices):
            turn = self._pacer.wait(target, now=self._monotonic())
            if turn > 0:
                await self._postpone(notices[position:], first_turn=turn)
                return settled
            time_left = min(self._policy.attempt_timeout, lease_ends - self._monotonic())
            if time_left < MIN_ATTEMPT:
                outcome = _Outcome("retry", "lease ran short", self._now())
            else:
                outcome = await self._attempt(notice, cache, time_left)
                self._pacer.took(target, now=self._monotonic())
            await self._settle(notice, outcome)
            settled += 1
            if outcome.defer_rest:
                for later in notices[position + 1 :]:
                    await self._settle(later, _Outcome("retry", outcome.error, outcome.retry_at))
                return len(notices)
        return settled

    async def _postpone(self, notices: Sequence[Notice], *, first_turn: float) -> None:
        """Hand ``notices`` back untried, due at their target's next turns, in order."""
        now = self._now()
        interval = self._policy.post_interval
        async with self._db.transaction() as session:
            for index, notice in enumerate(notices):
                until = now + timedelta(seconds=first_turn + index * interval)
                await outbox.postpone(session, notice.id, until=until)

    async def _attempt(self, notice: Notice, cache: _RunCache, time_left: float) -> _Outcome:
        try:
            async with asyncio.timeout(time_left):
                delivery = await self._prepare(notice, cache)
                await self._sender.send(delivery)
        except RetryLater as error:
            retry_at = self._now() + timedelta(seconds=error.after)
            if notice.attempts >= 3 * self._policy.max_attempts:
                return _Outcome("dead", f"RetryLater {error.code}")
            return _Outcome("retry", f"RetryLater {error.code}", retry_at, defer_rest=True)
        except (TargetUnavailable, PermanentFailure) as error:
            log.warning("notice %s undeliverable: %s", notice.dedupe_key, error)
            return _Outcome("dead", str(error))
        except TemporaryFailure as error:
            return self._backoff(notice, str(error))
        except TimeoutError:
            return self._backoff(notice, "TimeoutError")
        except Exception as error:
            log.exception("delivering notice %s failed", notice.dedupe_key)
            return self._backoff(notice, type(error).__name__)
        return _Outcome("sent")

    def _backoff(self, notice: Notice, error: str) -> _Outcome:
        if notice.attempts >= self._policy.max_attempts:
            log.warning("notice %s dead after %d attempts", notice.dedupe_key, notice.attempts)
            return _Outcome("dead", error)
        # ``attempts`` counts this attempt: the first two failures wait one base each, so a
        # 429 followed by two 5xx still delivers within seconds of the Retry-After.
        policy = self._policy
        delay = min(policy.backoff_cap, policy.backoff_base * 2 ** max(0, notice.attempts - 2))
        delay *= 1.0 - policy.backoff_jitter * self._rng.random()
        return _Outcome("retry", error, self._now() + timedelta(seconds=delay))

    async def _settle(self, notice: Notice, outcome: _Outcome) -> None:
        now = self._now()
        async with self._db.transaction() as session:
            if outcome.status == "sent":
                await outbox.mark_sent(session, notice.id, now=now)
            elif outcome.status == "dead":
                await outbox.mark_dead(session, notice.id, error=outcome.error, now=now)
            else:
                await outbox.reschedule(
                    session,
                    notice.id,
                    error=outcome.error,
                    next_attempt_at=outcome.retry_at or now,
                )

    async def _prepare(self, notice: Notice, cache: _RunCache) -> Delivery:
        payload = notice.payload
        owner = SlackUser(notice.team_id, _text(payload, "owner"))
        kind = NoticeKind(notice.kind)
        raw_instance = payload.get("instance")
        instance = from_snapshot(raw_instance) if isinstance(raw_instance, Mapping) else None
        raw_digest, raw_alert = payload.get("digest"), payload.get("alert")
        # A team notice names its language; an owner's notice follows the owner's choice.
        locale = parse_locale(_text(payload, "locale")) or cache.locales.get(owner)
        channel = notice.target.channel_id
        shares = False
        if locale is None or (kind == NoticeKind.READY_CHANNEL and channel is not None):
            async with self._db.transaction() as session:
                if locale is None:
                    locale = await preferences.get_locale(session, owner) or DEFAULT_LOCALE
                    cache.locales[owner] = locale
                if kind == NoticeKind.READY_CHANNEL and channel is not None:
                    shares = await team_settings.shares_access_urls(
                        session, notice.team_id, channel_id=channel
                    )
        url: Secret | None = None
        problem: LinkProblem | None = None
        if instance is not None and (
            kind == NoticeKind.READY or (kind == NoticeKind.READY_CHANNEL and shares)
        ):
            url, problem = await self._access_link(notice, owner, instance.id, cache)
        return Delivery(
            key=notice.dedupe_key,
            kind=kind,
            target=notice.target,
            owner=owner,
            locale=locale,
            now=self._now(),
            instance=instance,
            access_url=url,
            link_problem=problem,
            minutes_left=_int(payload, "minutes_left"),
            waited=timedelta(seconds=_int(payload, "waited_seconds")),
            paused_watches=_int(payload, "paused_watches"),
            digest=Digest.from_json(raw_digest) if isinstance(raw_digest, Mapping) else None,
            alert=QuotaAlert.from_json(raw_alert) if isinstance(raw_alert, Mapping) else None,
        )

    async def _access_link(
        self, notice: Notice, owner: SlackUser, instance_id: str, cache: _RunCache
    ) -> tuple[Secret | None, LinkProblem | None]:
        """The link, fetched now as the owner; or why there is none."""
        try:
            url = await self._fetch_link(owner, instance_id, cache)
        except LoginNeeded:
            return None, "login"
        except TransientError as error:
            if notice.attempts < self._policy.link_attempts:
                after = self._policy.link_retry_after
                raise RetryLater(type(error).__name__, after=after) from None
            return None, "unavailable"
        except ScnetError as error:
            log.info("no access link for %s (%s)", instance_id, type(error).__name__)
            return None, "unavailable"
        return url, None

    async def _fetch_link(self, owner: SlackUser, instance_id: str, cache: _RunCache) -> Secret:
        """As ``AccountService.call`` would, but unlocking each owner's token once a run."""
        caller = cache.callers.get(owner)
        if caller is None:
            caller = cache.callers[owner] = await self._accounts.caller(owner)
        try:
            return await self._client.get_access_url(caller, instance_id)
        except TokenInvalid:
            cache.callers.pop(owner, None)
            return await self._accounts.call(
                owner, lambda fresh: self._client.get_access_url(fresh, instance_id)
            )
