"""The token lifecycle: log in, hand out a usable token for each call, renew it, forget it.

* ``login_with_token`` / ``login_with_keys`` validate with SCNet (tokens/state, or minting with
  AK/SK), read user and expiry from the JWT, discover the region's AI base through /center
  when an auth base is configured, and store everything encrypted.
* ``call`` runs one SCNet operation as the user. A token close to expiry is renewed first; a
  10008 answer triggers one renewal and one retry. Renewals of one user are serialised by a
  lock and collapse: whoever waited finds the token already renewed and just uses it.
* Renewal uses tokens/next; where SCNet refuses it and the user stored AK/SK, a fresh token is
  minted; otherwise the account is flagged and the user is asked to log in again.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from bot.domain.identity import LoginRequiredReason, SlackUser
from bot.domain.instances import AccountInfo, RegionToken, TokenClaims
from bot.domain.secret import Secret
from bot.scnet.client import Caller, ScnetClient
from bot.scnet.errors import AuthError, Refused, ScnetError, TokenInvalid
from bot.scnet.jwt import MalformedToken, decode_claims

# Raised here; callers elsewhere (the watcher, the renewals) import them from this module.
from bot.services.errors import LoginNeeded as LoginNeeded
from bot.services.errors import LoginRejected as LoginRejected
from bot.store.accounts import (
    AccountSummary as AccountSummary,
)
from bot.store.accounts import (
    Credentials,
    LoginRequired,
    NewLogin,
    ScnetIdentity,
    UnlockedAccount,
    forget,
    get_summary,
    load_for_call,
    mark_needs_login,
    save_login,
    save_renewed_token,
)
from bot.store.database import Database
from bot.store.vault import Vault

log = logging.getLogger(__name__)
T = TypeVar("T")
Now = Callable[[], datetime]


@dataclass(frozen=True, slots=True)
class AccountPolicy:
    default_ai_url: str
    discover_region: bool  # ask /center for the region's AI base (SCNET_AUTH_URL is set)
    renew_before: timedelta = timedelta(minutes=30)


@dataclass(frozen=True, slots=True)
class WhoAmIView:
    summary: AccountSummary | None  # None: not logged in
    account: AccountInfo | None  # None: not logged in, or SCNet did not answer


class AccountService:
    """The user's SCNet login: stored, renewed, and handed to each call as a ``Caller``."""

    def __init__(
        self,
        *,
        db: Database,
        vault: Vault,
        client: ScnetClient,
        policy: AccountPolicy,
        now: Now,
        cache_seconds: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
        on_renewal: Callable[[str], None] = lambda _outcome: None,
    ) -> None:
        """``on_renewal`` hears each renewal tried: renewed, login_needed or failed."""
        self._on_renewal = on_renewal
        self._db = db
        self._vault = vault
        self._client = client
        self._policy = policy
        self._now = now
        self._locks: dict[SlackUser, asyncio.Lock] = {}
        # Decrypted logins, briefly: every command would otherwise read and decrypt the row.
        # Login, logout and renewal replace or drop the entry; another replica's renewal is
        # seen within cache_seconds, and a stale token only costs one 10008 and a renewal.
        self._unlocked: dict[SlackUser, tuple[UnlockedAccount, float]] = {}
        # One database read per user at a time: a burst of commands from one user (or the
        # watcher and the usage sync) waits for it instead of each reading and decrypting.
        self._loading: dict[SlackUser, asyncio.Lock] = {}
        self._cache_seconds = cache_seconds
        self._clock = clock

    # --- login / logout ---------------------------------------------------------------------

    async def login_with_token(self, user: SlackUser, token: Secret) -> AccountSummary:
        """Check the token with SCNet and store it; ``LoginRejected`` (nothing stored) when
        unusable."""
        claims = self._claims_of(token)
        if claims.cluster_id in {"0", "ac"}:
            raise LoginRejected("login.platform_token")
        try:
            await self._client.check_token(token)
        except AuthError as error:
            raise LoginRejected("login.token_refused", detail=error.code) from None
        return await self._store_login(user, token, claims, credentials=None)

    async def login_with_keys(
        self,
        user: SlackUser,
        *,
        scnet_user: str,
        access_key: Secret,
        secret_key: Secret,
        keep_credentials: bool,
    ) -> AccountSummary:
        """Mint a token with AK/SK and store it, the keys too if asked; ``LoginRejected`` when
        refused."""
        try:
            regions = await self._client.tokens_with_keys(
                user=scnet_user, access_key=access_key, secret_key=secret_key
            )
        except (AuthError, Refused) as error:
            raise LoginRejected("login.keys_refused", detail=error.code) from None
        token = pick_region_token(regions, preferred_cluster=None)
        if token is None:
            raise LoginRejected("login.no_region")
        credentials = Credentials(access_key, secret_key) if keep_credentials else None
        return await self._store_login(user, token, self._claims_of(token), credentials)

    async def logout(self, user: SlackUser) -> bool:
        """Forget the user's login; whether there was one."""
        self._unlocked.pop(user, None)
        async with self._db.transaction() as session:
            return await forget(session, user)

    async def summary(self, user: SlackUser) -> AccountSummary | None:
        """The user's login as stored, without any secret; None when not logged in."""
        async with self._db.transaction() as session:
            return await get_summary(session, user)

    def _claims_of(self, token: Secret) -> TokenClaims:
        try:
            claims = decode_claims(token.reveal())
        except MalformedToken:
            raise LoginRejected("login.not_a_token") from None
        if claims.expires_at is not None and claims.expires_at <= self._now():
            raise LoginRejected("login.token_expired")
        return claims

    async def _store_login(
        self,
        user: SlackUser,
        token: Secret,
        claims: TokenClaims,
        credentials: Credentials | None,
    ) -> AccountSummary:
        identity = await self._identity_for(token, claims)
        login = NewLogin(
            user=user,
            identity=identity,
            token=token,
            token_expires_at=claims.expires_at,
            credentials=credentials,
        )
        self._unlocked.pop(user, None)
        async with self._db.transaction() as session:
            summary = await save_login(session, login, vault=self._vault, now=self._now())
        # What a read would decrypt now: the first command after a login needs no read.
        unlocked = UnlockedAccount(
            user=user,
            identity=identity,
            token=token,
            token_expires_at=claims.expires_at,
            credentials=credentials,
        )
        self._unlocked[user] = (unlocked, self._clock())
        return summary

    async def _identity_for(self, token: Secret, claims: TokenClaims) -> ScnetIdentity:
        ai_url, region = self._policy.default_ai_url, ""
        if self._policy.discover_region:
            center = await self._client.get_center(token)
            region = center.region_name
            if center.ai_url is None:
                raise LoginRejected("login.no_ai_service")
            ai_url = center.ai_url
        return ScnetIdentity(
            scnet_user=claims.user,
            cluster_id=claims.cluster_id,
            region_name=region,
            ai_base_url=ai_url,
        )

    async def account(self, user: SlackUser) -> AccountInfo:
        """The user's SCNet account as SCNet reports it now: status, balance (CNY), center."""
        return await self.call(user, lambda caller: self._client.get_account(caller.token))

    async def whoami(self, user: SlackUser) -> WhoAmIView:
        """The user's login as stored and, when logged in, their account as SCNet reports it.

        The account is None when SCNet does not answer, so that whoami still shows what the
        stored login knows (a login that needs renewing and cannot be renewed raises
        ``LoginNeeded``: the user hears to log in again).
        """
        summary = await self.summary(user)
        if summary is None or summary.needs_login:
            return WhoAmIView(summary, None)
        try:
            return WhoAmIView(summary, await self.account(user))
        except ScnetError as error:
            log.info("whoami without the account (%s)", type(error).__name__)
            return WhoAmIView(summary, None)

    # --- calls ------------------------------------------------------------------------------

    async def call(self, user: SlackUser, operation: Callable[[Caller], Awaitable[T]]) -> T:
        """Run ``operation`` with the user's token; renew once on 10008 and retry once."""
        account = await self._unlock(user)
        if self._expires_soon(account):
            account = await self._renew(user, stale=account.token)
        try:
            return await operation(_caller(account))
        except TokenInvalid:
            renewed = await self._renew(user, stale=account.token)
            return await operation(_caller(renewed))

    async def caller(self, user: SlackUser) -> Caller:
        """A caller with a usable token (renewed first when close to expiry); ``LoginNeeded``
        without one."""
        account = await self._unlock(user)
        if self._expires_soon(account):
            account = await self._renew(user, stale=account.token)
        return _caller(account)

    async def renew(self, user: SlackUser) -> None:
        """Renew now (the scheduler's renewal job); LoginNeeded where it cannot."""
        account = await self._unlock(user)
        await self._renew(user, stale=account.token)

    def _expires_soon(self, account: UnlockedAccount) -> bool:
        expires = account.token_expires_at
        return expires is not None and expires - self._policy.renew_before <= self._now()

    async def _unlock(self, user: SlackUser, *, fresh: bool = False) -> UnlockedAccount:
        cached = None if fresh else self._cached(user)
        if cached is not None:
            return cached
        async with self._loading.setdefault(user, asyncio.Lock()):
            cached = None if fresh else self._cached(user)
            if cached is not None:
                return cached  # loaded by a call that held the lock while this one waited
            async with self._db.transaction() as session:
                loaded = await load_for_call(session, user, vault=self._vault, now=self._now())
            if isinstance(loaded, LoginRequired):
                self._unlocked.pop(user, None)
                raise LoginNeeded(loaded.reason)
            self._unlocked[user] = (loaded, self._clock())
            return loaded

    def _cached(self, user: SlackUser) -> UnlockedAccount | None:
        entry = self._unlocked.get(user)
        if entry is None or self._clock() - entry[1] >= self._cache_seconds:
            return None
        return entry[0]

    async def _renew(self, user: SlackUser, *, stale: Secret) -> UnlockedAccount:
        lock = self._locks.setdefault(user, asyncio.Lock())
        async with lock:
            current = await self._unlock(user, fresh=True)
            if current.token != stale:
                return current  # renewed by a concurrent call while we waited
            try:
                token = await self._fresh_token(current)
            except ScnetError:
                self._on_renewal("failed")  # no usable answer: tried again later
                raise
            if token is None:
                self._on_renewal("login_needed")
                async with self._db.transaction() as session:
                    await mark_needs_login(
                        session,
                        user,
                        reason=LoginRequiredReason.RENEWAL_FAILED,
                        now=self._now(),
                    )
                self._unlocked.pop(user, None)
                raise LoginNeeded(LoginRequiredReason.RENEWAL_FAILED)
            expires = _expiry_of(token)
            async with self._db.transaction() as session:
                await save_renewed_token(
                    session,
                    user,
                    vault=self._vault,
                    token=token,
                    expires_at=expires,
                    now=self._now(),
                )
            self._on_renewal("renewed")
            log.info("renewed the SCNet token of team %s user %s", user.team_id, user.user_id)
            renewed = UnlockedAccount(
                user=user,
                identity=current.identity,
                token=token,
                token_expires_at=expires,
                credentials=current.credentials,
            )
            self._unlocked[user] = (renewed, self._clock())
            return renewed

    async def _fresh_token(self, account: UnlockedAccount) -> Secret | None:
        """tokens/next first; AK/SK minting where that is refused; None where neither works."""
        try:
            return await self._client.renew_token(account.token)
        except (AuthError, Refused) as error:
            log.info("tokens/next refused (%s)", type(error).__name__)
        if account.credentials is None:
            return None
        try:
            regions = await self._client.tokens_with_keys(
                user=account.identity.scnet_user,
                access_key=account.credentials.access_key,
                secret_key=account.credentials.secret_key,
            )
        except (AuthError, Refused) as error:
            log.info("minting with stored AK/SK refused (%s)", type(error).__name__)
            return None
        return pick_region_token(regions, preferred_cluster=account.identity.cluster_id)


def pick_region_token(
    regions: tuple[RegionToken, ...], *, preferred_cluster: str | None
) -> Secret | None:
    """The container token: the preferred region's, else the first usable non-platform one."""
    usable = [r for r in regions if not r.is_platform and r.token is not None]
    for region in usable:
        if region.cluster_id == preferred_cluster:
            return region.token
    return usable[0].token if usable else None


def _expiry_of(token: Secret) -> datetime | None:
    try:
        return decode_claims(token.reveal()).expires_at
    except MalformedToken:
        return None


def _caller(account: UnlockedAccount) -> Caller:
    return Caller(token=account.token, ai_base_url=account.identity.ai_base_url or None)
