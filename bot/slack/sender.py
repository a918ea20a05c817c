"""Delivers watcher notices through Slack's Web API: the Slack side of the outbox.

Implements ``bot.services.notify.NoticeSender``. A DM opens the app's conversation with the
user (``conversations.open``, remembered per user) and posts there; a channel notice posts
in the channel, in the create command's thread when there was one. Each message carries the
notice's dedupe key in its metadata, so an operator can tell a resend from a new notice.

slack_sdk's own retries are off (``retry_handlers=[]``): the outbox decides when to try
again, and a blind retry after a timeout could post twice. Slack's answers become the notify
service's errors:

================================================  =========================================
HTTP 429 (``ratelimited``)                        ``RetryLater`` after ``Retry-After``
HTTP 5xx, network error, timeout                  ``TemporaryFailure`` (exponential backoff)
token trouble (``invalid_auth``, ...)             ``TemporaryFailure``: keep the notice until
                                                  an operator fixes the token
``channel_not_found``, ``not_in_channel``, ...    ``TargetUnavailable`` (the notice is dead)
anything else (``invalid_blocks``, ...)           ``PermanentFailure``
================================================  =========================================

Owner notices always go to the owner's DM, so a channel the bot cannot post in only ever
costs a channel notice.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from typing import Final

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from bot.domain.notices import (
    Delivery,
    PermanentFailure,
    RetryLater,
    TargetUnavailable,
    TemporaryFailure,
)
from bot.slack.blocks.watch_notices import build_delivery

log = logging.getLogger(__name__)

DEFAULT_RETRY_AFTER: Final = 30.0  # Slack always sends Retry-After with a 429; just in case
TARGET_GONE: Final = frozenset(
    {"channel_not_found", "not_in_channel", "is_archived", "channel_is_archived"}
)
TOKEN_TROUBLE: Final = frozenset(
    {"not_authed", "invalid_auth", "token_revoked", "token_expired", "account_inactive"}
)
TRANSIENT_ERRORS: Final = frozenset(
    {"ratelimited", "fatal_error", "internal_error", "service_unavailable", "request_timeout"}
)
METADATA_EVENT: Final = "scnet_bot_notice"


class SlackSender:
    def __init__(self, client: AsyncWebClient, *, command: str = "/scnet") -> None:
        self._client = client
        self._command = command
        self._dm_channels: dict[str, str] = {}

    async def send(self, delivery: Delivery) -> None:
        blocks, text = build_delivery(delivery, command=self._command)
        target = delivery.target
        if target.user_id is not None:
            channel = await self._dm_channel(target.user_id)
        else:
            assert target.channel_id is not None  # NoticeTarget holds exactly one of them
            channel = target.channel_id
        await _call(
            self._client.chat_postMessage(
                channel=channel,
                thread_ts=target.thread_ts,
                text=text,
                blocks=blocks,
                unfurl_links=False,
                unfurl_media=False,
                metadata={"event_type": METADATA_EVENT, "event_payload": {"key": delivery.key}},
            )
        )

    async def _dm_channel(self, user_id: str) -> str:
        known = self._dm_channels.get(user_id)
        if known is not None:
            return known
        response = await _call(self._client.conversations_open(users=user_id))
        channel = response.get("channel") or {}
        channel_id = channel.get("id") if isinstance(channel, dict) else None
        if not isinstance(channel_id, str) or not channel_id:
            raise PermanentFailure("conversations.open without a channel")
        self._dm_channels[user_id] = channel_id
        return channel_id


async def _call(request: Awaitable[AsyncSlackResponse]) -> dict[str, object]:
    """Await one Web API call and translate its failure into the notify service's errors."""
    try:
        response = await request
    except SlackApiError as error:
        raise _translate(error) from None
    except (aiohttp.ClientError, TimeoutError, SlackClientError) as error:
        raise TemporaryFailure(type(error).__name__) from None
    data = response.data
    return data if isinstance(data, dict) else {}


def _translate(error: SlackApiError) -> Exception:
    response = error.response
    status = int(getattr(response, "status_code", 0) or 0)
    code = str(response.get("error", "") if isinstance(response.data, dict) else "") or "-"
    if status == 429 or code == "ratelimited":
        return RetryLater(code, after=_retry_after(response.headers))
    if status >= 500 or code in TRANSIENT_ERRORS:
        return TemporaryFailure(f"HTTP {status} {code}")
    if code in TOKEN_TROUBLE:
        log.error("Slack refused the bot token (%s): fix SLACK_BOT_TOKEN", code)
        return TemporaryFailure(code)
    if code in TARGET_GONE:
        return TargetUnavailable(code)
    return PermanentFailure(code)


def _retry_after(headers: object) -> float:
    raw = headers.get("Retry-After") if hasattr(headers, "get") else None
    try:
        return max(0.0, float(raw)) if raw is not None else DEFAULT_RETRY_AFTER
    except (TypeError, ValueError):
        return DEFAULT_RETRY_AFTER


class SlackDelivery:
    """The sender with its own HTTP session and Web API client; ``close`` at shutdown.

    Build it inside the running event loop (aiohttp's session wants one).
    """

    def __init__(
        self, *, token: str, api_url: str, command: str = "/scnet", timeout: int = 10
    ) -> None:
        self._session = aiohttp.ClientSession()
        client = AsyncWebClient(
            token=token,
            base_url=api_url,
            timeout=timeout,
            session=self._session,
            retry_handlers=[],
        )
        self.sender = SlackSender(client, command=command)

    async def close(self) -> None:
        await self._session.close()
        # aiohttp's advice: give the connector's transports a tick to close.
        await asyncio.sleep(0)
