"""HS256 JSON Web Tokens from the standard library: just enough to mint and check SCNet tokens.

SCNet's tokens are HS256 JWTs whose payload is a flat object of *string* claims (reference §2.4),
so this module encodes and decodes exactly that and nothing more (no ``nbf``/``exp`` handling:
SCNet's expiry lives in the ``expireTime`` claim, epoch milliseconds as a string, and the
simulator checks it against its own clock).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

_HEADER = {"alg": "HS256", "typ": "JWT"}


class InvalidToken(Exception):
    """The text is not a well-formed HS256 JWT signed with our key. Carries no token text."""


def _b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    padded = text + "=" * (-len(text) % 4)
    try:
        return base64.urlsafe_b64decode(padded.encode("ascii"))
    except (ValueError, UnicodeEncodeError) as exc:
        raise InvalidToken("bad base64") from exc


def _sign(signing_input: str, key: bytes) -> str:
    digest = hmac.new(key, signing_input.encode("ascii"), hashlib.sha256).digest()
    return _b64encode(digest)


def _compact(value: object) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def encode(claims: dict[str, str], key: bytes) -> str:
    """``header.payload.signature`` for ``claims``, signed with HMAC-SHA256 under ``key``."""
    signing_input = f"{_b64encode(_compact(_HEADER))}.{_b64encode(_compact(claims))}"
    return f"{signing_input}.{_sign(signing_input, key)}"


def decode(token: str, key: bytes) -> dict[str, str]:
    """The claims of ``token`` once its HS256 signature checks out; ``InvalidToken`` otherwise."""
    parts = token.split(".")
    if len(parts) != 3:
        raise InvalidToken("not three segments")
    header_b64, payload_b64, signature = parts
    expected = _sign(f"{header_b64}.{payload_b64}", key)
    if not hmac.compare_digest(expected.encode("ascii"), signature.encode("ascii", "replace")):
        raise InvalidToken("bad signature")
    header = _load_object(header_b64)
    if header.get("alg") != "HS256":
        raise InvalidToken("unexpected alg")
    return {str(k): str(v) for k, v in _load_object(payload_b64).items()}


def _load_object(segment: str) -> dict[str, object]:
    try:
        value = json.loads(_b64decode(segment))
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidToken("bad json") from exc
    if not isinstance(value, dict):
        raise InvalidToken("not an object")
    return value
