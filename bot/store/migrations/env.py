"""Alembic environment: migrate on the connection ``bot.store.migrate`` hands over, or alone.

- From ``upgrade_database`` (inside the bot's running event loop): ``config.attributes``
  holds a sync ``Connection`` lent by ``AsyncConnection.run_sync``; migrate right on it, in
  the caller's transaction, and report each applied step through ``on_version_apply``.
- From the ``alembic`` command line (see ``alembic.ini``): no connection is given; build an
  async engine from ``-x url=...`` or ``DATABASE_URL`` and run under ``asyncio.run``, as in
  Alembic's async template.
- Offline (``--sql``): print the SQL for the URL's dialect.

SQLite gets ``render_as_batch``: it cannot ALTER most things, so Alembic copies the table.
"""

from __future__ import annotations

import asyncio
import os

from alembic import context
from sqlalchemy.engine import Connection

from bot.config import normalise_database_url
from bot.store.database import open_engine
from bot.store.tables import Base

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    url = context.get_x_argument(as_dictionary=True).get("url") or os.environ.get(
        "DATABASE_URL", ""
    )
    if not url:
        raise SystemExit("give the database as -x url=... or DATABASE_URL")
    return normalise_database_url(url)


def _migrate(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        on_version_apply=config.attributes.get("on_version_apply", ()),
    )
    with context.begin_transaction():
        context.run_migrations()


async def _migrate_with_own_engine(url: str) -> None:
    engine = open_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(_migrate)
    finally:
        await engine.dispose()


def _migrate_offline(url: str) -> None:
    context.configure(
        url=url,
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=url.startswith("sqlite"),
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


_lent: Connection | None = config.attributes.get("connection")
if context.is_offline_mode():
    _migrate_offline(_url())
elif _lent is not None:
    _migrate(_lent)
else:
    asyncio.run(_migrate_with_own_engine(_url()))
