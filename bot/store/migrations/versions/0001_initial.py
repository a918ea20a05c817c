"""Create the first schema: accounts and the token vault, preferences, tracked instances,
watches, the notification outbox, quota limits, the audit log, processed Slack deliveries
and team/channel settings.

Revision ID: 0001
Revises:
Create Date: 2025-01-01

Revisions spell their types out (``sa.DateTime(timezone=True)``, not the app's
``UtcDateTime``) so that a migration keeps meaning what it meant when the models move on.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _timestamp(name: str, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _slack_id(name: str, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.String(length=64), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        _slack_id("team_id"),
        _slack_id("user_id"),
        sa.Column("scnet_user", sa.String(length=128), nullable=False),
        sa.Column("cluster_id", sa.String(length=64), nullable=False),
        sa.Column("region_name", sa.String(length=200), nullable=False),
        sa.Column("ai_base_url", sa.String(length=500), nullable=False),
        sa.Column("token_ciphertext", sa.LargeBinary(), nullable=False),
        _timestamp("token_expires_at", nullable=True),
        sa.Column("access_key_ciphertext", sa.LargeBinary(), nullable=True),
        sa.Column("secret_key_ciphertext", sa.LargeBinary(), nullable=True),
        sa.Column("needs_login", sa.Boolean(), nullable=False),
        sa.Column("needs_login_reason", sa.String(length=32), nullable=True),
        _timestamp("created_at"),
        _timestamp("updated_at"),
        sa.CheckConstraint(
            "(access_key_ciphertext IS NULL) = (secret_key_ciphertext IS NULL)",
            name=op.f("ck_accounts_credentials_pair"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounts")),
        sa.UniqueConstraint("team_id", "user_id", name=op.f("uq_accounts_team_id_user_id")),
    )
    op.create_index(op.f("ix_accounts_token_expires_at"), "accounts", ["token_expires_at"])

    op.create_table(
        "user_preferences",
        _slack_id("team_id"),
        _slack_id("user_id"),
        sa.Column("locale", sa.String(length=8), nullable=True),
        _timestamp("updated_at"),
        sa.CheckConstraint("locale IN ('en', 'zh')", name=op.f("ck_user_preferences_locale")),
        sa.PrimaryKeyConstraint("team_id", "user_id", name=op.f("pk_user_preferences")),
    )

    op.create_table(
        "tracked_instances",
        sa.Column("instance_id", sa.String(length=64), nullable=False),
        _slack_id("team_id"),
        _slack_id("owner_user_id"),
        _slack_id("channel_id", nullable=True),
        sa.Column("thread_ts", sa.String(length=32), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("task_type", sa.String(length=32), nullable=False),
        sa.Column("accelerator", sa.String(length=16), nullable=False),
        sa.Column("cpus", sa.Integer(), nullable=False),
        sa.Column("gpus", sa.Integer(), nullable=False),
        sa.Column("ram_mb", sa.Integer(), nullable=False),
        sa.Column("task_number", sa.Integer(), nullable=False),
        sa.Column("resource_group", sa.String(length=200), nullable=False),
        sa.Column("image_version", sa.String(length=300), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        _timestamp("status_changed_at"),
        sa.Column("source", sa.String(length=16), nullable=False),
        _timestamp("created_at"),
        _timestamp("updated_at"),
        _timestamp("ready_at", nullable=True),
        _timestamp("deleted_at", nullable=True),
        sa.CheckConstraint("source IN ('bot', 'synced')", name=op.f("ck_tracked_instances_source")),
        sa.PrimaryKeyConstraint("instance_id", name=op.f("pk_tracked_instances")),
    )
    op.create_index(
        op.f("ix_tracked_instances_team_id_owner_user_id"),
        "tracked_instances",
        ["team_id", "owner_user_id"],
    )

    op.create_table(
        "watches",
        sa.Column("instance_id", sa.String(length=64), nullable=False),
        _timestamp("next_poll_at"),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("interval_seconds", sa.Double(), nullable=False),
        sa.Column("paused", sa.Boolean(), nullable=False),
        sa.Column("paused_reason", sa.String(length=64), nullable=True),
        sa.Column("lease_owner", sa.String(length=128), nullable=True),
        _timestamp("lease_expires_at", nullable=True),
        sa.Column("generation", sa.Integer(), nullable=False),
        _timestamp("created_at"),
        _timestamp("updated_at"),
        sa.ForeignKeyConstraint(
            ["instance_id"],
            ["tracked_instances.instance_id"],
            name=op.f("fk_watches_instance_id_tracked_instances"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("instance_id", name=op.f("pk_watches")),
    )
    op.create_index(op.f("ix_watches_next_poll_at"), "watches", ["next_poll_at"])

    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("dedupe_key", sa.String(length=255), nullable=False),
        _slack_id("team_id"),
        _slack_id("target_user_id", nullable=True),
        _slack_id("channel_id", nullable=True),
        sa.Column("thread_ts", sa.String(length=32), nullable=True),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        _timestamp("next_attempt_at"),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        _timestamp("created_at"),
        _timestamp("sent_at", nullable=True),
        sa.CheckConstraint("status IN ('pending', 'sent', 'dead')", name=op.f("ck_outbox_status")),
        sa.CheckConstraint(
            "target_user_id IS NOT NULL OR channel_id IS NOT NULL",
            name=op.f("ck_outbox_has_target"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_outbox_dedupe_key")),
    )
    op.create_index(
        op.f("ix_outbox_status_next_attempt_at"), "outbox", ["status", "next_attempt_at"]
    )

    op.create_table(
        "quota_limits",
        _slack_id("team_id"),
        _slack_id("member_user_id"),
        sa.Column("gpus", sa.Integer(), nullable=True),
        sa.Column("cpus", sa.Integer(), nullable=True),
        sa.Column("ram_mb", sa.Integer(), nullable=True),
        sa.Column("instances", sa.Integer(), nullable=True),
        _timestamp("updated_at"),
        sa.PrimaryKeyConstraint("team_id", "member_user_id", name=op.f("pk_quota_limits")),
    )

    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        _slack_id("team_id"),
        _slack_id("user_id"),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("instance_id", sa.String(length=64), nullable=True),
        sa.Column("outcome", sa.String(length=32), nullable=False),
        sa.Column("detail", sa.String(length=300), nullable=False),
        _timestamp("created_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index(op.f("ix_audit_log_team_id_created_at"), "audit_log", ["team_id", "created_at"])

    op.create_table(
        "processed_deliveries",
        sa.Column("key", sa.String(length=255), nullable=False),
        _timestamp("created_at"),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_processed_deliveries")),
    )
    op.create_index(
        op.f("ix_processed_deliveries_created_at"), "processed_deliveries", ["created_at"]
    )

    op.create_table(
        "team_settings",
        _slack_id("team_id"),
        _slack_id("digest_channel_id", nullable=True),
        _timestamp("updated_at"),
        sa.PrimaryKeyConstraint("team_id", name=op.f("pk_team_settings")),
    )

    op.create_table(
        "channel_settings",
        _slack_id("team_id"),
        _slack_id("channel_id"),
        sa.Column("share_access_urls", sa.Boolean(), nullable=False),
        _timestamp("updated_at"),
        sa.PrimaryKeyConstraint("team_id", "channel_id", name=op.f("pk_channel_settings")),
    )


def downgrade() -> None:
    op.drop_table("channel_settings")
    op.drop_table("team_settings")
    op.drop_index(op.f("ix_processed_deliveries_created_at"), table_name="processed_deliveries")
    op.drop_table("processed_deliveries")
    op.drop_index(op.f("ix_audit_log_team_id_created_at"), table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_table("quota_limits")
    op.drop_index(op.f("ix_outbox_status_next_attempt_at"), table_name="outbox")
    op.drop_table("outbox")
    op.drop_index(op.f("ix_watches_next_poll_at"), table_name="watches")
    op.drop_table("watches")
    op.drop_index(
        op.f("ix_tracked_instances_team_id_owner_user_id"), table_name="tracked_instances"
    )
    op.drop_table("tracked_instances")
    op.drop_table("user_preferences")
    op.drop_index(op.f("ix_accounts_token_expires_at"), table_name="accounts")
    op.drop_table("accounts")
