"""What every table shares: the declarative ``Base`` and its naming convention, and
``UtcDateTime``. The tables are in ``bot.store.tables`` (which holds them all).

Why the schema looks the way it does:

- Every datetime column is ``UtcDateTime``: aware UTC in, aware UTC out, on both back ends.
  SQLite has no time zones and hands back naive values, which would compare wrongly against
  the aware ``now`` the services pass; the decorator refuses naive input instead of guessing.
- Ciphertext columns (``*_ciphertext``) hold Fernet tokens from ``bot.store.vault``; no column
  ever holds a token, AK/SK or access URL in plain text.
- Choices are ``String`` + a named ``CHECK`` rather than database enums, so SQLite and
  PostgreSQL share one migration and adding a value needs no ``ALTER TYPE``.
- Constraint names come from one naming convention, which Alembic's batch mode on SQLite
  needs to find them again.
- Slack ids are ``String(64)``: team/user/channel ids are short today, Enterprise Grid ids
  are longer, and PostgreSQL enforces the length.

When you change a model, add an Alembic revision under ``migrations/versions``; the test
``test_schema_matches_metadata`` fails until the two agree.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    Dialect,
    LargeBinary,
    MetaData,
    TypeDecorator,
)
from sqlalchemy.orm import DeclarativeBase

SLACK_ID = 64

NAMING_CONVENTION: dict[str, str] = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[datetime]):
    """A timestamp that is always timezone-aware UTC when it leaves the database.

    PostgreSQL stores ``timestamptz``; SQLite stores the naive UTC wall time as text in a
    fixed-width format, so string order is time order and range queries still work.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("naive datetime: pass an aware UTC datetime")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {  # noqa: RUF012 - SQLAlchemy reads this class attribute as is
        datetime: UtcDateTime(),
        bytes: LargeBinary(),
        dict[str, Any]: JSON(),
    }
