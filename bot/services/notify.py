"""Delivering the notices the outbox holds (queued by ``bot.services.announce``).

``NotifyService.deliver_due`` claims due notices (leased; ``SKIP LOCKED`` on PostgreSQL),
builds a ``Delivery`` for each (``bot.domain.notices``) and gives it to a ``NoticeSender``
(Slack in ``bot.slack.sender``, the terminal in the console demo), then settles it at once:
sent, again later (429 after its Retry-After, 5xx and timeouts after a backoff), or dead.
The access URL is fetched now, as the owner, and lives only in memory until the sender hands
it to Slack.

Exactly once: a notice is marked sent in its own commit as soon as Slack accepts it, and a
claim's lease outlasts an attempt (cut short at ``attempt_timeout``), so two claims of one
notice never overlap. Only a crash between Slack's answer and that commit can make the next
claimer send it again; a crash anywhere else loses nothing, as the notice stays pending.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from bot.domain.digest import Digest, QuotaAlert
from bot.domain.i18n import DEFAULT_LOCALE, Locale, parse_locale
from bot.domain.identity import SlackUser
from bot.domain.notices import (
    Delivery,
    LinkProblem,
    NoticeKind,
    NoticeSender,
    PermanentFailure,
    RetryLater,
    TargetUnavailable,
    TemporaryFailure,
    from_snapshot,
    payload_int,
    payload_text,
)
from bot.domain.secret import Secret
from bot.scnet.client import ScnetClient
from bot.scnet.errors import ScnetError, TransientError
from bot.services.accounts import AccountService, LoginNeeded
from bot.services.pacing import Pacer
from bot.store import outbox, preferences, team_settings
from bot.store.database import Database
from bot.store.outbox import Notice

log = logging.getLogger(__name__)
Now = Callable[[], datetime]


LOCALE_FRESH = 30.0  # seconds an owner's language is reused before it is read again
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
        on_sent: Callable[[float], None] = lambda _lag: None,
    ) -> None:
        """``on_sent`` gets each sent notice's delivery lag: seconds from queued to accepted."""
        self._db = db
        self._on_sent = on_sent
        self._rng = rng or random.Random()
        self._accounts = accounts
        self._client = client
        self._sender = sender
        self._now = now
        self._policy = policy or DeliveryPolicy()
        self._monotonic = monotonic
        self._pacer = Pacer(interval=self._policy.post_interval, burst=self._policy.post_burst)
        self._claimed: set[int] = set()  # ids claimed by this process and not settled yet
        # Owners' languages, read once per LOCALE_FRESH: a change reaches notices that late.
        self._locales: dict[SlackUser, tuple[float, Locale]] = {}

    async def deliver_due(self) -> int:
        """Send what is due, a batch at a time, for up to ``run_budget`` seconds; how many.

        Cancelled (the process shuts down), it hands back what it claimed and did not settle,
        so another replica sends those now rather than when their lease ends."""
        try:
            return await self._deliver_due()
        except asyncio.CancelledError:
            await asyncio.shield(self._release_claims())
            raise

    async def _release_claims(self) -> None:
        claimed, self._claimed = sorted(self._claimed), set()
        if not claimed:
            return
        try:
            async with self._db.transaction() as session:
                released = await outbox.release(session, claimed, now=self._now())
        except Exception as error:  # their leases end on their own
            log.warning("handing back %d notices failed (%s)", len(claimed), type(error).__name__)
            return
        log.info("handed back %d claimed notices", released)

    async def _deliver_due(self) -> int:
        started = self._monotonic()
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
            self._claimed.update(notice.id for notice in claimed)
            # Every attempt must end before the claim's lease does, or a later run could
            # claim and send the same notice while this one still is.
            lease = self._policy.lease.total_seconds()
            lease_ends = self._monotonic() + lease - min(LEASE_MARGIN, lease / 10)
            settled += await self._deliver_batch(claimed, lease_ends)
            if len(claimed) < self._policy.batch:
                return settled
            if self._monotonic() - started >= self._policy.run_budget:
                return settled

    async def _deliver_batch(self, notices: Sequence[Notice], lease_ends: float) -> int:
        groups: dict[_Target, list[Notice]] = {}
        for notice in notices:
            groups.setdefault(_target_of(notice), []).append(notice)
        limit = asyncio.Semaphore(self._policy.concurrency)

        async def run(group: list[Notice]) -> int:
            async with limit:
                return await self._deliver_in_order(group, lease_ends)

        return sum(await asyncio.gather(*(run(group) for group in groups.values())))

    async def _deliver_in_order(self, notices: list[Notice], lease_ends: float) -> int:
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
                outcome = await self._attempt(notice, time_left)
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
        self._claimed.difference_update(notice.id for notice in notices)
        async with self._db.transaction() as session:
            for index, notice in enumerate(notices):
                until = now + timedelta(seconds=first_turn + index * interval)
                await outbox.postpone(session, notice.id, until=until)

    async def _attempt(self, notice: Notice, time_left: float) -> _Outcome:
        try:
            async with asyncio.timeout(time_left):
                delivery = await self._prepare(notice)
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
        self._claimed.discard(notice.id)
        async with self._db.transaction() as session:
            if outcome.status == "sent":
                await outbox.mark_sent(session, notice.id, now=now)
                self._on_sent(max(0.0, (now - notice.created_at).total_seconds()))
            elif outcome.status == "dead":
                await outbox.mark_dead(session, notice.id, error=outcome.error, now=now)
            else:
                await outbox.reschedule(
                    session,
                    notice.id,
                    error=outcome.error,
                    next_attempt_at=outcome.retry_at or now,
                )

    async def _prepare(self, notice: Notice) -> Delivery:
        payload = notice.payload
        owner = SlackUser(notice.team_id, payload_text(payload, "owner"))
        kind = NoticeKind(notice.kind)
        raw_instance = payload.get("instance")
        instance = from_snapshot(raw_instance) if isinstance(raw_instance, Mapping) else None
        raw_digest, raw_alert = payload.get("digest"), payload.get("alert")
        # A team notice names its language; an owner's notice follows the owner's choice.
        locale = parse_locale(payload_text(payload, "locale")) or self._known_locale(owner)
        channel = notice.target.channel_id
        shares = False
        if locale is None or (kind == NoticeKind.READY_CHANNEL and channel is not None):
            async with self._db.transaction() as session:
                if locale is None:
                    locale = await preferences.get_locale(session, owner) or DEFAULT_LOCALE
                    self._locales[owner] = (self._monotonic(), locale)
                if kind == NoticeKind.READY_CHANNEL and channel is not None:
                    shares = await team_settings.shares_access_urls(
                        session, notice.team_id, channel_id=channel
                    )
        url: Secret | None = None
        problem: LinkProblem | None = None
        if instance is not None and (
            kind == NoticeKind.READY or (kind == NoticeKind.READY_CHANNEL and shares)
        ):
            url, problem = await self._access_link(notice, owner, instance.id)
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
            minutes_left=payload_int(payload, "minutes_left"),
            waited=timedelta(seconds=payload_int(payload, "waited_seconds")),
            paused_watches=payload_int(payload, "paused_watches"),
            digest=Digest.from_json(raw_digest) if isinstance(raw_digest, Mapping) else None,
            alert=QuotaAlert.from_json(raw_alert) if isinstance(raw_alert, Mapping) else None,
            payload=payload,
        )

    def _known_locale(self, owner: SlackUser) -> Locale | None:
        known = self._locales.get(owner)
        if known is None or self._monotonic() - known[0] > LOCALE_FRESH:
            return None
        return known[1]

    async def _access_link(
        self, notice: Notice, owner: SlackUser, instance_id: str
    ) -> tuple[Secret | None, LinkProblem | None]:
        """The link, fetched now as the owner; or why there is none."""
        try:
            url = await self._fetch_link(owner, instance_id)
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

    async def _fetch_link(self, owner: SlackUser, instance_id: str) -> Secret:
        return await self._accounts.call(
            owner, lambda caller: self._client.get_access_url(caller, instance_id)
        )
