"""The schema, as SQLAlchemy 2.0 declarative models. Nothing outside ``bot.store`` sees these.

Why it looks the way it does:

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
    CheckConstraint,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

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


class CreateQueueRow(Base):
    """A create waiting for the team's capacity, first come first served per team (``id``).

    ``command_text`` is the whole ``create`` as ``command_text`` writes it, with the instance
    name fixed when it was queued: a create whose outcome is unknown is found again by that
    name in the requester's list before anything is retried. The resources are the spec's,
    resolved when it was queued, so the drain checks the limits without asking SCNet.
    ``state``: queued -> claimed (a drain holds ``lease_owner`` until ``lease_until`` and has
    counted one more ``attempts`` before calling SCNet) -> created | failed; or cancelled
    (the requester), expired (older than ``QUEUE_TTL_HOURS``).
    """

    __tablename__ = "create_queue"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(SLACK_ID))
    requester_user_id: Mapped[str] = mapped_column(String(SLACK_ID))
    command_text: Mapped[str] = mapped_column(String(8000))
    name: Mapped[str] = mapped_column(String(200))
    image: Mapped[str] = mapped_column(String(300))
    cpus: Mapped[int]
    gpus: Mapped[int]
    ram_mb: Mapped[int]
    task_number: Mapped[int]
    channel_id: Mapped[str | None] = mapped_column(String(SLACK_ID))
    thread_ts: Mapped[str | None] = mapped_column(String(32))
    locale: Mapped[str | None] = mapped_column(String(8))
    state: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, server_default="0")
    lease_owner: Mapped[str | None] = mapped_column(String(128))
    lease_until: Mapped[datetime | None]
    instance_id: Mapped[str | None] = mapped_column(String(64))
    outcome: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]

    __table_args__ = (
        CheckConstraint(
            "state IN ('queued', 'claimed', 'created', 'failed', 'cancelled', 'expired')",
            name="state",
        ),
        Index(None, "team_id", "state", "id"),
        Index(None, "state"),
    )


# --- what it costs (issue 16; migration 0007) --------------------------------------------------


class CostRateRow(Base):
    """An admin's rates for one resource group: CNY per GPU card-hour, per CPU core-hour and
    per GB-hour of memory, each as an integer of ten-thousandths of a yuan (never a float)."""

    __tablename__ = "cost_rates"

    team_id: Mapped[str] = mapped_column(String(SLACK_ID), primary_key=True)
    resource_group: Mapped[str] = mapped_column(String(200), primary_key=True)
    gpu_rate: Mapped[int]
    cpu_rate: Mapped[int]
    ram_rate: Mapped[int]
    updated_by: Mapped[str] = mapped_column(String(SLACK_ID))
    updated_at: Mapped[datetime]

    __table_args__ = (
        CheckConstraint("gpu_rate >= 0 AND cpu_rate >= 0 AND ram_rate >= 0", name="rates"),
    )


class BudgetRow(Base):
    """A monthly budget in fen, of the team (``member_user_id`` ``''``) or one member."""

    __tablename__ = "budgets"

    team_id: Mapped[str] = mapped_column(String(SLACK_ID), primary_key=True)
    member_user_id: Mapped[str] = mapped_column(String(SLACK_ID), primary_key=True)
    budget_fen: Mapped[int]
    updated_at: Mapped[datetime]

    __table_args__ = (CheckConstraint("budget_fen >= 0", name="budget"),)


class BudgetAlertRow(Base):
    """Whether the month's spend of the team (``''``) or a member stands at or above
    ``percent`` of its budget, and how often it crossed it (as ``quota_alerts``)."""

    __tablename__ = "budget_alerts"

    team_id: Mapped[str] = mapped_column(String(SLACK_ID), primary_key=True)
    member_user_id: Mapped[str] = mapped_column(String(SLACK_ID), primary_key=True)
    percent: Mapped[int] = mapped_column(Integer, primary_key=True)
    reached: Mapped[bool]
    crossings: Mapped[int]
    updated_at: Mapped[datetime]


class BalanceAlertRow(Base):
    """A user's SCNet balance as last read, whether it stood below the low-balance floor,
    and how often it fell below (each fall DMs once)."""

    __tablename__ = "balance_alerts"

    team_id: Mapped[str] = mapped_column(String(SLACK_ID), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(SLACK_ID), primary_key=True)
    balance_fen: Mapped[int | None]
    low: Mapped[bool]
    crossings: Mapped[int]
    checked_at: Mapped[datetime]


class InstanceRunRow(Base):
    """One stretch an instance ran, from SCNet's ``startTime`` to its ``endTime`` (NULL:
    still running, as last listed), with what it held: spend survives the instance's
    deletion. A restart is a new row (SCNet gives it a new start)."""

    __tablename__ = "instance_runs"

    instance_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    started_at: Mapped[datetime] = mapped_column(primary_key=True)
    ended_at: Mapped[datetime | None]
    team_id: Mapped[str] = mapped_column(String(SLACK_ID))
    owner_user_id: Mapped[str] = mapped_column(String(SLACK_ID))
    resource_group: Mapped[str] = mapped_column(String(200))
    cpus: Mapped[int]
    gpus: Mapped[int]
    ram_mb: Mapped[int]
    task_number: Mapped[int]
    updated_at: Mapped[datetime]

    __table_args__ = (Index(None, "team_id", "started_at"), Index(None, "ended_at"))


class ApprovalRequestRow(Base):
    """A create a member asked an admin to approve past the team's limits (migration 0008).

    ``command_text``: the whole ``create`` (``command_text`` of it, its name fixed when asked);
    ``summary``: the resolved spec, the numbers against the limits when asked and why it was
    refused (``bot.domain.approvals``). ``state`` leaves ``pending`` once, by one conditional
    UPDATE: ``approved`` (then ``failed`` if the create could not be made), ``denied``,
    ``expired`` or ``cancelled``; ``decided_by`` is the admin (or the requester cancelling).
    """

    __tablename__ = "approval_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(SLACK_ID))
    requester_user_id: Mapped[str] = mapped_column(String(SLACK_ID))
    command_text: Mapped[str] = mapped_column(String(8000))
    summary: Mapped[dict[str, Any]]
    origin_channel_id: Mapped[str | None] = mapped_column(String(SLACK_ID))
    origin_thread_ts: Mapped[str | None] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(16))
    decided_by: Mapped[str | None] = mapped_column(String(SLACK_ID))
    reason: Mapped[str | None] = mapped_column(String(500))
    instance_id: Mapped[str | None] = mapped_column(String(64))
    failure: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]
    expires_at: Mapped[datetime]

    __table_args__ = (
        CheckConstraint(
            "state IN ('pending', 'approved', 'denied', 'expired', 'failed', 'cancelled')",
            name="state",
        ),
        Index(None, "state", "expires_at"),
        Index(None, "team_id", "requester_user_id", "state"),
    )


class ApprovalMessageRow(Base):
    """A post that shows an approval request to admins, and the state it shows now."""

    __tablename__ = "approval_messages"

    request_id: Mapped[int] = mapped_column(
        ForeignKey("approval_requests.id", ondelete="CASCADE"), primary_key=True
    )
    channel_id: Mapped[str] = mapped_column(String(SLACK_ID), primary_key=True)
    ts: Mapped[str] = mapped_column(String(32))
    locale: Mapped[str | None] = mapped_column(String(8))
    shown_state: Mapped[str] = mapped_column(String(16))


class ApprovalChannelRow(Base):
    """Where a team's approval requests are posted (``quota approvals #channel``)."""

    __tablename__ = "approval_channels"

    team_id: Mapped[str] = mapped_column(String(SLACK_ID), primary_key=True)
    channel_id: Mapped[str] = mapped_column(String(SLACK_ID))
    locale: Mapped[str | None] = mapped_column(String(8))
    updated_at: Mapped[datetime]
