"""Read an SCNet token's payload without verifying it.

The bot cannot verify the signature (the key is SCNet's); it only needs to know whose token it
is and when it expires, to schedule renewal and to refuse another user's token. SCNet sends
``expireTime`` as epoch *milliseconds* in a *string*.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import UTC, datetime

from bot.domain.instances import TokenClaims


class MalformedToken(ValueError):
    """The text is not a JWT with a JSON payload. The message never repeats the token."""


def _b64url_json(segment: str) -> dict[str, object]:
    padded = segment + "=" * (-len(segment) % 4)
    try:
        raw = base64.urlsafe_b64decode(padded.encode("ascii"))
        payload = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeError) as error:
        raise MalformedToken("token payload is not base64url JSON") from error
    if not isinstance(payload, dict):
        raise MalformedToken("token payload is not a JSON object")
    return payload


def _expiry(raw: object) -> datetime | None:
    if raw is None or isinstance(raw, bool):
        return None
    try:
        millis = int(str(raw).strip())
    except ValueError:
        return None
    # A few clients of other SCNet services send seconds; a value below 10^11 cannot be ms.
    seconds = millis / 1000 if millis > 10**11 else float(millis)
    try:
        return datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _text(payload: dict[str, object], key: str) -> str:
    value = payload.get(key)
    return "" if value is None else str(value)


def decode_claims(token: str) -> TokenClaims:
    """The user, cluster and expiry a token claims, read without checking its signature (SCNet does
    that); ``MalformedToken`` when it is not a JWT."""
    parts = token.strip().split(".")
    if len(parts) != 3 or not all(parts[:2]):
        raise MalformedToken("token is not a JWT (three dot-separated parts)")
    payload = _b64url_json(parts[1])
    user = _text(payload, "user") or _text(payload, "computeUser")
    if not user:
        raise MalformedToken("token payload names no user")
    return TokenClaims(
        user=user,
        cluster_id=_text(payload, "clusterId"),
        expires_at=_expiry(payload.get("expireTime")),
        user_id=_text(payload, "userId"),
        compute_user=_text(payload, "computeUser"),
        account_status=_text(payload, "accountStatus"),
    )
