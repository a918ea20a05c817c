"""Schedule the daily digest (time, time zone, long-running hours, language) beside its
channel, and remember which quota alert thresholds each team has reached.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24

Existing team_settings rows get the defaults (09:00 Asia/Shanghai, 24 h) through the server
defaults, so a digest channel set before this revision keeps working.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("team_settings") as batch:
        batch.add_column(
            sa.Column("digest_time", sa.String(length=5), server_default="09:00", nullable=False)
        )
        batch.add_column(
            sa.Column(
                "digest_timezone",
                sa.String(length=64),
                server_default="Asia/Shanghai",
                nullable=False,
            )
        )
        batch.add_column(
            sa.Column("digest_hours", sa.Integer(), server_default="24", nullable=False)
        )
        batch.add_column(sa.Column("digest_locale", sa.String(length=8), nullable=True))
        batch.create_check_constraint(
            op.f("ck_team_settings_digest_locale"), "digest_locale IN ('en', 'zh')"
        )

    op.create_table(
        "quota_alerts",
        sa.Column("team_id", sa.String(length=64), nullable=False),
        sa.Column("resource", sa.String(length=16), nullable=False),
        sa.Column("percent", sa.Integer(), nullable=False),
        sa.Column("reached", sa.Boolean(), nullable=False),
        sa.Column("crossings", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "resource IN ('gpus', 'cpus', 'ram_mb', 'instances')",
            name=op.f("ck_quota_alerts_resource"),
        ),
        sa.PrimaryKeyConstraint("team_id", "resource", "percent", name=op.f("pk_quota_alerts")),
    )


def downgrade() -> None:
    op.drop_table("quota_alerts")
    with op.batch_alter_table("team_settings") as batch:
        batch.drop_constraint(op.f("ck_team_settings_digest_locale"), type_="check")
        batch.drop_column("digest_locale")
        batch.drop_column("digest_hours")
        batch.drop_column("digest_timezone")
        batch.drop_column("digest_time")
