"""Shared bits of the store tests: a fixed clock, users, and fake SCNet credentials.

Fake tokens are built at run time from random bytes, shaped like SCNet's JWTs (header,
payload, signature) so that "the payload segment never reaches the database" means
something, yet nothing committed looks like a real token.
"""

from __future__ import annotations

import base64
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from bot.domain.secret import Secret
from bot.store.accounts import Credentials, NewLogin, ScnetIdentity
from bot.store.identity import SlackUser

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def _segment(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


@dataclass(frozen=True)
class FakeLogin:
    login: NewLogin
    token: str
    payload_segment: str
    access_key: str
    secret_key: str

    @property
    def plaintexts(self) -> tuple[str, ...]:
        return (self.token, self.payload_segment, self.access_key, self.secret_key)


def fake_token(user: str = "alice") -> tuple[str, str]:
    """A JWT-shaped fake and its payload segment; random each call."""
    header = _segment(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    claims = {
        "user": user,
        "clusterId": "11250",
        "expireTime": str(int(NOW.timestamp() * 1000) + 86_400_000),
        "nonce": secrets.token_hex(16),
    }
    payload = _segment(json.dumps(claims, separators=(",", ":")).encode())
    signature = _segment(secrets.token_bytes(32))
    return f"{header}.{payload}.{signature}", payload


def fake_login(
    user: SlackUser, *, with_credentials: bool = True, expires_at: datetime | None = None
) -> FakeLogin:
    token, payload = fake_token(user.user_id.lower())
    access_key = "ak" + secrets.token_hex(16)
    secret_key = "sk" + secrets.token_hex(24)
    login = NewLogin(
        user=user,
        identity=ScnetIdentity(
            scnet_user=user.user_id.lower(),
            cluster_id="11250",
            region_name="华东一区【昆山】",
            ai_base_url="https://ai.example.invalid:58043",
        ),
        token=Secret(token),
        token_expires_at=expires_at,
        credentials=(
            Credentials(access_key=Secret(access_key), secret_key=Secret(secret_key))
            if with_credentials
            else None
        ),
    )
    return FakeLogin(login, token, payload, access_key, secret_key)


ALICE = SlackUser("T0TEAM", "U0ALICE")
BOB = SlackUser("T0TEAM", "U0BOB")
CAROL_ELSEWHERE = SlackUser("T0OTHER", "U0CAROL")
