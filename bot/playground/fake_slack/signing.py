"""Requests signed as Slack signs what it sends to an app's Request URL.

Slack's scheme (docs "Verifying requests from Slack"; ``slack_sdk/signature/__init__.py``
checks the same): the base string is ``v0:{X-Slack-Request-Timestamp}:{raw body}``, the
signature ``v0=`` + hex HMAC-SHA256 of it keyed by the app's signing secret, and verifiers
refuse timestamps more than five minutes from their clock. Redeliveries of events carry
``X-Slack-Retry-Num`` (1, 2, 3) and ``X-Slack-Retry-Reason`` (``http_timeout``,
``http_error``, ``too_many_requests``, ``ssl_error``, ``connection_failed``, ``unknown_error``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp

USER_AGENT = "Slackbot 1.0 (+https://api.slack.com/robots)"


def signature(body: bytes, secret: str, timestamp: int | str) -> str:
    base = b"v0:" + str(timestamp).encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def sign(body: bytes, secret: str, timestamp: int | str) -> dict[str, str]:
    """The two headers that authenticate ``body``."""
    return {
        "X-Slack-Request-Timestamp": str(timestamp),
        "X-Slack-Signature": signature(body, secret, timestamp),
    }


def signed_headers(
    body: bytes,
    content_type: str,
    secret: str,
    *,
    timestamp: int | str | None = None,
    retry_num: int | None = None,
    retry_reason: str = "http_timeout",
) -> dict[str, str]:
    """Every header Slack puts on a request to a Request URL (``timestamp`` defaults to
    now, as Slack's would be)."""
    stamp = int(time.time()) if timestamp is None else timestamp
    headers = {
        "Content-Type": content_type,
        "User-Agent": USER_AGENT,
        "Accept": "application/json,*/*",
        **sign(body, secret, stamp),
    }
    if retry_num is not None:
        headers["X-Slack-Retry-Num"] = str(retry_num)
        headers["X-Slack-Retry-Reason"] = retry_reason
    return headers


@dataclass(frozen=True, slots=True)
class SignedResponse:
    """What the app answered: status, headers and the whole body."""

    status: int
    headers: Mapping[str, str]
    text: str

    def json(self) -> Any:
        return json.loads(self.text)


async def post_signed(
    session: aiohttp.ClientSession,
    url: str,
    body: bytes,
    content_type: str,
    secret: str,
    *,
    timestamp: int | str | None = None,
    retry_num: int | None = None,
    retry_reason: str = "http_timeout",
) -> SignedResponse:
    """POST ``body`` to ``url`` as Slack would, and read the whole answer."""
    headers = signed_headers(
        body,
        content_type,
        secret,
        timestamp=timestamp,
        retry_num=retry_num,
        retry_reason=retry_reason,
    )
    async with session.post(url, data=body, headers=headers) as response:
        text = await response.text()
        return SignedResponse(response.status, dict(response.headers), text)
