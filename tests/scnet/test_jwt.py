"""Reading an SCNet token's claims without its key."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime

import pytest

from bot.scnet.jwt import MalformedToken, decode_claims


def fake_token(claims: dict[str, object]) -> str:
    def segment(value: dict[str, object]) -> str:
        raw = json.dumps(value).encode()
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    return f"{segment({'alg': 'HS256', 'typ': 'JWT'})}.{segment(claims)}.c2lnbmF0dXJl"


def test_claims_with_expiry_in_milliseconds_as_a_string() -> None:
    token = fake_token(
        {
            "computeUser": "slurmtest",
            "accountStatus": "Trial",
            "expireTime": "1686123346568",
            "clusterId": "11112",
            "user": "slurmtest",
            "userId": "11655048541",
        }
    )
    claims = decode_claims(token)
    assert claims.user == "slurmtest"
    assert claims.cluster_id == "11112"
    assert claims.expires_at == datetime.fromtimestamp(1686123346.568, tz=UTC)
    assert claims.account_status == "Trial"


def test_missing_or_odd_expiry_is_unknown_not_an_error() -> None:
    assert decode_claims(fake_token({"user": "a"})).expires_at is None
    assert decode_claims(fake_token({"user": "a", "expireTime": "soon"})).expires_at is None
    seconds = decode_claims(fake_token({"user": "a", "expireTime": 1700000000}))
    assert seconds.expires_at == datetime.fromtimestamp(1700000000, tz=UTC)


@pytest.mark.parametrize(
    "text",
    ["", "abc", "a.b", "a.!!!.c", fake_token({"clusterId": "1"}), "x." + "e30" + ".y"],
)
def test_malformed_tokens_are_refused_without_echoing_them(text: str) -> None:
    with pytest.raises(MalformedToken) as caught:
        decode_claims(text)
    if text:
        assert text not in str(caught.value)
