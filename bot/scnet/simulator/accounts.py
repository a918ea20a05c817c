"""Users, their tokens and the two login schemes (reference §2.4, §3).

Tokens are HS256 JWTs signed with a key of this simulator alone (a token of one simulator is
garbage to another) whose claims are all strings: ``computeUser``, ``accountStatus``,
``creator`` ``"ac"``, ``role``, ``expireTime`` (epoch *milliseconds*), ``clusterId``,
``invoker`` (the AK or orgId that minted it), ``user``, ``userId``.

A user has an account in one or more regions (``User.regions``, clusterIds of
``catalog.REGIONS``; ``11250`` alone by default). A login mints one token per region of the
user and then the platform token (``clusterId "0"``, ``ac``), in that order (§3.1).

Checks on every API call, in this order: a token that is missing, garbled, signed by someone
else, expired or names an unknown user → 10008; a frozen account → 10007 (``/user`` and
``tokens/state`` still answer, so a bot can tell the user why); the platform token
(``clusterId "0"``) on a container endpoint → 10009.

AK/SK login (``POST /api/user/v3/tokens``): missing header → 10003; ``timestamp`` not an integer
or more than ``signature_skew_seconds`` away from the clock → 10004; unknown user, wrong AK or
wrong signature → 10009 (the doc's "校验失败"). For a non-ASCII user name the signature may cover
either the ``\\uXXXX``-escaped JSON or the raw UTF-8 JSON (§3.1 leaves it ambiguous): both pass.
Password login: missing header → 10003, wrong user/password → 10009. A frozen account logs in
but every region's ``token`` is null.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Literal

from bot.scnet.simulator import jwt
from bot.scnet.simulator.catalog import (
    HOME_CLUSTER,
    PLATFORM_CLUSTER,
    PLATFORM_NAME,
    REGIONS,
    region,
)
from bot.scnet.simulator.config import SimulatorConfig
from bot.scnet.simulator.wire import (
    ACCOUNT_FROZEN,
    API_FORBIDDEN,
    INVALID_PARAM,
    MISSING_PARAM,
    TOKEN_INVALID,
    ApiError,
)

Scope = Literal["container", "any"]  # "any": platform or region token (auth, center, user)
_CLAIMS_CACHE_SIZE = 4096


@dataclass(slots=True)
class User:
    name: str
    password: str | None = None
    access_key: str | None = None
    secret_key: str | None = None
    frozen: bool = False
    balance: str = "1000.00"
    regions: tuple[str, ...] = (HOME_CLUSTER,)  # clusterIds the user has an account in

    @property
    def user_id(self) -> str:
        return str(10_000_000_000 + zlib.crc32(self.name.encode()))  # 11 digits, like the docs

    @property
    def account_status(self) -> str:
        return "Disable" if self.frozen else "Normal"

    @property
    def home(self) -> str:
        return f"/public/home/{self.name}"


def signature_message(
    *, access_key: str, timestamp: str, user: str, ensure_ascii: bool = True
) -> str:
    """The exact text the AK/SK signature covers (reference §3.1): compact JSON, keys in this
    order, values JSON-escaped as the clients' ``json.dumps`` does. ``ensure_ascii`` picks the
    form of non-ASCII text: ``\\uXXXX`` escapes (the doc's Python sample) or raw UTF-8 (what
    public clients and the bot sign); for an ASCII-only user both are the same text."""
    fields = {"accessKey": access_key, "timestamp": timestamp, "user": user}
    return json.dumps(fields, separators=(",", ":"), ensure_ascii=ensure_ascii)


def signature_messages(*, access_key: str, timestamp: str, user: str) -> tuple[str, ...]:
    """Every form of the signed text the login accepts: escaped, then raw UTF-8 if it differs."""
    forms = (
        signature_message(access_key=access_key, timestamp=timestamp, user=user, ensure_ascii=flag)
        for flag in (True, False)
    )
    return tuple(dict.fromkeys(forms))


def sign(secret_key: str, message: str) -> str:
    return hmac.new(secret_key.encode(), message.encode(), hashlib.sha256).hexdigest()


class Accounts:
    def __init__(self, *, clock: Callable[[], float], config: SimulatorConfig) -> None:
        self._clock = clock
        self._config = config
        self._key = secrets.token_bytes(32)
        self._users: dict[str, User] = {}
        # decoded claims by token text: a poller sends the same few tokens thousands of times
        self._claims_cache: dict[str, dict[str, str] | None] = {}

    def add(self, user: User) -> User:
        try:
            Decimal(user.balance)
        except InvalidOperation as exc:
            raise ValueError("balance must be a decimal string such as '1234.50'") from exc
        unknown = [cluster for cluster in user.regions if region(cluster) is None]
        if not user.regions or unknown:
            known = [r.cluster_id for r in REGIONS]
            raise ValueError(f"regions must be some of {known}, got {list(user.regions)}")
        self._users[user.name] = user
        return user

    def get(self, name: str) -> User:
        return self._users[name]

    # ----------------------------------------------------------------- tokens

    def issue(self, user: User, *, cluster_id: str, ttl_seconds: float, invoker: str) -> str:
        expires_ms = int((self._clock() + ttl_seconds) * 1000)
        claims = {
            "computeUser": user.name,
            "accountStatus": user.account_status,
            "creator": "ac",
            "role": "1",
            "expireTime": str(expires_ms),
            "clusterId": cluster_id,
            "invoker": invoker,
            "user": user.name,
            "userId": user.user_id,
        }
        return jwt.encode(claims, self._key)

    def claims_or_none(self, token: str | None) -> dict[str, str] | None:
        """The claims of a token we signed (expired or not), else None."""
        if not token:
            return None
        if token in self._claims_cache:
            return self._claims_cache[token]
        try:
            claims: dict[str, str] | None = jwt.decode(token.strip(), self._key)
        except jwt.InvalidToken:
            claims = None
        if len(self._claims_cache) >= _CLAIMS_CACHE_SIZE:
            self._claims_cache.clear()
        self._claims_cache[token] = claims
        return claims

    def caller(
        self, claims: Mapping[str, str] | None, *, scope: Scope, allow_frozen: bool = False
    ) -> User:
        """The user a request acts as, after the checks of the module docstring."""
        if claims is None or self._expired_by(claims) >= 0:
            raise ApiError(TOKEN_INVALID, "token 无效或已过期")
        user = self._users.get(claims.get("user", ""))
        if user is None:
            raise ApiError(TOKEN_INVALID, "用户不存在")
        if user.frozen and not allow_frozen:
            raise ApiError(ACCOUNT_FROZEN)
        if scope == "container" and claims.get("clusterId") == PLATFORM_CLUSTER:
            raise ApiError(API_FORBIDDEN, "平台 token 不能访问容器接口")
        return user

    def renew(self, claims: Mapping[str, str] | None) -> tuple[User, str]:
        """A fresh token for the same user and region; 10008 past the renewal grace."""
        if claims is None or self._expired_by(claims) > self._config.renew_grace_seconds:
            raise ApiError(TOKEN_INVALID, "token 无法续期")
        user = self._users.get(claims.get("user", ""))
        if user is None:
            raise ApiError(TOKEN_INVALID, "用户不存在")
        if user.frozen:
            raise ApiError(ACCOUNT_FROZEN)
        token = self.issue(
            user,
            cluster_id=claims.get("clusterId", PLATFORM_CLUSTER),
            ttl_seconds=self._config.token_ttl_seconds,
            invoker=claims.get("invoker", ""),
        )
        return user, token

    def _expired_by(self, claims: Mapping[str, str]) -> float:
        """Seconds since the token expired (< 0 while valid); +inf if expireTime is unusable."""
        raw = claims.get("expireTime", "")
        if not raw.isdigit():
            return float("inf")
        return self._clock() - int(raw) / 1000

    # ----------------------------------------------------------------- logins

    def login_aksk(self, headers: Mapping[str, str]) -> tuple[User, str]:
        name, access_key, timestamp, signature = (
            _header(headers, key) for key in ("user", "accessKey", "timestamp", "signature")
        )
        if not timestamp.isdigit():
            raise ApiError(INVALID_PARAM, "timestamp")
        if abs(self._clock() - int(timestamp)) > self._config.signature_skew_seconds:
            raise ApiError(INVALID_PARAM, "timestamp 超出允许范围")
        user = self._users.get(name)
        if user is None or user.secret_key is None or user.access_key != access_key:
            raise ApiError(API_FORBIDDEN, "校验失败")
        messages = signature_messages(access_key=access_key, timestamp=timestamp, user=name)
        expected = signature.lower()
        if not any(hmac.compare_digest(sign(user.secret_key, m), expected) for m in messages):
            raise ApiError(API_FORBIDDEN, "校验失败")
        return user, access_key

    def login_password(self, headers: Mapping[str, str]) -> tuple[User, str]:
        name, password, org_id = (_header(headers, key) for key in ("user", "password", "orgId"))
        user = self._users.get(name)
        if user is None or user.password is None:
            raise ApiError(API_FORBIDDEN, "校验失败")
        if not hmac.compare_digest(user.password.encode(), password.encode()):
            raise ApiError(API_FORBIDDEN, "校验失败")
        return user, org_id

    def region_tokens(self, user: User, *, invoker: str) -> list[dict[str, object]]:
        """One entry per region of the user, then the platform's (first with
        ``platform_token_first``); ``token`` null for a frozen account."""
        ttl = self._config.token_ttl_seconds
        clusters = [(r.cluster_id, r.name) for r in REGIONS if r.cluster_id in user.regions]
        platform = [(PLATFORM_CLUSTER, PLATFORM_NAME)]
        ordered = platform + clusters if self._config.platform_token_first else clusters + platform
        return [
            {
                "clusterId": cluster_id,
                "clusterName": cluster_name,
                "token": None
                if user.frozen
                else self.issue(user, cluster_id=cluster_id, ttl_seconds=ttl, invoker=invoker),
            }
            for cluster_id, cluster_name in ordered
        ]


def _header(headers: Mapping[str, str], name: str) -> str:
    """A required header (case-insensitive, as aiohttp's CIMultiDict reads them)."""
    value = headers.get(name, "").strip()
    if not value:
        raise ApiError(MISSING_PARAM, name)
    return value
