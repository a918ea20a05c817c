"""Give each audit row the request id of the command that caused it.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02

An admin's "who stopped my instance" finds the audit row; ``request_id`` (``bot.logs``: the id
every log line of that command carries) leads from it to those lines. NULL for rows written
before, and for rows no Slack request caused (scheduled jobs).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("audit_log") as batch:
        batch.add_column(sa.Column("request_id", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_column("request_id")
