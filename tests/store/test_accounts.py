"""The account repository: save, load for a call, needs-login outcomes, forget."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import StatementError

from bot.domain.identity import LoginRequiredReason
from bot.domain.secret import Secret
from bot.store import accounts
from bot.store.accounts import (
    Credentials,
    LoginRequired,
    UnlockedAccount,
)
from bot.store.database import Database
from bot.store.identity import SlackUser
from bot.store.keys import generate_key
from bot.store.tables import AccountRow
from bot.store.vault import Vault
from tests.store.fakes import ALICE, BOB, CAROL_ELSEWHERE, NOW, fake_login


async def test_saved_login_loads_back_for_a_call(database: Database, vault: Vault) -> None:
    fake = fake_login(ALICE, expires_at=NOW + timedelta(hours=24))

    async with database.transaction() as session:
        summary = await accounts.save_login(session, fake.login, vault=vault, now=NOW)
    async with database.transaction() as session:
        loaded = await accounts.load_for_call(session, ALICE, vault=vault, now=NOW)

    assert summary.has_credentials
    assert not summary.needs_login
    assert summary.created_at == NOW
    assert isinstance(loaded, UnlockedAccount)
    assert loaded.token.reveal() == fake.token
    assert loaded.credentials == Credentials(Secret(fake.access_key), Secret(fake.secret_key))
    assert loaded.identity == fake.login.identity
    assert loaded.token_expires_at == NOW + timedelta(hours=24)
    assert loaded.token_expires_at.tzinfo is not None


async def test_dataclasses_show_no_secret(database: Database, vault: Vault) -> None:
    fake = fake_login(ALICE)
    async with database.transaction() as session:
        summary = await accounts.save_login(session, fake.login, vault=vault, now=NOW)
        loaded = await accounts.load_for_call(session, ALICE, vault=vault, now=NOW)

    shown = repr(summary) + repr(loaded) + str(loaded) + repr(fake.login)
    for plaintext in fake.plaintexts:
        assert plaintext not in shown


async def test_unknown_user_must_log_in(database: Database, vault: Vault) -> None:
    async with database.transaction() as session:
        outcome = await accounts.load_for_call(session, ALICE, vault=vault, now=NOW)
        summary = await accounts.get_summary(session, ALICE)

    assert outcome == LoginRequired(ALICE, LoginRequiredReason.NOT_LOGGED_IN)
    assert summary is None


async def test_a_new_login_replaces_token_and_drops_old_credentials(
    database: Database, vault: Vault
) -> None:
    first = fake_login(ALICE)
    second = fake_login(ALICE, with_credentials=False)
    later = NOW + timedelta(minutes=5)

    async with database.transaction() as session:
        await accounts.save_login(session, first.login, vault=vault, now=NOW)
    async with database.transaction() as session:
        summary = await accounts.save_login(session, second.login, vault=vault, now=later)
        loaded = await accounts.load_for_call(session, ALICE, vault=vault, now=later)
        rows = (await session.execute(select(func.count()).select_from(AccountRow))).scalar()

    assert rows == 1
    assert (summary.created_at, summary.updated_at) == (NOW, later)
    assert not summary.has_credentials
    assert isinstance(loaded, UnlockedAccount)
    assert loaded.token.reveal() == second.token
    assert loaded.credentials is None


async def test_users_are_kept_apart_by_team_and_user(database: Database, vault: Vault) -> None:
    logins = {user: fake_login(user) for user in (ALICE, BOB, CAROL_ELSEWHERE)}
    async with database.transaction() as session:
        for fake in logins.values():
            await accounts.save_login(session, fake.login, vault=vault, now=NOW)

    async with database.transaction() as session:
        for user, fake in logins.items():
            loaded = await accounts.load_for_call(session, user, vault=vault, now=NOW)
            assert isinstance(loaded, UnlockedAccount)
            assert loaded.token.reveal() == fake.token


async def test_row_no_key_reads_asks_for_login_and_is_flagged(database: Database) -> None:
    lost_vault = Vault.from_keys([generate_key()])
    async with database.transaction() as session:
        await accounts.save_login(session, fake_login(ALICE).login, vault=lost_vault, now=NOW)
    vault_without_that_key = Vault.from_keys([generate_key()])
    later = NOW + timedelta(hours=1)

    async with database.transaction() as session:
        outcome = await accounts.load_for_call(
            session, ALICE, vault=vault_without_that_key, now=later
        )
    async with database.transaction() as session:
        summary = await accounts.get_summary(session, ALICE)
        # Flagged: answers from the flag even with the right key back, until a new login.
        again = await accounts.load_for_call(session, ALICE, vault=lost_vault, now=later)

    assert outcome == LoginRequired(ALICE, LoginRequiredReason.KEY_UNAVAILABLE)
    assert summary is not None
    assert summary.needs_login
    assert summary.needs_login_reason is LoginRequiredReason.KEY_UNAVAILABLE
    assert summary.updated_at == later
    assert again == LoginRequired(ALICE, LoginRequiredReason.KEY_UNAVAILABLE)


async def test_unreadable_credentials_alone_also_ask_for_login(
    database: Database, vault: Vault
) -> None:
    async with database.transaction() as session:
        await accounts.save_login(session, fake_login(ALICE).login, vault=vault, now=NOW)
        foreign = Vault.from_keys([generate_key()]).encrypt(Secret("x"))
        await session.execute(update(AccountRow).values(secret_key_ciphertext=foreign))

    async with database.transaction() as session:
        outcome = await accounts.load_for_call(session, ALICE, vault=vault, now=NOW)

    assert outcome == LoginRequired(ALICE, LoginRequiredReason.KEY_UNAVAILABLE)


async def test_a_ciphertext_copied_to_another_user_is_refused(
    database: Database, vault: Vault
) -> None:
    async with database.transaction() as session:
        await accounts.save_login(session, fake_login(ALICE).login, vault=vault, now=NOW)
        await accounts.save_login(session, fake_login(BOB).login, vault=vault, now=NOW)
        alice_token = (
            await session.execute(
                select(AccountRow.token_ciphertext).where(AccountRow.user_id == ALICE.user_id)
            )
        ).scalar_one()
        await session.execute(
            update(AccountRow)
            .where(AccountRow.user_id == BOB.user_id)
            .values(token_ciphertext=alice_token)
        )

    async with database.transaction() as session:
        bob = await accounts.load_for_call(session, BOB, vault=vault, now=NOW)
        alice = await accounts.load_for_call(session, ALICE, vault=vault, now=NOW)

    assert bob == LoginRequired(BOB, LoginRequiredReason.KEY_UNAVAILABLE)
    assert isinstance(alice, UnlockedAccount)


async def test_renewal_replaces_the_token_and_clears_the_flag(
    database: Database, vault: Vault
) -> None:
    fake = fake_login(ALICE)
    renewed = "renewed-" + fake.token[::-1]
    async with database.transaction() as session:
        await accounts.save_login(session, fake.login, vault=vault, now=NOW)
        await accounts.mark_needs_login(
            session, ALICE, reason=LoginRequiredReason.RENEWAL_FAILED, now=NOW
        )
        flagged = await accounts.load_for_call(session, ALICE, vault=vault, now=NOW)

    async with database.transaction() as session:
        stored = await accounts.save_renewed_token(
            session,
            ALICE,
            vault=vault,
            token=Secret(renewed),
            expires_at=NOW + timedelta(days=1),
            now=NOW,
        )
        loaded = await accounts.load_for_call(session, ALICE, vault=vault, now=NOW)
        nobody = await accounts.save_renewed_token(
            session, BOB, vault=vault, token=Secret(renewed), expires_at=None, now=NOW
        )

    assert flagged == LoginRequired(ALICE, LoginRequiredReason.RENEWAL_FAILED)
    assert stored
    assert not nobody
    assert isinstance(loaded, UnlockedAccount)
    assert loaded.token.reveal() == renewed
    assert loaded.credentials is not None  # renewal keeps the stored AK/SK
    assert loaded.token_expires_at == NOW + timedelta(days=1)


async def test_forget_removes_token_and_credentials(database: Database, vault: Vault) -> None:
    async with database.transaction() as session:
        await accounts.save_login(session, fake_login(ALICE).login, vault=vault, now=NOW)
        await accounts.save_login(session, fake_login(BOB).login, vault=vault, now=NOW)

    async with database.transaction() as session:
        assert await accounts.forget(session, ALICE)
        assert not await accounts.forget(session, ALICE)

    async with database.transaction() as session:
        outcome = await accounts.load_for_call(session, ALICE, vault=vault, now=NOW)
        remaining = (await session.execute(select(AccountRow.user_id))).scalars().all()
    assert outcome == LoginRequired(ALICE, LoginRequiredReason.NOT_LOGGED_IN)
    assert remaining == [BOB.user_id]


async def test_forget_credentials_keeps_the_token(database: Database, vault: Vault) -> None:
    fake = fake_login(ALICE)
    async with database.transaction() as session:
        await accounts.save_login(session, fake.login, vault=vault, now=NOW)

    async with database.transaction() as session:
        assert await accounts.forget_credentials(session, ALICE, now=NOW)
        assert not await accounts.forget_credentials(session, ALICE, now=NOW)
        loaded = await accounts.load_for_call(session, ALICE, vault=vault, now=NOW)
        raw = (await session.execute(select(AccountRow))).scalar_one()

    assert isinstance(loaded, UnlockedAccount)
    assert loaded.token.reveal() == fake.token
    assert loaded.credentials is None
    assert raw.access_key_ciphertext is None
    assert raw.secret_key_ciphertext is None


async def test_due_for_renewal_lists_expiring_usable_accounts_soonest_first(
    database: Database, vault: Vault
) -> None:
    async with database.transaction() as session:
        for user, hours in ((ALICE, 3), (BOB, 1), (CAROL_ELSEWHERE, 30)):
            login = fake_login(user, expires_at=NOW + timedelta(hours=hours)).login
            await accounts.save_login(session, login, vault=vault, now=NOW)
        no_expiry = fake_login(SlackUser("T0TEAM", "U0NOEXPIRY")).login
        await accounts.save_login(session, no_expiry, vault=vault, now=NOW)
        await accounts.mark_needs_login(
            session, ALICE, reason=LoginRequiredReason.RENEWAL_FAILED, now=NOW
        )

    async with database.transaction() as session:
        due = await accounts.list_due_for_renewal(session, expiring_before=NOW + timedelta(hours=4))

    assert [summary.user for summary in due] == [BOB]


async def test_naive_datetimes_are_refused(database: Database, vault: Vault) -> None:
    naive = datetime(2025, 3, 1, 12, 0)

    with pytest.raises(StatementError, match="naive datetime") as caught:
        async with database.transaction() as session:
            await accounts.save_login(session, fake_login(ALICE).login, vault=vault, now=naive)

    assert "parameters hidden" in str(caught.value)  # no ciphertext in error text


async def test_times_come_back_aware_utc_whatever_zone_went_in(
    database: Database, vault: Vault
) -> None:
    shanghai = NOW.astimezone(ZoneInfo("Asia/Shanghai"))  # the bot's users' clock
    async with database.transaction() as session:
        await accounts.save_login(session, fake_login(ALICE).login, vault=vault, now=shanghai)
    async with database.transaction() as session:
        summary = await accounts.get_summary(session, ALICE)

    assert summary is not None
    assert summary.created_at == NOW
    assert summary.created_at.tzinfo is UTC
