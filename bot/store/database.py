"""Engine and session construction: the one place that knows SQLite from PostgreSQL.

``Database`` bundles the engine with its session factory; services open
``async with db.transaction() as session`` and hand ``session`` to the repository functions,
so that several of them (mark an instance ready, enqueue its notice) commit together.
Services annotate with ``bot.store.database.Session`` and never import SQLAlchemy.

SQLite: the file and its directory are created on first start; every connection turns on
WAL (readers do not block the writer), foreign keys (off by default in SQLite), a busy
timeout (the scheduler and a slash command may write at the same moment) and
``secure_delete`` (a forgotten token's ciphertext is overwritten in the file, not left in a
free page). PostgreSQL: asyncpg, with a pre-ping so a restarted server costs one retry.

Both engines hide bound parameters from logs and exception text: a failing statement must
not print the ciphertext (or anything else) it was given.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeAlias

from sqlalchemy import CursorResult, Result, event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import StaticPool

from bot.config import normalise_database_url

Session: TypeAlias = AsyncSession
"""What repository functions take; callers get one from ``Database.transaction()``."""

SQLITE_BUSY_TIMEOUT_MS = 5_000

_SQLITE_PRAGMAS = (
    "PRAGMA foreign_keys = ON",
    f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}",
    "PRAGMA secure_delete = ON",
    # Under WAL, NORMAL never corrupts the file; a power cut (not a crash of the bot) may
    # lose the last commits, which the outbox and watches recover from.
    "PRAGMA synchronous = NORMAL",
)


def _is_memory(database: str | None) -> bool:
    return not database or database == ":memory:" or "mode=memory" in database


def _set_sqlite_pragmas(dbapi_connection: Any, _record: object, *, file_backed: bool) -> None:
    cursor = dbapi_connection.cursor()
    try:
        if file_backed:
            cursor.execute("PRAGMA journal_mode = WAL")
        for pragma in _SQLITE_PRAGMAS:
            cursor.execute(pragma)
    finally:
        cursor.close()


def open_engine(url: str, *, echo: bool = False) -> AsyncEngine:
    """An ``AsyncEngine`` for a sqlite:// or postgresql:// URL (plain or with the async driver)."""
    parsed = make_url(normalise_database_url(url))
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        memory = _is_memory(parsed.database)
        options: dict[str, Any] = {}
        if memory:
            # Each connection to :memory: is a new, empty database: share one.
            options["poolclass"] = StaticPool
        elif parsed.database and not parsed.database.startswith("file:"):
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(parsed, echo=echo, hide_parameters=True, **options)

        @event.listens_for(engine.sync_engine, "connect")
        def _on_connect(dbapi_connection: Any, record: object) -> None:
            _set_sqlite_pragmas(dbapi_connection, record, file_backed=not memory)

        return engine
    if backend == "postgresql":
        return create_async_engine(parsed, echo=echo, hide_parameters=True, pool_pre_ping=True)
    raise ValueError(f"unsupported database back end {backend!r}: use sqlite or postgresql")


def open_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    # expire_on_commit=False: repositories turn rows into dataclasses before commit anyway,
    # and an expired attribute would need I/O that an async session cannot do lazily.
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


@dataclass(frozen=True, slots=True)
class Database:
    """The engine and its session factory, built once by the CLI from ``DATABASE_URL``."""

    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]

    @classmethod
    def open(cls, url: str, *, echo: bool = False) -> Database:
        engine = open_engine(url, echo=echo)
        return cls(engine=engine, sessions=open_session_factory(engine))

    @property
    def dialect(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self.engine.dialect.name

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Session]:
        """A session in a transaction: committed when the block ends, rolled back on error."""
        async with self.sessions.begin() as session:
            yield session

    async def close(self) -> None:
        await self.engine.dispose()


def dialect_of(session: Session) -> str:
    return session.get_bind().dialect.name


def affected_rows(result: Result[Any]) -> int:
    """Rows an UPDATE or DELETE matched (``Session.execute`` types its result loosely)."""
    assert isinstance(result, CursorResult)
    return result.rowcount
