"""The schema, as SQLAlchemy 2.0 declarative models. Nothing outside ``bot.store`` sees these.

Every table is reached from here, and importing this module registers each of them on
``Base.metadata`` (which the migrations and ``test_schema_matches_metadata`` read): the
accounts, instances, watches, notices, quotas, audit and settings below, and the team's GPU
workflow (the create queue, what it costs, approvals) in ``bot.store.workflow_tables``.
What they share (``Base``, ``UtcDateTime``, the naming convention) and why the schema looks
the way it does: ``bot.store.schema``.

When you change a model, add an Alembic revision under ``migrations/versions``; the test
``test_schema_matches_metadata`` fails until the two agree.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.store.schema import NAMING_CONVENTION, SLACK_ID, Base, UtcDateTime
from bot.store.workflow_tables import (
    ApprovalChannelRow,
    ApprovalMessageRow,
    ApprovalRequestRow,
    BalanceAlertRow,
    BudgetAlertRow,
    BudgetRow,
    CostRateRow,
    CreateQueueRow,
    InstanceRunRow,
)

__all__ = [
    "NAMING_CONVENTION",
    "SLACK_ID",
    "AccountRow",
    "ApprovalChannelRow",
    "ApprovalMessageRow",
    "ApprovalRequestRow",
    "AuditRow",
    "BalanceAlertRow",
    "Base",
    "BudgetAlertRow",
    "BudgetRow",
    "ChannelSettingRow",
    "CostRateRow",
    "CreateQueueRow",
    "InstanceRunRow",
    "OutboxRow",
    "ProcessedDeliveryRow",
    "QuotaAlertRow",
    "QuotaLimitRow",
    "TeamSettingRow",
    "TrackedInstanceRow",
    "UserPreferenceRow",
    "UtcDateTime",
    "WatchRow",
]


class AccountRow(Base):
    """A Slack user's SCNet login. Forgetting a user deletes the row, secrets and all."""

    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(SLACK_ID))
    user_id: Mapped[str] = mapped_column(String(SLACK_ID))
    scnet_user: Mapped[str] = mapped_column(String(128))
    cluster_id: Mapped[str] = mapped_column(String(64))
    region_name: Mapped[str] = mapped_column(String(200))
    ai_base_url: Mapped[str] = mapped_column(String(500))
    token_ciphertext: Mapped[bytes]
    token_expires_at: Mapped[datetime | None]
    access_key_ciphertext: Mapped[bytes | None]
    secret_key_ciphertext: Mapped[bytes | None]
    needs_login: Mapped[bool]
    needs_login_reason: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    __table_args__ = (
        UniqueConstraint("team_id", "user_id"),
        # AK and SK only make sense together: half a pair could never mint a token.
        CheckConstraint(
            "(access_key_ciphertext IS NULL) = (secret_key_ciphertext IS NULL)",
            name="credentials_pair",
        ),
        Index(None, "token_expires_at"),
    )


class UserPreferenceRow(Base):
    """Per-user settings that hold without a login (the locale of the bot's answers)."""

    __tablename__ = "user_preferences"

    team_id: Mapped[str] = mapped_column(String(SLACK_ID), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(SLACK_ID), primary_key=True)
    locale: Mapped[str | None] = mapped_column(String(8))
    updated_at: Mapped[datetime]

    __table_args__ = (CheckConstraint("locale IN ('en', 'zh')", name="locale"),)


class TrackedInstanceRow(Base):
    """An SCNet instance the bot knows about: created through it, or found by a sync."""

    __tablename__ = "tracked_instances"

    instance_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    team_id: Mapped[str] = mapped_column(String(SLACK_ID))
    owner_user_id: Mapped[str] = mapped_column(String(SLACK_ID))
    channel_id: Mapped[str | None] = mapped_column(String(SLACK_ID))
    thread_ts: Mapped[str | None] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    task_type: Mapped[str] = mapped_column(String(32))
    accelerator: Mapped[str] = mapped_column(String(16))
    cpus: Mapped[int]
    gpus: Mapped[int]
    ram_mb: Mapped[int]
    task_number: Mapped[int]
    resource_group: Mapped[str] = mapped_column(String(200))
    image_version: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(32))
    status_changed_at: Mapped[datetime]
    source: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    ready_at: Mapped[datetime | None]
    deleted_at: Mapped[datetime | None]
    # How many watches this instance has had: the next one's generation (notices' dedupe
    # keys carry it), kept here because a watch's row goes when the watch ends.
    watch_generations: Mapped[int] = mapped_column(server_default="0")

    __table_args__ = (
        CheckConstraint("source IN ('bot', 'synced')", name="source"),
        Index(None, "team_id", "owner_user_id"),
        Index(None, "updated_at"),
    )


class WatchRow(Base):
    """Watching state of one instance: its generation, its last planned poll, paused or not.

    Only the leader watches, so no lease is needed (migration 0010 dropped the unused one)."""

    __tablename__ = "watches"

    instance_id: Mapped[str] = mapped_column(
        String(64),
        ForeignKey("tracked_instances.instance_id", ondelete="CASCADE"),
        primary_key=True,
    )
    next_poll_at: Mapped[datetime]
    attempts: Mapped[int]
    interval_seconds: Mapped[float]
    paused: Mapped[bool]
    paused_reason: Mapped[str | None] = mapped_column(String(64))
    generation: Mapped[int]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    __table_args__ = (Index(None, "updated_at"), Index(None, "paused"))


class OutboxRow(Base):
    """A Slack notice to send at least once; ``dedupe_key`` makes enqueueing idempotent."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    dedupe_key: Mapped[str] = mapped_column(String(255), unique=True)
    team_id: Mapped[str] = mapped_column(String(SLACK_ID))
    target_user_id: Mapped[str | None] = mapped_column(String(SLACK_ID))
    channel_id: Mapped[str | None] = mapped_column(String(SLACK_ID))
    thread_ts: Mapped[str | None] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int]
    next_attempt_at: Mapped[datetime]
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]

    __table_args__ = (
        CheckConstraint("status IN ('pending', 'sent', 'dead')", name="status"),
        CheckConstraint("target_user_id IS NOT NULL OR channel_id IS NOT NULL", name="has_target"),
        Index(None, "status", "next_attempt_at"),
    )


class QuotaLimitRow(Base):
    """A team's limits, or one member's (``member_user_id`` ``''`` = the whole team).

    The empty string stands for "team-wide" because a NULL in a primary key or unique
    constraint would let two team-wide rows coexist on SQLite.
    """

    __tablename__ = "quota_limits"

    team_id: Mapped[str] = mapped_column(String(SLACK_ID), primary_key=True)
    member_user_id: Mapped[str] = mapped_column(String(SLACK_ID), primary_key=True)
    gpus: Mapped[int | None]
    cpus: Mapped[int | None]
    ram_mb: Mapped[int | None]
    instances: Mapped[int | None]
    updated_at: Mapped[datetime]


class AuditRow(Base):
    """Who did what to which instance, and how it ended. ``detail`` never holds a secret."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(SLACK_ID))
    user_id: Mapped[str] = mapped_column(String(SLACK_ID))
    action: Mapped[str] = mapped_column(String(64))
    instance_id: Mapped[str | None] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime]
    request_id: Mapped[str | None] = mapped_column(String(32))  # bot.logs: the command's id

    __table_args__ = (Index(None, "team_id", "created_at"),)


class ProcessedDeliveryRow(Base):
    """An idempotency key (a Slack event id, a retried command's id) already handled."""

    __tablename__ = "processed_deliveries"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(index=True)


class TeamSettingRow(Base):
    """A team's daily digest: where (NULL: off), when, and in which language.

    ``digest_time`` is the local ``HH:MM`` in ``digest_timezone`` (an IANA name); a digest
    due before ``updated_at`` is skipped, so a schedule changed mid-day starts tomorrow.
    """

    __tablename__ = "team_settings"

    team_id: Mapped[str] = mapped_column(String(SLACK_ID), primary_key=True)
    digest_channel_id: Mapped[str | None] = mapped_column(String(SLACK_ID))
    digest_time: Mapped[str] = mapped_column(String(5), server_default="09:00")
    digest_timezone: Mapped[str] = mapped_column(String(64), server_default="Asia/Shanghai")
    digest_hours: Mapped[int] = mapped_column(Integer, server_default="24")
    digest_locale: Mapped[str | None] = mapped_column(String(8))
    updated_at: Mapped[datetime]

    __table_args__ = (CheckConstraint("digest_locale IN ('en', 'zh')", name="digest_locale"),)


class QuotaAlertRow(Base):
    """Whether a team's usage (or one member's) stands at or above ``percent`` of its
    ``resource`` limit; ``member_user_id`` ``''`` = the whole team, as in ``quota_limits``.

    ``crossings`` counts the times it went from below to at-or-above: the alert's dedupe key
    carries it, so each crossing alerts once, across restarts, and a later one alerts again.
    """

    __tablename__ = "quota_alerts"

    team_id: Mapped[str] = mapped_column(String(SLACK_ID), primary_key=True)
    member_user_id: Mapped[str] = mapped_column(
        String(SLACK_ID), primary_key=True, server_default=""
    )
    resource: Mapped[str] = mapped_column(String(16), primary_key=True)
    percent: Mapped[int] = mapped_column(Integer, primary_key=True)
    reached: Mapped[bool]
    crossings: Mapped[int]
    updated_at: Mapped[datetime]

    __table_args__ = (
        CheckConstraint("resource IN ('gpus', 'cpus', 'ram_mb', 'instances')", name="resource"),
    )


class ChannelSettingRow(Base):
    """A channel that opted in to full access URLs (DESIGN.md: by default it gets none)."""

    __tablename__ = "channel_settings"

    team_id: Mapped[str] = mapped_column(String(SLACK_ID), primary_key=True)
    channel_id: Mapped[str] = mapped_column(String(SLACK_ID), primary_key=True)
    share_access_urls: Mapped[bool]
    updated_at: Mapped[datetime]
