"""Who a Slack user is, for the bot's purposes: their language and whether they are an admin.

The language is the user's own choice (``lang``, kept in the store) or else their Slack locale
(``users.info`` with ``include_locale``). Slack answers are cached for a while so that a busy
user does not cost a users.info call per command; a failing users.info falls back to English
and no admin rights rather than failing the command.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.i18n import DEFAULT_LOCALE, Locale, parse_locale
from bot.domain.identity import SlackUser

if TYPE_CHECKING:  # the use cases are injected; importing them would load the store
    from bot.services.preferences import Preferences

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Person:
    locale: Locale
    is_admin: bool


@dataclass(frozen=True, slots=True)
class _SlackProfile:
    locale: Locale | None
    is_admin: bool
    fetched_at: float


class People:
    def __init__(
        self,
        *,
        preferences: Preferences,
        admins: frozenset[str] = frozenset(),
        ttl_seconds: float = 600.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._preferences = preferences
        self._admins = admins
        self._ttl = ttl_seconds
        self._clock = clock
        self._profiles: dict[SlackUser, _SlackProfile] = {}

    async def describe(self, client: AsyncWebClient, user: SlackUser) -> Person:
        chosen = await self._preferences.locale(user)
        profile = await self._profile(client, user)
        return Person(
            locale=chosen or profile.locale or DEFAULT_LOCALE,
            is_admin=profile.is_admin or user.user_id in self._admins,
        )

    async def _profile(self, client: AsyncWebClient, user: SlackUser) -> _SlackProfile:
        cached = self._profiles.get(user)
        if cached is not None and self._clock() - cached.fetched_at < self._ttl:
            return cached
        try:
            answer = await client.users_info(user=user.user_id, include_locale=True)
            info = answer.get("user") or {}
            profile = _SlackProfile(
                locale=parse_locale(info.get("locale")),
                is_admin=bool(info.get("is_admin") or info.get("is_owner")),
                fetched_at=self._clock(),
            )
        except SlackApiError as error:
            log.info("users.info failed (%s); using defaults", error.response.get("error"))
            return _SlackProfile(locale=None, is_admin=False, fetched_at=self._clock())
        self._profiles[user] = profile
        return profile
