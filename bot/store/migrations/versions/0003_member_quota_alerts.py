"""Keep quota alert state per member as well as per team: a member with limits of their own
is alerted when their usage crosses 80% / 100% of them, once per crossing.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01

``quota_alerts`` gains ``member_user_id`` in its primary key; ``''`` stands for the whole
team, as in ``quota_limits`` (a NULL in a primary key would let two team rows coexist on
SQLite). Existing rows are the team's and get ``''`` through the server default, so their
crossing counters, and with them the team alerts' dedupe keys, carry on where they were.
SQLite cannot change a primary key in place: batch mode copies the table there.

Downgrading forgets the members' state (their rows would collide in the old key); the team's
is kept.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("quota_alerts") as batch:
        batch.drop_constraint(op.f("pk_quota_alerts"), type_="primary")
        batch.add_column(
            sa.Column("member_user_id", sa.String(length=64), server_default="", nullable=False)
        )
        batch.create_primary_key(
            op.f("pk_quota_alerts"), ["team_id", "member_user_id", "resource", "percent"]
        )


def downgrade() -> None:
    op.execute("DELETE FROM quota_alerts WHERE member_user_id <> ''")
    with op.batch_alter_table("quota_alerts") as batch:
        batch.drop_constraint(op.f("pk_quota_alerts"), type_="primary")
        batch.drop_column("member_user_id")
        batch.create_primary_key(op.f("pk_quota_alerts"), ["team_id", "resource", "percent"])
