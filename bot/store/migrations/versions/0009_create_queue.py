"""The team's queue of creates waiting for capacity (issue 16).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02

One row per queued ``create``: who asked, the whole command (its instance name fixed when it
was queued), the resources it needs, where it was asked, its state and the drain's claim on
it (owner, lease, attempts), the instance it became. A new table: nothing to backfill, and the
downgrade drops it with whatever still waits in it.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "create_queue",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("team_id", sa.String(length=64), nullable=False),
        sa.Column("requester_user_id", sa.String(length=64), nullable=False),
        sa.Column("command_text", sa.String(length=8000), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("image", sa.String(length=300), nullable=False),
        sa.Column("cpus", sa.Integer(), nullable=False),
        sa.Column("gpus", sa.Integer(), nullable=False),
        sa.Column("ram_mb", sa.Integer(), nullable=False),
        sa.Column("task_number", sa.Integer(), nullable=False),
        sa.Column("channel_id", sa.String(length=64), nullable=True),
        sa.Column("thread_ts", sa.String(length=32), nullable=True),
        sa.Column("locale", sa.String(length=8), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("lease_owner", sa.String(length=128), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("instance_id", sa.String(length=64), nullable=True),
        sa.Column("outcome", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "state IN ('queued', 'claimed', 'created', 'failed', 'cancelled', 'expired')",
            name=op.f("ck_create_queue_state"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_create_queue")),
    )
    op.create_index(
        op.f("ix_create_queue_team_id_state_id"), "create_queue", ["team_id", "state", "id"]
    )
    op.create_index(op.f("ix_create_queue_state"), "create_queue", ["state"])


def downgrade() -> None:
    op.drop_index(op.f("ix_create_queue_state"), table_name="create_queue")
    op.drop_index(op.f("ix_create_queue_team_id_state_id"), table_name="create_queue")
    op.drop_table("create_queue")
