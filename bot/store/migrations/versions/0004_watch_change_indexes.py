"""Index what the watcher's sweep asks every second: the rows written since its last look.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02

The sweep reads the watches and tracked instances written since it last looked, and counts the
active watches. Without an index on ``updated_at`` both were full scans of a join, once a
second: about 4 ms of CPU at 2,000 watches, growing with every watch. ``next_poll_at`` is no
longer queried (the watcher plans reads in memory), so its index, rewritten on every poll's
record, goes.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(op.f("ix_watches_updated_at"), "watches", ["updated_at"])
    op.create_index(op.f("ix_watches_paused"), "watches", ["paused"])
    op.create_index(op.f("ix_tracked_instances_updated_at"), "tracked_instances", ["updated_at"])
    op.drop_index(op.f("ix_watches_next_poll_at"), table_name="watches")


def downgrade() -> None:
    op.create_index(op.f("ix_watches_next_poll_at"), "watches", ["next_poll_at"])
    op.drop_index(op.f("ix_tracked_instances_updated_at"), table_name="tracked_instances")
    op.drop_index(op.f("ix_watches_paused"), table_name="watches")
    op.drop_index(op.f("ix_watches_updated_at"), table_name="watches")
