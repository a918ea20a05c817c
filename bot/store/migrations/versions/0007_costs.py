"""Rates, budgets and spend: what the team's instances cost (issue 16).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02

Five new tables, nothing existing changes:

- ``cost_rates``: an admin's rates per team and resource group, integer ten-thousandths of
  a yuan per GPU card-hour, CPU core-hour and GB-hour (money is never a float);
- ``budgets``: monthly budgets in fen, of a team (``member_user_id`` ``''``) or a member;
- ``budget_alerts``: the 80% / 100% crossings of a budget, as ``quota_alerts`` counts them;
- ``balance_alerts``: each user's SCNet balance as last read and its low-balance crossings;
- ``instance_runs``: each stretch an instance ran (SCNet's start and end times) with what it
  held, so spend outlives a deleted instance.

Downgrading drops them, and with them the rates, budgets and the spend history.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "cost_rates",
        sa.Column("team_id", sa.String(length=64), nullable=False),
        sa.Column("resource_group", sa.String(length=200), nullable=False),
        sa.Column("gpu_rate", sa.Integer(), nullable=False),
        sa.Column("cpu_rate", sa.Integer(), nullable=False),
        sa.Column("ram_rate", sa.Integer(), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "gpu_rate >= 0 AND cpu_rate >= 0 AND ram_rate >= 0", name=op.f("ck_cost_rates_rates")
        ),
        sa.PrimaryKeyConstraint("team_id", "resource_group", name=op.f("pk_cost_rates")),
    )
    op.create_table(
        "budgets",
        sa.Column("team_id", sa.String(length=64), nullable=False),
        sa.Column("member_user_id", sa.String(length=64), nullable=False),
        sa.Column("budget_fen", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("budget_fen >= 0", name=op.f("ck_budgets_budget")),
        sa.PrimaryKeyConstraint("team_id", "member_user_id", name=op.f("pk_budgets")),
    )
    op.create_table(
        "budget_alerts",
        sa.Column("team_id", sa.String(length=64), nullable=False),
        sa.Column("member_user_id", sa.String(length=64), nullable=False),
        sa.Column("percent", sa.Integer(), nullable=False),
        sa.Column("reached", sa.Boolean(), nullable=False),
        sa.Column("crossings", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint(
            "team_id", "member_user_id", "percent", name=op.f("pk_budget_alerts")
        ),
    )
    op.create_table(
        "balance_alerts",
        sa.Column("team_id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("balance_fen", sa.Integer(), nullable=True),
        sa.Column("low", sa.Boolean(), nullable=False),
        sa.Column("crossings", sa.Integer(), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("team_id", "user_id", name=op.f("pk_balance_alerts")),
    )
    op.create_table(
        "instance_runs",
        sa.Column("instance_id", sa.String(length=64), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("team_id", sa.String(length=64), nullable=False),
        sa.Column("owner_user_id", sa.String(length=64), nullable=False),
        sa.Column("resource_group", sa.String(length=200), nullable=False),
        sa.Column("cpus", sa.Integer(), nullable=False),
        sa.Column("gpus", sa.Integer(), nullable=False),
        sa.Column("ram_mb", sa.Integer(), nullable=False),
        sa.Column("task_number", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("instance_id", "started_at", name=op.f("pk_instance_runs")),
    )
    op.create_index(
        op.f("ix_instance_runs_team_id_started_at"),
        "instance_runs",
        ["team_id", "started_at"],
    )
    op.create_index(op.f("ix_instance_runs_ended_at"), "instance_runs", ["ended_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_instance_runs_ended_at"), table_name="instance_runs")
    op.drop_index(op.f("ix_instance_runs_team_id_started_at"), table_name="instance_runs")
    op.drop_table("instance_runs")
    op.drop_table("balance_alerts")
    op.drop_table("budget_alerts")
    op.drop_table("budgets")
    op.drop_table("cost_rates")
