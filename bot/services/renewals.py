"""Token renewal in the background, and what happens when a token cannot be renewed.

``run`` (the scheduler's token-renewal job) renews every token about to expire, so that a
user who has not typed a command for a day still has a working login when their instance
becomes ready. Where SCNet refuses and no stored AK/SK can mint a new token,
``AccountService`` flags the account; the user gets one DM asking them to log in again, and
their watches pause rather than die. Once they have logged in again, the next run resumes
those watches.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.scnet.errors import ScnetError
from bot.services.accounts import AccountService, LoginNeeded
from bot.services.announce import announce_login_needed
from bot.services.watch import LOGIN_PAUSE
from bot.services.watch_policy import login_episode
from bot.store import accounts as stored_accounts
from bot.store import watch_control, watches
from bot.store.database import Database

log = logging.getLogger(__name__)
Now = Callable[[], datetime]


@dataclass(frozen=True, slots=True)
class RenewalReport:
    renewed: int = 0
    need_login: int = 0
    failed: int = 0
    resumed: int = 0


class RenewalService:
    def __init__(
        self,
        *,
        db: Database,
        accounts: AccountService,
        now: Now,
        renew_before: timedelta = timedelta(minutes=30),
        batch: int = 100,
        on_notice: Callable[[], None] = lambda: None,
    ) -> None:
        """``renew_before`` matches ``AccountPolicy.renew_before``: the same "expires soon"."""
        self._db = db
        self._accounts = accounts
        self._now = now
        self._renew_before = renew_before
        self._batch = batch
        self._on_notice = on_notice

    async def run(self) -> RenewalReport:
        now = self._now()
        async with self._db.transaction() as session:
            due = await stored_accounts.list_due_for_renewal(
                session, expiring_before=now + self._renew_before, limit=self._batch
            )
        renewed = need_login = failed = 0
        for summary in due:
            try:
                await self._accounts.renew(summary.user)
            except LoginNeeded:
                need_login += 1
                await self._ask_for_login(summary)
            except ScnetError as error:
                # SCNet is unwell; the next run tries again while the token still works.
                failed += 1
                log.info("renewal of %s failed (%s)", summary.user.user_id, type(error).__name__)
            else:
                renewed += 1
        resumed = await self.resume_watches()
        return RenewalReport(renewed, need_login, failed, resumed)

    async def _ask_for_login(self, summary: stored_accounts.AccountSummary) -> None:
        now = self._now()
        async with self._db.transaction() as session:
            paused = await watch_control.pause_owner_watches(
                session, summary.user, reason=LOGIN_PAUSE, now=now
            )
            queued = await announce_login_needed(
                session,
                summary.user,
                episode=login_episode(summary, now),
                paused=len(paused),
                now=now,
            )
        if queued:
            self._on_notice()

    async def resume_watches(self) -> int:
        """Resume watches paused for a login, where the owner has logged in again."""
        now = self._now()
        async with self._db.transaction() as session:
            ready = await watch_control.resumable_watches(session, reason=LOGIN_PAUSE)
            for instance_id in ready:
                await watches.resume(session, instance_id, next_poll_at=now, now=now)
        if ready:
            log.info("resumed %d watches after a new login", len(ready))
        return len(ready)
