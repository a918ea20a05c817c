"""Each user's chosen language, read on every command, so kept in memory for a while.

The cache is per process: another replica's ``lang`` change shows here within ``ttl``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime

from bot.domain.i18n import Locale
from bot.domain.identity import SlackUser
from bot.store import preferences
from bot.store.database import Database


class Preferences:
    """What each user chose for themselves: for now, the language of their answers."""

    def __init__(
        self,
        *,
        db: Database,
        now: Callable[[], datetime],
        ttl_seconds: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._db = db
        self._now = now
        self._ttl = ttl_seconds
        self._clock = clock
        self._locales: dict[SlackUser, tuple[Locale | None, float]] = {}

    async def locale(self, user: SlackUser) -> Locale | None:
        """The language the user chose; None: follow their Slack locale."""
        cached = self._locales.get(user)
        if cached is not None and self._clock() - cached[1] < self._ttl:
            return cached[0]
        async with self._db.transaction() as session:
            chosen = await preferences.get_locale(session, user)
        self._locales[user] = (chosen, self._clock())
        return chosen

    async def set_locale(self, user: SlackUser, locale: Locale | None) -> None:
        """Choose the user's language (None: back to their Slack locale)."""
        async with self._db.transaction() as session:
            await preferences.set_locale(session, user, locale=locale, now=self._now())
        self._locales[user] = (locale, self._clock())
