"""Fake SCNet tokens, built at run time so no token-shaped literal sits in the repository."""

from __future__ import annotations

import base64
import json


def _segment(data: dict[str, object]) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def fake_token(user: str = "alice", signature: str = "c2lnbmF0dXJlLW5vdC1yZWFs") -> str:
    header = _segment({"alg": "HS256", "typ": "JWT"})
    payload = _segment({"user": user, "clusterId": "11250", "expireTime": "1893456000000"})
    return f"{header}.{payload}.{signature}"
