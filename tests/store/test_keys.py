"""Key rotation: everything readable under the new key alone, bad rows flagged, not fatal."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.domain.identity import LoginRequiredReason
from bot.domain.secret import Secret
from bot.store import accounts
from bot.store.accounts import LoginRequired, UnlockedAccount
from bot.store.database import Database
from bot.store.identity import SlackUser
from bot.store.keys import RotationReport, generate_key, rotate_keys
from bot.store.keys import _rotate_row as rotate_one_row  # to interleave a login, see below
from bot.store.tables import AccountRow
from bot.store.vault import Vault
from tests.store.fakes import NOW, FakeLogin, fake_login

USERS = [SlackUser("T0TEAM", f"U0USER{n}") for n in range(5)]
LOST = SlackUser("T0TEAM", "U0LOST")


async def _save(database: Database, fakes: list[FakeLogin], *, vault: Vault) -> None:
    async with database.transaction() as session:
        for fake in fakes:
            await accounts.save_login(session, fake.login, vault=vault, now=NOW)


async def test_rotation_leaves_every_secret_readable_under_the_new_key_alone(
    database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    old, new = generate_key(), generate_key()
    fakes = [fake_login(user, with_credentials=n % 2 == 0) for n, user in enumerate(USERS)]
    await _save(database, fakes, vault=Vault.from_keys([old]))
    caplog.set_level(logging.DEBUG)

    report = await rotate_keys(database.engine, Vault.from_keys([new, old]), batch_size=2, now=NOW)

    assert report == RotationReport(rotated=len(USERS))
    new_only = Vault.from_keys([new])
    async with database.transaction() as session:
        for fake in fakes:
            loaded = await accounts.load_for_call(session, fake.login.user, vault=new_only, now=NOW)
            assert isinstance(loaded, UnlockedAccount)
            assert loaded.token.reveal() == fake.token
            assert loaded.credentials == fake.login.credentials
    for fake in fakes:
        for plaintext in fake.plaintexts:
            assert plaintext not in caplog.text


async def test_a_second_rotation_finds_everything_current(database: Database) -> None:
    old, new = generate_key(), generate_key()
    await _save(database, [fake_login(user) for user in USERS], vault=Vault.from_keys([old]))
    vault = Vault.from_keys([new, old])
    await rotate_keys(database.engine, vault, now=NOW)
    async with database.transaction() as session:
        before = {
            row.id: row.token_ciphertext for row in (await session.scalars(select(AccountRow)))
        }

    report = await rotate_keys(database.engine, vault, now=NOW + timedelta(hours=1))

    assert report == RotationReport(already_current=len(USERS))
    async with database.transaction() as session:
        after = {
            row.id: row.token_ciphertext for row in (await session.scalars(select(AccountRow)))
        }
    assert after == before


async def test_an_unreadable_row_is_flagged_and_rotation_goes_on(
    database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    old, new, lost = generate_key(), generate_key(), generate_key()
    fakes = [fake_login(user) for user in USERS]
    # The lost row sits in the middle of the id order, inside a batch.
    await _save(database, fakes[:2], vault=Vault.from_keys([old]))
    lost_fake = fake_login(LOST)
    await _save(database, [lost_fake], vault=Vault.from_keys([lost]))
    await _save(database, fakes[2:], vault=Vault.from_keys([old]))
    vault = Vault.from_keys([new, old])
    caplog.set_level(logging.DEBUG)

    report = await rotate_keys(database.engine, vault, batch_size=2, now=NOW)

    assert report == RotationReport(rotated=len(USERS), unreadable=1)
    assert report.total == len(USERS) + 1
    async with database.transaction() as session:
        outcome = await accounts.load_for_call(session, LOST, vault=vault, now=NOW)
        summary = await accounts.get_summary(session, LOST)
        readable = await accounts.load_for_call(
            session, USERS[-1], vault=Vault.from_keys([new]), now=NOW
        )
    assert outcome == LoginRequired(LOST, LoginRequiredReason.KEY_UNAVAILABLE)
    assert summary is not None
    assert summary.needs_login
    assert isinstance(readable, UnlockedAccount)
    assert LOST.user_id in caplog.text  # the operator learns whom to tell
    for plaintext in lost_fake.plaintexts:
        assert plaintext not in caplog.text

    # Still unreadable next time: counted again, nothing else changes.
    again = await rotate_keys(database.engine, vault, now=NOW)
    assert again == RotationReport(already_current=len(USERS), unreadable=1)


async def test_putting_a_lost_key_back_recovers_flagged_accounts(database: Database) -> None:
    lost, new = generate_key(), generate_key()
    fake = fake_login(LOST)
    await _save(database, [fake], vault=Vault.from_keys([lost]))
    await rotate_keys(database.engine, Vault.from_keys([new]), now=NOW)

    report = await rotate_keys(database.engine, Vault.from_keys([new, lost]), now=NOW)

    assert report == RotationReport(rotated=1, recovered=1)
    async with database.transaction() as session:
        loaded = await accounts.load_for_call(session, LOST, vault=Vault.from_keys([new]), now=NOW)
    assert isinstance(loaded, UnlockedAccount)
    assert loaded.token.reveal() == fake.token


async def test_a_login_saved_while_rotating_is_not_overwritten(database: Database) -> None:
    """Rotation writes compare-and-set: a row changed since it was read is skipped."""
    old, new = generate_key(), generate_key()
    vault = Vault.from_keys([new, old])
    await _save(database, [fake_login(USERS[0])], vault=Vault.from_keys([old]))
    fresh = fake_login(USERS[0])

    async with database.transaction() as session:
        stale = (await session.scalars(select(AccountRow))).one()
        session.expunge(stale)
    await _save(database, [fresh], vault=vault)
    async with database.transaction() as session:
        outcome, _ = await rotate_one_row(session, stale, vault=vault, now=NOW)
    async with database.transaction() as session:
        loaded = await accounts.load_for_call(session, USERS[0], vault=vault, now=NOW)

    assert outcome.value == "skipped"
    assert isinstance(loaded, UnlockedAccount)
    assert loaded.token == Secret(fresh.token)


async def test_an_empty_database_rotates_to_an_empty_report(database: Database) -> None:
    report = await rotate_keys(database.engine, Vault.from_keys([generate_key()]))

    assert report == RotationReport()


async def test_batch_size_must_be_positive(database: Database) -> None:
    with pytest.raises(ValueError, match="batch_size"):
        await rotate_keys(database.engine, Vault.from_keys([generate_key()]), batch_size=0)
