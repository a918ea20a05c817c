"""Drop the watches' lease columns: written on every re-plan, read by nothing.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02

Only the leader watches (``bot.jobs``), so a watch was never leased by anyone; the columns
only cost each status write a little.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("watches") as batch:
        batch.drop_column("lease_expires_at")
        batch.drop_column("lease_owner")


def downgrade() -> None:
    with op.batch_alter_table("watches") as batch:
        batch.add_column(sa.Column("lease_owner", sa.String(128), nullable=True))
        batch.add_column(sa.Column("lease_expires_at", sa.DateTime(timezone=True), nullable=True))
