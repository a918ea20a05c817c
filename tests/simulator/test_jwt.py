"""The stdlib HS256 implementation behind the simulator's tokens."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest

from bot.scnet.simulator import jwt

KEY = b"k" * 32


def test_round_trip() -> None:
    claims = {"user": "alice", "expireTime": "1750000000000"}
    assert jwt.decode(jwt.encode(claims, KEY), KEY) == claims


def test_signature_is_standard_hs256() -> None:
    token = jwt.encode({"user": "alice"}, KEY)
    signing_input, _, signature = token.rpartition(".")
    expected = hmac.new(KEY, signing_input.encode(), hashlib.sha256).digest()
    assert base64.urlsafe_b64encode(expected).rstrip(b"=").decode() == signature
    header = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
    assert header == {"alg": "HS256", "typ": "JWT"}


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t + "x",
        lambda t: t.replace(".", "", 1),
        lambda t: "a.b.c",
        lambda t: "",
        lambda t: t.split(".")[0] + "." + t.split(".")[1] + ".",
    ],
)
def test_garbage_is_refused(mangle: object) -> None:
    token = jwt.encode({"user": "alice"}, KEY)
    assert callable(mangle)
    with pytest.raises(jwt.InvalidToken):
        jwt.decode(mangle(token), KEY)


def test_other_key_is_refused() -> None:
    with pytest.raises(jwt.InvalidToken):
        jwt.decode(jwt.encode({"user": "alice"}, KEY), b"other")
