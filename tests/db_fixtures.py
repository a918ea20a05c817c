"""pytest plugin: real, throw-away databases for tests, on SQLite and on PostgreSQL.

``database_url`` is parametrised, so a test that asks for it (or for ``database``,
``engine``, ``sessions``) runs twice:

- ``[sqlite]``: a fresh file in the test's ``tmp_path``.
- ``[postgres]``: a fresh database with a random name, created through the role in
  ``TEST_DATABASE_URL`` (it needs CREATEDB; ``scripts/test-postgres`` sets that up) and
  dropped afterwards, so parallel and concurrent runs never share tables. Marked
  ``postgres``: deselect with ``-m "not postgres"``.

Without ``TEST_DATABASE_URL``, or when no server answers there, the postgres cases skip and
say why (see ``pytest -ra``); with ``REQUIRE_POSTGRES=1`` they fail instead, so CI cannot
pass by silently testing SQLite alone. A server that answers but refuses us (bad password,
no CREATEDB) always fails: that is a broken setup, not a missing one.

``database``/``engine``/``sessions`` have every migration applied. Messages here never show
the URL: it holds a password.
"""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import AsyncIterator, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.store.database import Database
from bot.store.migrate import upgrade_database
from bot.store.tables import Base

POSTGRES_URL_ENV = "TEST_DATABASE_URL"
REQUIRE_POSTGRES_ENV = "REQUIRE_POSTGRES"
PROBE_TIMEOUT = 5.0
DATABASE_PREFIX = "scnet_t_"


@dataclass(frozen=True, slots=True)
class _Probe:
    url: URL | None
    problem: str = ""
    broken: bool = False  # answers but refuses us: fail even without REQUIRE_POSTGRES


_probe_cache: dict[str, _Probe] = {}


def _postgres_required() -> bool:
    return os.environ.get(REQUIRE_POSTGRES_ENV, "").strip() not in {"", "0", "false", "no"}


def _asyncpg_dsn(url: URL, *, database: str | None = None) -> str:
    plain = url.set(drivername="postgresql")
    if database is not None:
        plain = plain.set(database=database)
    return plain.render_as_string(hide_password=False)


async def _probe(raw: str) -> _Probe:
    if raw in _probe_cache:
        return _probe_cache[raw]
    url = make_url(raw)
    where = f"{url.host or 'localhost'}:{url.port or 5432}"
    try:
        connection = await asyncpg.connect(_asyncpg_dsn(url), timeout=PROBE_TIMEOUT)
    except (OSError, TimeoutError, asyncpg.CannotConnectNowError) as error:
        result = _Probe(None, f"no PostgreSQL server answers at {where} ({type(error).__name__})")
    except (asyncpg.PostgresError, asyncpg.InterfaceError) as error:
        # The server's text ("password authentication failed for user ...") holds no
        # password; the traceback would (asyncpg's frames show their arguments).
        result = _Probe(None, f"PostgreSQL at {where} refused us: {error}", broken=True)
    else:
        await connection.close()
        result = _Probe(url)
    _probe_cache[raw] = result
    return result


async def _postgres_admin_url() -> URL:
    raw = os.environ.get(POSTGRES_URL_ENV, "").strip()
    if not raw:
        probe = _Probe(
            None,
            f"{POSTGRES_URL_ENV} is not set (export {POSTGRES_URL_ENV}=$(scripts/test-postgres))",
        )
    else:
        probe = await _probe(raw)
    if probe.url is None:
        if probe.broken:
            pytest.fail(probe.problem, pytrace=False)
        if _postgres_required():
            pytest.fail(f"{REQUIRE_POSTGRES_ENV} is set, but {probe.problem}", pytrace=False)
        pytest.skip(probe.problem)
    return probe.url


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
    ]
)
async def database_backend(request: pytest.FixtureRequest) -> str:
    """``"sqlite"`` or ``"postgres"``; for postgres, skips (or fails) without a server."""
    backend: str = request.param
    if backend == "postgres":
        await _postgres_admin_url()
    return backend


async def _create_database(admin_url: URL) -> str:
    name = DATABASE_PREFIX + secrets.token_hex(6)
    admin = await asyncpg.connect(_asyncpg_dsn(admin_url), timeout=PROBE_TIMEOUT)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    return name


async def _drop_database(admin_url: URL, name: str) -> None:
    admin = await asyncpg.connect(_asyncpg_dsn(admin_url), timeout=PROBE_TIMEOUT)
    try:
        # FORCE: a test that failed may have left a connection open.
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


def _bot_url(admin_url: URL, name: str) -> str:
    return admin_url.set(drivername="postgresql+asyncpg", database=name).render_as_string(
        hide_password=False
    )


@pytest.fixture
async def database_url(database_backend: str, tmp_path: Path) -> AsyncIterator[str]:
    """A fresh, empty (unmigrated) database of each kind, as a DATABASE_URL for the bot.

    On PostgreSQL a new database per test costs about 0.3 s; tests that only need tables
    take ``database``, which shares one migrated database per session.
    """
    if database_backend == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'scnet-bot.db'}"
        return
    admin_url = await _postgres_admin_url()
    name = await _create_database(admin_url)
    try:
        yield _bot_url(admin_url, name)
    finally:
        await _drop_database(admin_url, name)


def _run_in_fresh_loop(coroutine: Coroutine[object, object, None]) -> None:
    """Run a coroutine from a sync fixture without touching pytest-asyncio's loops."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, coroutine).result()


@pytest.fixture(scope="session")
def _shared_postgres_databases() -> Iterator[dict[str, str]]:
    """admin URL -> the session's migrated database; each is dropped when the session ends."""
    shared: dict[str, str] = {}
    yield shared
    for admin_url, name in shared.items():
        _run_in_fresh_loop(_drop_database(make_url(admin_url), name))


async def _shared_postgres_url(shared: dict[str, str]) -> str:
    admin_url = await _postgres_admin_url()
    key = admin_url.render_as_string(hide_password=False)
    if key not in shared:
        name = await _create_database(admin_url)
        shared[key] = name
        await upgrade_database(_bot_url(admin_url, name))
    return _bot_url(admin_url, shared[key])


async def _empty_tables(db: Database) -> None:
    async with db.engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            await connection.execute(table.delete())


@pytest.fixture
async def database(
    database_backend: str, tmp_path: Path, _shared_postgres_databases: dict[str, str]
) -> AsyncIterator[Database]:
    """The store's ``Database``, migrated and with every table empty; closed after the test.

    SQLite: a migrated file of the test's own. PostgreSQL: the session's own database
    (random name, migrated once, dropped at the end), emptied before each test; tests in
    one session run one after another, and other sessions have databases of their own.
    """
    if database_backend == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'scnet-bot.db'}"
        await upgrade_database(url)
    else:
        url = await _shared_postgres_url(_shared_postgres_databases)
    db = Database.open(url)
    try:
        if database_backend == "postgres":
            await _empty_tables(db)
        yield db
    finally:
        await db.close()


@pytest.fixture
def engine(database: Database) -> AsyncEngine:
    return database.engine


@pytest.fixture
def sessions(database: Database) -> async_sessionmaker[AsyncSession]:
    return database.sessions
