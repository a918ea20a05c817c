"""The token vault's rows: a Slack user's SCNet login, kept encrypted, handed out decrypted.

One row per (team, user). ``save_login`` encrypts the token and, when the user chose to keep
them, the AK/SK that can mint new tokens; ``load_for_call`` decrypts them for one SCNet call
and returns either an ``UnlockedAccount`` or a ``LoginRequired`` that the service turns into
"log in again". A row no configured key can read is flagged ``needs_login`` there and then,
never raised as a crash: an operator who dropped a key too early costs users a re-login,
not an outage. ``forget`` deletes the row, so logout removes the token and the credentials.

Writes that follow a read compare the ciphertext they read (compare-and-set), so a
concurrent re-login is never overwritten by a stale flag, renewal or rotation.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, delete, select, update

from bot.domain.identity import LoginRequiredReason, SlackUser
from bot.domain.secret import Secret
from bot.store.database import Session, affected_rows
from bot.store.tables import AccountRow
from bot.store.upserts import insert_for
from bot.store.vault import SecretUnreadable, Vault

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ScnetIdentity:
    """Who the user is on SCNet, and where their containers live. Not secret."""

    scnet_user: str
    cluster_id: str
    region_name: str
    ai_base_url: str


@dataclass(frozen=True, slots=True)
class Credentials:
    """An SCNet access key pair, kept only when the user asks the bot to renew on its own."""

    access_key: Secret
    secret_key: Secret


@dataclass(frozen=True, slots=True)
class NewLogin:
    user: SlackUser
    identity: ScnetIdentity
    token: Secret
    token_expires_at: datetime | None
    credentials: Credentials | None = None


@dataclass(frozen=True, slots=True)
class AccountSummary:
    """What may be shown about an account: no secret, only whether there are credentials."""

    user: SlackUser
    identity: ScnetIdentity
    token_expires_at: datetime | None
    has_credentials: bool
    needs_login: bool
    needs_login_reason: LoginRequiredReason | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class UnlockedAccount:
    """Decrypted for one call. Do not cache it: the next call loads a renewed token."""

    user: SlackUser
    identity: ScnetIdentity
    token: Secret
    token_expires_at: datetime | None
    credentials: Credentials | None


@dataclass(frozen=True, slots=True)
class LoginRequired:
    user: SlackUser
    reason: LoginRequiredReason


def secret_context(user: SlackUser, field: str) -> str:
    """Binds a ciphertext to its owner and column (see ``bot.store.vault``)."""
    return f"account:{user.team_id}:{user.user_id}:{field}"


# Field names in vault contexts, not secrets (hence the noqa).
TOKEN_FIELD = "token"  # noqa: S105
ACCESS_KEY_FIELD = "access_key"
SECRET_KEY_FIELD = "secret_key"  # noqa: S105


def _identity(row: AccountRow) -> ScnetIdentity:
    return ScnetIdentity(
        scnet_user=row.scnet_user,
        cluster_id=row.cluster_id,
        region_name=row.region_name,
        ai_base_url=row.ai_base_url,
    )


def _reason(raw: str | None) -> LoginRequiredReason | None:
    if raw is None:
        return None
    try:
        return LoginRequiredReason(raw)
    except ValueError:
        return LoginRequiredReason.KEY_UNAVAILABLE


def _summary(row: AccountRow) -> AccountSummary:
    return AccountSummary(
        user=SlackUser(row.team_id, row.user_id),
        identity=_identity(row),
        token_expires_at=row.token_expires_at,
        has_credentials=row.access_key_ciphertext is not None,
        needs_login=row.needs_login,
        needs_login_reason=_reason(row.needs_login_reason) if row.needs_login else None,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _where_user(user: SlackUser) -> tuple[ColumnElement[bool], ...]:
    return (AccountRow.team_id == user.team_id, AccountRow.user_id == user.user_id)


async def _get_row(session: Session, user: SlackUser) -> AccountRow | None:
    # populate_existing: a row already in this session (say, before an upsert) is re-read.
    statement = (
        select(AccountRow).where(*_where_user(user)).execution_options(populate_existing=True)
    )
    return (await session.execute(statement)).scalar_one_or_none()


async def save_login(
    session: Session, login: NewLogin, *, vault: Vault, now: datetime
) -> AccountSummary:
    """Store a fresh login, replacing every secret of an earlier one.

    ``credentials=None`` removes stored AK/SK: a new login is the user's whole current
    choice, so an old key pair does not linger after they decided not to keep one.
    """
    user = login.user
    token_ct = vault.encrypt(login.token, context=secret_context(user, TOKEN_FIELD))
    access_ct: bytes | None = None
    secret_ct: bytes | None = None
    if login.credentials is not None:
        access_ct = vault.encrypt(
            login.credentials.access_key, context=secret_context(user, ACCESS_KEY_FIELD)
        )
        secret_ct = vault.encrypt(
            login.credentials.secret_key, context=secret_context(user, SECRET_KEY_FIELD)
        )
    values = {
        "scnet_user": login.identity.scnet_user,
        "cluster_id": login.identity.cluster_id,
        "region_name": login.identity.region_name,
        "ai_base_url": login.identity.ai_base_url,
        "token_ciphertext": token_ct,
        "token_expires_at": login.token_expires_at,
        "access_key_ciphertext": access_ct,
        "secret_key_ciphertext": secret_ct,
        "needs_login": False,
        "needs_login_reason": None,
        "updated_at": now,
    }
    insert = insert_for(session, AccountRow).values(
        team_id=user.team_id, user_id=user.user_id, created_at=now, **values
    )
    statement = insert.on_conflict_do_update(index_elements=["team_id", "user_id"], set_=values)
    await session.execute(statement)
    row = await _get_row(session, user)
    assert row is not None  # written just above, in this transaction
    return _summary(row)


async def get_summary(session: Session, user: SlackUser) -> AccountSummary | None:
    row = await _get_row(session, user)
    return None if row is None else _summary(row)


async def load_for_call(
    session: Session, user: SlackUser, *, vault: Vault, now: datetime
) -> UnlockedAccount | LoginRequired:
    """The decrypted login, or why the user must log in again.

    A row no key decrypts is flagged ``needs_login`` (reason ``KEY_UNAVAILABLE``) in this
    transaction, so commit it: later calls answer from the flag without trying again.
    """
    row = await _get_row(session, user)
    if row is None:
        return LoginRequired(user, LoginRequiredReason.NOT_LOGGED_IN)
    if row.needs_login:
        reason = _reason(row.needs_login_reason) or LoginRequiredReason.KEY_UNAVAILABLE
        return LoginRequired(user, reason)
    try:
        token = vault.decrypt(row.token_ciphertext, context=secret_context(user, TOKEN_FIELD))
        credentials = _decrypt_credentials(row, user, vault)
    except SecretUnreadable as error:
        logger.warning(
            "stored login of team %s user %s is unreadable (%s); asking for a new login",
            user.team_id,
            user.user_id,
            error.reason,
        )
        await _flag_unreadable(session, row, now=now)
        return LoginRequired(user, LoginRequiredReason.KEY_UNAVAILABLE)
    return UnlockedAccount(
        user=user,
        identity=_identity(row),
        token=token,
        token_expires_at=row.token_expires_at,
        credentials=credentials,
    )


def _decrypt_credentials(row: AccountRow, user: SlackUser, vault: Vault) -> Credentials | None:
    if row.access_key_ciphertext is None or row.secret_key_ciphertext is None:
        return None
    return Credentials(
        access_key=vault.decrypt(
            row.access_key_ciphertext, context=secret_context(user, ACCESS_KEY_FIELD)
        ),
        secret_key=vault.decrypt(
            row.secret_key_ciphertext, context=secret_context(user, SECRET_KEY_FIELD)
        ),
    )


def unchanged_since_read(row: AccountRow) -> tuple[ColumnElement[bool], ...]:
    """The row still holds the ciphertexts we read: the compare-and-set guard of a write."""
    return (
        AccountRow.id == row.id,
        AccountRow.token_ciphertext == row.token_ciphertext,
        AccountRow.access_key_ciphertext.is_not_distinct_from(row.access_key_ciphertext),
        AccountRow.secret_key_ciphertext.is_not_distinct_from(row.secret_key_ciphertext),
    )


async def _flag_unreadable(session: Session, row: AccountRow, *, now: datetime) -> None:
    statement = (
        update(AccountRow)
        .where(*unchanged_since_read(row))
        .values(
            needs_login=True,
            needs_login_reason=LoginRequiredReason.KEY_UNAVAILABLE.value,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    await session.execute(statement)


async def save_renewed_token(
    session: Session,
    user: SlackUser,
    *,
    vault: Vault,
    token: Secret,
    expires_at: datetime | None,
    now: datetime,
) -> bool:
    """Replace the token after a renewal and clear ``needs_login``; False if logged out."""
    token_ct = vault.encrypt(token, context=secret_context(user, TOKEN_FIELD))
    statement = (
        update(AccountRow)
        .where(*_where_user(user))
        .values(
            token_ciphertext=token_ct,
            token_expires_at=expires_at,
            needs_login=False,
            needs_login_reason=None,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    result = await session.execute(statement)
    return affected_rows(result) > 0


async def mark_needs_login(
    session: Session, user: SlackUser, *, reason: LoginRequiredReason, now: datetime
) -> bool:
    """Flag the account (e.g. renewal refused); the next command asks for a new login."""
    statement = (
        update(AccountRow)
        .where(*_where_user(user))
        .values(needs_login=True, needs_login_reason=reason.value, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    result = await session.execute(statement)
    return affected_rows(result) > 0


async def forget_credentials(session: Session, user: SlackUser, *, now: datetime) -> bool:
    """Drop the stored AK/SK and keep the token; True if there were any."""
    statement = (
        update(AccountRow)
        .where(*_where_user(user), AccountRow.access_key_ciphertext.is_not(None))
        .values(access_key_ciphertext=None, secret_key_ciphertext=None, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    result = await session.execute(statement)
    return affected_rows(result) > 0


async def forget(session: Session, user: SlackUser) -> bool:
    """Log out: delete the row, and with it the token and any credentials."""
    statement = (
        delete(AccountRow).where(*_where_user(user)).execution_options(synchronize_session=False)
    )
    result = await session.execute(statement)
    return affected_rows(result) > 0


async def list_due_for_renewal(
    session: Session, *, expiring_before: datetime, limit: int = 100
) -> list[AccountSummary]:
    """Usable accounts whose token expires before ``expiring_before``, soonest first."""
    statement = (
        select(AccountRow)
        .where(
            AccountRow.needs_login.is_(False),
            AccountRow.token_expires_at.is_not(None),
            AccountRow.token_expires_at < expiring_before,
        )
        .order_by(AccountRow.token_expires_at, AccountRow.id)
        .limit(limit)
    )
    rows = (await session.execute(statement)).scalars()
    return [_summary(row) for row in rows]


async def list_accounts(session: Session, *, usable_only: bool = True) -> list[AccountSummary]:
    """Every stored login (only those not waiting for a new login, by default), by team/user."""
    statement = select(AccountRow).order_by(AccountRow.team_id, AccountRow.user_id)
    if usable_only:
        statement = statement.where(AccountRow.needs_login.is_(False))
    return [_summary(row) for row in (await session.execute(statement)).scalars()]
