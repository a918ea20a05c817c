"""Encryption key chores behind ``scnet-bot keys generate|rotate``.

Rotating, step by step (the order matters with several replicas):

1. ``scnet-bot keys generate`` and put the new key *first* in ``ENCRYPTION_KEYS``, keeping the
   old ones after it; restart every replica (they now write under the new key and still
   read the old one).
2. ``scnet-bot keys rotate`` (``rotate_keys``): re-encrypts every stored secret under the new
   key, batch by batch, each batch its own transaction, so a crash keeps what was done and a
   re-run skips what is already current.
3. Drop the old keys from ``ENCRYPTION_KEYS`` and restart.

A row no configured key reads cannot be rotated; it is flagged ``needs_login`` and counted,
and rotation goes on with the next row. A row flagged for that reason that reads again (the
operator put a lost key back) is unflagged.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum

from cryptography.fernet import Fernet
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.domain.identity import LoginRequiredReason, SlackUser
from bot.store.accounts import (
    ACCESS_KEY_FIELD,
    SECRET_KEY_FIELD,
    TOKEN_FIELD,
    secret_context,
    unchanged_since_read,
)
from bot.store.database import Session, affected_rows, open_session_factory
from bot.store.tables import AccountRow
from bot.store.vault import SecretUnreadable, Vault

logger = logging.getLogger(__name__)

_SECRET_COLUMNS = (
    (TOKEN_FIELD, "token_ciphertext"),
    (ACCESS_KEY_FIELD, "access_key_ciphertext"),
    (SECRET_KEY_FIELD, "secret_key_ciphertext"),
)


def generate_key() -> str:
    """A new random Fernet key, url-safe base64 text, for ``ENCRYPTION_KEYS``."""
    return Fernet.generate_key().decode("ascii")


@dataclass(frozen=True, slots=True)
class RotationReport:
    """Accounts per outcome; ``rotated + already_current + unreadable + skipped`` = all.

    ``recovered`` counts accounts among the first two that were flagged unreadable before
    and are usable again. ``skipped`` counts accounts rewritten by a login while this ran:
    they were written under whatever key that process had first; run again to be sure.
    """

    rotated: int = 0
    already_current: int = 0
    unreadable: int = 0
    skipped: int = 0
    recovered: int = 0

    @property
    def total(self) -> int:
        return self.rotated + self.already_current + self.unreadable + self.skipped


class _Outcome(Enum):
    ROTATED = "rotated"
    CURRENT = "already_current"
    UNREADABLE = "unreadable"
    SKIPPED = "skipped"


async def rotate_keys(
    engine: AsyncEngine, vault: Vault, *, batch_size: int = 500, now: datetime | None = None
) -> RotationReport:
    """Re-encrypt every stored secret under the vault's first key; see the module docstring."""
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    stamp = now or datetime.now(UTC)
    sessions = open_session_factory(engine)
    counts = dict.fromkeys(_Outcome, 0)
    recovered = 0
    last_id = 0
    while True:
        async with sessions.begin() as session:
            statement = (
                select(AccountRow)
                .where(AccountRow.id > last_id)
                .order_by(AccountRow.id)
                .limit(batch_size)
            )
            rows = list((await session.execute(statement)).scalars())
            for row in rows:
                outcome, was_recovered = await _rotate_row(session, row, vault=vault, now=stamp)
                counts[outcome] += 1
                recovered += was_recovered
        if len(rows) < batch_size:
            break
        last_id = rows[-1].id
    report = RotationReport(
        rotated=counts[_Outcome.ROTATED],
        already_current=counts[_Outcome.CURRENT],
        unreadable=counts[_Outcome.UNREADABLE],
        skipped=counts[_Outcome.SKIPPED],
        recovered=recovered,
    )
    logger.info(
        "key rotation: %d rotated, %d already current, %d unreadable, %d skipped",
        report.rotated,
        report.already_current,
        report.unreadable,
        report.skipped,
    )
    return report


async def _rotate_row(
    session: Session, row: AccountRow, *, vault: Vault, now: datetime
) -> tuple[_Outcome, bool]:
    user = SlackUser(row.team_id, row.user_id)
    values: dict[str, object] = {}
    unreadable = False
    for field, column in _SECRET_COLUMNS:
        blob: bytes | None = getattr(row, column)
        if blob is None:
            continue
        try:
            fresh = vault.reencrypt(blob, context=secret_context(user, field))
        except SecretUnreadable:
            unreadable = True
            continue
        if fresh is not None:
            values[column] = fresh
    flagged_unreadable = (
        row.needs_login and row.needs_login_reason == LoginRequiredReason.KEY_UNAVAILABLE.value
    )
    recovered = False
    if unreadable and not row.needs_login:
        values["needs_login"] = True
        values["needs_login_reason"] = LoginRequiredReason.KEY_UNAVAILABLE.value
    elif not unreadable and flagged_unreadable:
        values["needs_login"] = False
        values["needs_login_reason"] = None
        recovered = True
    if unreadable:
        logger.warning(
            "key rotation: the login of team %s user %s is unreadable; flagged for a new login",
            user.team_id,
            user.user_id,
        )
    if values:
        values["updated_at"] = now
        statement = (
            update(AccountRow)
            .where(*unchanged_since_read(row))
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        if affected_rows(await session.execute(statement)) == 0:
            return _Outcome.SKIPPED, False
    if unreadable:
        return _Outcome.UNREADABLE, False
    rotated = any(column in values for _, column in _SECRET_COLUMNS)
    return (_Outcome.ROTATED if rotated else _Outcome.CURRENT), recovered
