"""``INSERT ... ON CONFLICT`` for whichever back end the session talks to.

SQLite (3.24+) and PostgreSQL share the syntax, but SQLAlchemy builds it from each dialect's
own ``insert``. Writing through ``ON CONFLICT`` instead of "select, then insert or update"
keeps idempotent writes (outbox notices, Slack delivery ids, a login saved twice) correct
when two tasks race: the database decides, inside one statement.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite

from bot.store.database import Session, dialect_of


def insert_for(session: Session, table: Any) -> sqlite.Insert | postgresql.Insert:
    """A dialect ``insert(table)`` that offers ``on_conflict_do_nothing/do_update``."""
    dialect = dialect_of(session)
    if dialect == "sqlite":
        return sqlite.insert(table)
    if dialect == "postgresql":
        return postgresql.insert(table)
    raise ValueError(f"no upsert for dialect {dialect!r}")
