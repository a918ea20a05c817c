"""Nothing secret reaches the database in plain text, read back the hard way.

SQLite: the raw bytes of the database file and its WAL after a checkpoint. PostgreSQL: every
column of every table, fetched with plain SQL (no ORM, no type processing) and cast to text,
and bytea columns also as their raw bytes. The probes are the token, its JWT payload segment
(base64 of the claims, which an encoder might store on its own) and the AK/SK.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import Text, cast, column, select, table, text
from sqlalchemy.engine import make_url

from bot.domain.identity import NoticeTarget
from bot.store import accounts, audit, outbox
from bot.store.database import Database
from bot.store.identity import SlackUser
from bot.store.keys import generate_key, rotate_keys
from bot.store.tables import AccountRow, Base
from bot.store.vault import Vault
from tests.store.fakes import ALICE, BOB, NOW, FakeLogin, fake_login

FORGOTTEN = SlackUser("T0TEAM", "U0GONE")


async def _raw_sqlite_bytes(database: Database) -> bytes:
    async with database.engine.connect() as connection:
        await connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    database_path = make_url(str(database.engine.url)).database
    assert database_path
    main = Path(database_path)
    return b"".join(
        path.read_bytes()
        for path in (main, Path(f"{main}-wal"), Path(f"{main}-journal"))
        if path.exists()
    )


async def _raw_postgres_text(database: Database) -> bytes:
    """Every column of every table the server has in our schema, as text and bytea raw."""
    catalog = text(
        "SELECT table_name, column_name, data_type FROM information_schema.columns"
        " WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position"
    )
    chunks: list[bytes] = []
    async with database.engine.connect() as connection:
        columns = (await connection.execute(catalog)).all()
        for table_name, column_name, data_type in columns:
            source = table(table_name, column(column_name))
            as_text = select(cast(source.c[column_name], Text))
            chunks += [v.encode() for v in (await connection.scalars(as_text)) if v]
            if data_type == "bytea":
                as_bytes = select(source.c[column_name])
                chunks += [bytes(v) for v in (await connection.scalars(as_bytes)) if v]
    assert {name for name, _, _ in columns} >= set(Base.metadata.tables)
    return b"\n".join(chunks)


async def _raw(database: Database) -> bytes:
    if database.dialect == "sqlite":
        return await _raw_sqlite_bytes(database)
    return await _raw_postgres_text(database)


def _assert_absent(raw: bytes, fakes: list[FakeLogin]) -> None:
    for fake in fakes:
        for plaintext in fake.plaintexts:
            assert plaintext.encode() not in raw


async def test_no_token_or_credential_in_the_raw_database(database: Database) -> None:
    old, new = generate_key(), generate_key()
    vault = Vault.from_keys([old])
    fakes = [fake_login(ALICE, expires_at=NOW + timedelta(hours=24)), fake_login(BOB)]
    async with database.transaction() as session:
        for fake in fakes:
            await accounts.save_login(session, fake.login, vault=vault, now=NOW)
        await outbox.enqueue(
            session,
            "i-1:ready:1",
            team_id=ALICE.team_id,
            target=NoticeTarget.dm(ALICE.user_id),
            kind="instance.ready",
            payload={"instance_id": "i-1", "name": "train"},
            now=NOW,
        )
        await audit.record(session, ALICE, action="login", outcome="ok", now=NOW)
    renewed = fake_login(ALICE)
    async with database.transaction() as session:
        await accounts.save_renewed_token(
            session, ALICE, vault=vault, token=renewed.login.token, expires_at=None, now=NOW
        )
    await rotate_keys(database.engine, Vault.from_keys([new, old]), now=NOW)

    async with database.transaction() as session:
        stored = (await session.scalars(select(AccountRow.token_ciphertext))).all()

    raw = await _raw(database)

    # The probe does see what is stored: plain columns, and the ciphertext bytes.
    assert b"i-1:ready:1" in raw
    assert ALICE.user_id.encode() in raw
    assert all(ciphertext in raw for ciphertext in stored)
    _assert_absent(raw, [*fakes, renewed])


async def test_forgetting_leaves_no_ciphertext_in_the_sqlite_file(
    database: Database, vault: Vault
) -> None:
    gone = fake_login(FORGOTTEN)
    async with database.transaction() as session:
        await accounts.save_login(session, gone.login, vault=vault, now=NOW)
        await accounts.save_login(session, fake_login(ALICE).login, vault=vault, now=NOW)
    async with database.transaction() as session:
        row = (
            await session.scalars(select(AccountRow).where(AccountRow.user_id == FORGOTTEN.user_id))
        ).one()
        ciphertexts = [row.token_ciphertext, row.access_key_ciphertext, row.secret_key_ciphertext]

    async with database.transaction() as session:
        assert await accounts.forget(session, FORGOTTEN)
    raw = await _raw(database)

    # secure_delete overwrites the freed cells; on PostgreSQL the row is gone from every
    # SELECT (its dead tuple waits for VACUUM, beyond what the bot controls).
    for ciphertext in ciphertexts:
        assert ciphertext is not None
        assert ciphertext not in raw
    _assert_absent(raw, [gone])
