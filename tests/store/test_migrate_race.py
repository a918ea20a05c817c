"""Replicas starting together on one fresh PostgreSQL database migrate it once: two real
``scnet-bot db upgrade`` processes race; the advisory lock makes the second wait for the first
and then find nothing to do."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from bot.store.migrate import _ADVISORY_LOCK_KEY, current_revision, head_revision

REPO = Path(__file__).resolve().parents[2]


async def _upgrade(url: str, cwd: Path) -> tuple[int, str]:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DATABASE_URL": url,
        "PYTHONPATH": str(REPO),
        "LOG_FORMAT": "text",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        "db",
        "upgrade",
        env=env,
        cwd=cwd,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await process.communicate()
    assert process.returncode is not None
    return process.returncode, out.decode()


# PostgreSQL only: SQLite is one process, and the lock is PostgreSQL's.
@pytest.mark.postgres
@pytest.mark.parametrize("database_backend", ["postgres"], indirect=True)
async def test_two_processes_racing_on_a_fresh_database_migrate_it_once(
    database_url: str, tmp_path: Path
) -> None:
    dsn = make_url(database_url).set(drivername="postgresql").render_as_string(False)
    holder = await asyncpg.connect(dsn)
    try:
        # Hold the lock ourselves, so both processes are surely started and waiting at once.
        await holder.execute("SELECT pg_advisory_lock($1)", _ADVISORY_LOCK_KEY)
        racers = [asyncio.create_task(_upgrade(database_url, tmp_path)) for _ in range(2)]
        for _ in range(100):
            waiting = await holder.fetchval(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
            )
            if waiting == 2:
                break
            await asyncio.sleep(0.1)
        assert waiting == 2, "both upgrades should be waiting on the lock"
        assert not any(racer.done() for racer in racers)
        await holder.execute("SELECT pg_advisory_unlock($1)", _ADVISORY_LOCK_KEY)
        results = await asyncio.gather(*racers)
    finally:
        await holder.close()

    assert [code for code, _ in results] == [0, 0], results
    outputs = sorted(output for _, output in results)
    applied = [output for output in outputs if "applied: 0001" in output]
    current = [output for output in outputs if "database is up to date" in output]
    assert len(applied) == 1, outputs
    assert len(current) == 1, outputs
    assert await current_revision(database_url) == head_revision()
