"""Which process runs the scheduled jobs when several replicas share one database.

PostgreSQL: a session-level advisory lock (``pg_try_advisory_lock``) held on a connection of
its own. The lock lives exactly as long as that session, so:

- a leader that exits, crashes or is killed with SIGKILL loses it at once (the server sees
  the socket close), and a follower's next ``refresh`` takes over;
- a leader that hangs or is cut off stops querying its connection; the session's
  ``idle_session_timeout`` makes the server end it (and free the lock) after ``idle_timeout``
  seconds, and TCP keepalives catch a peer that vanished without a FIN;
- a leader re-checks its connection on every ``refresh``: a broken one means it has lost
  the lock, and it stops running jobs.

Two leaders can only overlap between a lost session and the old leader's next ``refresh``;
the watch and outbox rows are leased on their own (``SKIP LOCKED``), so even then nothing is
polled or sent twice.

SQLite: one process by design (DESIGN.md), which is always the leader.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from typing import Final, Protocol

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store.database import Database

log = logging.getLogger(__name__)

# A fixed 64-bit key for "the scnet-bot job runner" in PostgreSQL's advisory lock space.
JOBS_LOCK_KEY: Final = int.from_bytes(
    hashlib.sha256(b"scnet-bot scheduled jobs").digest()[:8], "big", signed=True
)
PG_IDLE_SESSION_TIMEOUT_SINCE: Final = 140_000  # server_version_num of PostgreSQL 14


class Leadership(Protocol):
    async def refresh(self) -> bool:
        """Take or keep the lead; True while this process is the leader."""
        ...

    async def release(self) -> None:
        """Step down (at shutdown), so that a follower takes over at once."""
        ...


class SoleLeader:
    """SQLite: the only process, always the leader."""

    async def refresh(self) -> bool:
        return True

    async def release(self) -> None:
        return None


class AdvisoryLockLeader:
    def __init__(
        self,
        db: Database,
        *,
        key: int = JOBS_LOCK_KEY,
        idle_timeout: float = 20.0,
        query_timeout: float = 5.0,
    ) -> None:
        """``idle_timeout`` must exceed the interval between ``refresh`` calls."""
        self._db = db
        self._key = key
        self._idle_timeout = idle_timeout
        self._query_timeout = query_timeout
        self._connection: AsyncConnection | None = None

    async def refresh(self) -> bool:
        try:
            async with asyncio.timeout(self._query_timeout):
                if self._connection is not None:
                    await self._connection.execute(text("SELECT 1"))
                    return True
                return await self._try_acquire()
        except Exception as error:  # any failure here means "not the leader"
            if self._connection is not None:
                log.warning("lost the job lock's session (%s)", type(error).__name__)
            else:
                log.warning("could not ask for the job lock (%s)", type(error).__name__)
            await self._discard()
            return False

    async def _try_acquire(self) -> bool:
        connection = await self._db.engine.connect()
        try:
            connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
            await self._configure(connection)
            result = await connection.execute(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": self._key}
            )
            acquired = bool(result.scalar_one())
        except BaseException:
            await _throw_away(connection)
            raise
        if not acquired:
            await _throw_away(connection)
            return False
        self._connection = connection
        return True

    async def _configure(self, connection: AsyncConnection) -> None:
        version = (await connection.execute(text("SHOW server_version_num"))).scalar_one()
        # Session settings; they die with this connection, which never goes back to the pool.
        for setting, value in (
            ("tcp_keepalives_idle", "10"),
            ("tcp_keepalives_interval", "5"),
            ("tcp_keepalives_count", "3"),
        ):
            await connection.execute(text(f"SET {setting} = {value}"))
        if int(version) >= PG_IDLE_SESSION_TIMEOUT_SINCE:
            milliseconds = int(self._idle_timeout * 1000)
            await connection.execute(text(f"SET idle_session_timeout = {milliseconds}"))

    async def release(self) -> None:
        connection, self._connection = self._connection, None
        if connection is None:
            return
        try:
            async with asyncio.timeout(self._query_timeout):
                await connection.execute(
                    text("SELECT pg_advisory_unlock(:key)"), {"key": self._key}
                )
        except Exception as error:  # closing the session frees the lock anyway
            log.info(
                "unlocking the job lock failed (%s); closing its session", type(error).__name__
            )
        await _throw_away(connection)

    async def _discard(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            await _throw_away(connection)


async def _throw_away(connection: AsyncConnection) -> None:
    """Close the connection for good: a session that held the lock is never pooled again."""
    try:
        await connection.invalidate()
        await connection.close()
    except Exception as error:  # it is already broken: nothing more to do
        log.debug("closing the job lock's connection failed (%s)", type(error).__name__)


def leadership_for(db: Database) -> Leadership:
    """The advisory lock on PostgreSQL; on SQLite the single process leads."""
    if db.dialect == "postgresql":
        return AdvisoryLockLeader(db)
    return SoleLeader()
