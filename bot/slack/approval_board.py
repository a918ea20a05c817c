"""Where admins see approval requests: Slack's ``ApprovalBoard`` (``services.approval_messages``).

A request goes to the channel an admin named (``quota approvals #channel``), or else to each
admin's DM with the app. The admins are the configured ``BOT_ADMINS`` and those of the
candidates (the team's members the bot knows: everyone who logged in) whom ``users.info``
calls workspace admins or owners, as the admin check of every command does (``People``).
A message is updated in place with ``chat.update`` once the request is decided; Slack's
answers are logged by their error code only.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Final

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.approvals import ApprovalRequest, PostedMessage
from bot.domain.i18n import DEFAULT_LOCALE, Locale, parse_locale
from bot.domain.identity import SlackUser
from bot.slack.blocks.approvals import approval_card_text, build_approval_card
from bot.slack.people import People

log = logging.getLogger(__name__)
# chat.update cannot succeed later either: the message or its channel is gone.
GONE: Final = frozenset(
    {"message_not_found", "channel_not_found", "cant_update_message", "is_archived"}
)


class SlackApprovalBoard:
    def __init__(
        self,
        client: AsyncWebClient,
        *,
        people: People,
        bot_admins: frozenset[str],
        command: str = "/scnet",
    ) -> None:
        self._client = client
        self._people = people
        self._bot_admins = bot_admins
        self._command = command

    @classmethod
    def open(
        cls,
        *,
        token: str,
        api_url: str,
        people: People,
        bot_admins: frozenset[str],
        command: str = "/scnet",
    ) -> SlackApprovalBoard:
        """A board with a Web API client of its own (it posts outside any request too: the
        approvals job updates messages on the leader)."""
        client = AsyncWebClient(token=token, base_url=api_url)
        return cls(client, people=people, bot_admins=bot_admins, command=command)

    async def admins(self, team_id: str, candidates: Sequence[str]) -> list[str]:
        found: list[str] = []
        for user_id in dict.fromkeys([*sorted(self._bot_admins), *candidates]):
            if not user_id:
                continue
            person = await self._people.describe(self._client, SlackUser(team_id, user_id))
            if person.is_admin:
                found.append(user_id)
        return found

    async def post(
        self,
        request: ApprovalRequest,
        *,
        channel_id: str | None,
        user_id: str | None,
        locale: Locale | None = None,
    ) -> PostedMessage | None:
        try:
            if channel_id is None:
                assert user_id is not None  # a channel or an admin's DM, exactly one
                person = await self._people.describe(
                    self._client, SlackUser(request.team_id, user_id)
                )
                locale = locale or person.locale
                opened = await self._client.conversations_open(users=user_id)
                channel_id = str((opened.get("channel") or {}).get("id") or "")
            locale = locale or DEFAULT_LOCALE
            answer = await self._client.chat_postMessage(
                channel=channel_id,
                blocks=build_approval_card(request, locale=locale, command=self._command),
                text=approval_card_text(request, locale=locale),
                unfurl_links=False,
            )
        except SlackApiError as error:
            log.warning("approval request not posted: %s", error.response.get("error"))
            return None
        ts = answer.get("ts")
        channel = answer.get("channel") or channel_id
        if not isinstance(ts, str) or not isinstance(channel, str):
            return None
        return PostedMessage(channel_id=channel, ts=ts, locale=locale)

    async def show(self, request: ApprovalRequest, message: PostedMessage) -> bool:
        locale = parse_locale(message.locale) or DEFAULT_LOCALE
        try:
            await self._client.chat_update(
                channel=message.channel_id,
                ts=message.ts,
                blocks=build_approval_card(request, locale=locale, command=self._command),
                text=approval_card_text(request, locale=locale),
            )
        except SlackApiError as error:
            code = str(error.response.get("error") or "")
            log.warning("approval message not updated: %s", code)
            return code in GONE
        return True
