"""Create requests waiting on an admin's approval, the messages that show them to admins, and
where each team's requests are posted.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02

``approval_requests`` holds one create a member asked an admin to approve past the team's
limits: the whole create as command text, a summary (the resolved spec, the numbers against
the limits when asked, why it was refused), and its state: ``pending`` until an admin decides
(one conditional UPDATE, so two admins pressing at once decide it once), then ``approved``,
``denied``, ``expired``, ``failed`` (approved, but the create could not be made) or
``cancelled`` (by the requester). ``approval_messages`` are the posts that show a request
(the approvals channel, or each admin's DM), by channel and ``ts`` for ``chat.update``, with
the state each one shows now. ``approval_channels``: where a team's requests are posted.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _time(name: str, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


STATES = "'pending', 'approved', 'denied', 'expired', 'failed', 'cancelled'"


def upgrade() -> None:
    op.create_table(
        "approval_requests",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("team_id", sa.String(length=64), nullable=False),
        sa.Column("requester_user_id", sa.String(length=64), nullable=False),
        sa.Column("command_text", sa.String(length=8000), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("origin_channel_id", sa.String(length=64), nullable=True),
        sa.Column("origin_thread_ts", sa.String(length=32), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("instance_id", sa.String(length=64), nullable=True),
        sa.Column("failure", sa.String(length=64), nullable=True),
        _time("created_at"),
        _time("decided_at", nullable=True),
        _time("expires_at"),
        sa.CheckConstraint(f"state IN ({STATES})", name=op.f("ck_approval_requests_state")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approval_requests")),
    )
    op.create_index(
        op.f("ix_approval_requests_state_expires_at"),
        "approval_requests",
        ["state", "expires_at"],
    )
    op.create_index(
        op.f("ix_approval_requests_team_id_requester_user_id_state"),
        "approval_requests",
        ["team_id", "requester_user_id", "state"],
    )
    op.create_table(
        "approval_messages",
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("channel_id", sa.String(length=64), nullable=False),
        sa.Column("ts", sa.String(length=32), nullable=False),
        sa.Column("locale", sa.String(length=8), nullable=True),
        sa.Column("shown_state", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["approval_requests.id"],
            name=op.f("fk_approval_messages_request_id_approval_requests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("request_id", "channel_id", name=op.f("pk_approval_messages")),
    )
    op.create_table(
        "approval_channels",
        sa.Column("team_id", sa.String(length=64), nullable=False),
        sa.Column("channel_id", sa.String(length=64), nullable=False),
        sa.Column("locale", sa.String(length=8), nullable=True),
        _time("updated_at"),
        sa.PrimaryKeyConstraint("team_id", name=op.f("pk_approval_channels")),
    )


def downgrade() -> None:
    op.drop_table("approval_channels")
    op.drop_table("approval_messages")
    op.drop_index(
        op.f("ix_approval_requests_team_id_requester_user_id_state"), table_name="approval_requests"
    )
    op.drop_index(op.f("ix_approval_requests_state_expires_at"), table_name="approval_requests")
    op.drop_table("approval_requests")
