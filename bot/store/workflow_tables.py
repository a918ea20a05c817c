"""The tables of the team's GPU workflow: the create queue (migration 0009), what it costs
(issue 16; migration 0007) and approvals (migration 0008). ``bot.store.tables`` re-exports
them, so importing it registers them on ``Base.metadata`` with the rest; the conventions they
follow are ``bot.store.schema``'s.
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
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.store.schema import SLACK_ID, Base


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
