"""Bring a database's schema to the newest revision: ``scnet-bot db upgrade`` and app start.

The Alembic scripts ship inside this package (``bot/store/migrations``), found next to this
module, so an installed bot migrates from any working directory and needs no alembic.ini.

``upgrade_database`` is a coroutine that works inside a running event loop (the bot's):
Alembic is synchronous, so it runs in ``AsyncConnection.run_sync`` on a connection lent to
``env.py`` rather than letting ``env.py`` start a loop of its own. On PostgreSQL the whole
upgrade is one transaction under an advisory lock, so two replicas starting together
migrate once (the second waits for the first, then finds nothing to do); SQLite has one
writer at a time anyway.

``wait_for_database`` comes first at start: a database that does not answer yet (a
container started beside its PostgreSQL) is retried with one line per attempt, naming the
host but never the URL (it holds the password), then given up with ``DatabaseUnavailable``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path
from typing import Any, Final

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from bot.config import ConfigError
from bot.domain.redaction import redact
from bot.store.database import open_engine

log = logging.getLogger(__name__)
MIGRATIONS_DIR: Final = Path(__file__).resolve().parent / "migrations"
# Any fixed 64-bit number; it only has to be the same for every replica.
_ADVISORY_LOCK_KEY: Final = 0x5C4E7B0700000001


class DatabaseUnavailable(Exception):
    """The database did not answer within the wait; the text names the host, not the URL."""

    def __init__(self, where: str, waited: float, cause: str) -> None:
        self.where = where
        self.cause = cause
        super().__init__(f"the database at {where} did not answer within {waited:.0f} s ({cause})")


def _where(url: str) -> str:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return f"sqlite file {parsed.database or ':memory:'}"
    return f"{parsed.host or 'localhost'}:{parsed.port or 5432}"


def _cause(error: BaseException) -> str:
    # The driver's own exception, not SQLAlchemy's wrapper (whose text repeats the statement).
    inner = getattr(error, "orig", None) or error
    return type(inner).__name__


async def wait_for_database(
    url: str, *, wait: float, first_delay: float = 1.0, max_delay: float = 5.0
) -> None:
    """Return once ``SELECT 1`` works; retry connection failures for ``wait`` seconds.

    A server that answers with a refusal (authentication, missing database) is a wrong
    setting, not a slow start: ``ConfigError`` naming DATABASE_URL at once."""
    where = _where(url)
    deadline = time.monotonic() + wait
    delay = first_delay
    attempt = 0
    while True:
        attempt += 1
        engine = open_engine(url)
        try:
            async with engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
            if attempt > 1:
                log.info("the database at %s answers now", where)
            return
        except (OSError, TimeoutError, OperationalError, InterfaceError) as error:
            cause = _cause(error)
        except DBAPIError as error:
            # It answered, and said no (a wrong password, no such database): waiting won't help.
            said = str(getattr(error, "orig", error)).strip().splitlines()[0:1]
            raise ConfigError(
                "DATABASE_URL", f"the database at {where} refused us: {redact(''.join(said))}"
            ) from None
        finally:
            await engine.dispose()
        left = deadline - time.monotonic()
        if left <= 0:
            raise DatabaseUnavailable(where, wait, cause)
        pause = min(delay, left)
        log.warning(
            "the database at %s does not answer (%s); trying again in %.0f s", where, cause, pause
        )
        await asyncio.sleep(pause)
        delay = min(delay * 2, max_delay)


def alembic_config() -> Config:
    config = Config()
    # ConfigParser interpolates "%": escape it, the install path may contain one.
    config.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    config.set_main_option("path_separator", "os")
    return config


def head_revision() -> str:
    """The newest revision the installed code knows."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None  # the first revision ships with the package
    return head


def _run(connection: Connection, target: str, *, upgrade: bool) -> list[str]:
    applied: list[str] = []

    def note(*, step: Any, **_: object) -> None:
        # A step's "up" side is the revision applied (upgrade) or undone (downgrade).
        applied.extend(step.up_revision_ids)

    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _ADVISORY_LOCK_KEY})
    config = alembic_config()
    config.attributes["connection"] = connection
    config.attributes["on_version_apply"] = note
    if upgrade:
        command.upgrade(config, target)
    else:
        command.downgrade(config, target)
    return applied


async def upgrade_database(url: str, *, revision: str = "head") -> list[str]:
    """Apply the missing revisions, oldest first; returns their ids (empty: was current)."""
    engine = open_engine(url)
    try:
        async with engine.begin() as connection:
            return await connection.run_sync(_run, revision, upgrade=True)
    finally:
        await engine.dispose()


async def downgrade_database(url: str, *, revision: str) -> list[str]:
    """Undo revisions down to ``revision`` (``"base"``: drop every table); returns those undone.

    For tests and for an operator rolling back a release; the bot never calls it itself.
    """
    engine = open_engine(url)
    try:
        async with engine.begin() as connection:
            return await connection.run_sync(_run, revision, upgrade=False)
    finally:
        await engine.dispose()


async def current_revision(url: str) -> str | None:
    """The revision the database is at; None for an empty (never migrated) database."""

    def read(connection: Connection) -> str | None:
        return MigrationContext.configure(connection).get_current_revision()

    engine = open_engine(url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(read)
    finally:
        await engine.dispose()
