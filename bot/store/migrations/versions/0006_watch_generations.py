"""Count an instance's watches on its tracked row, so a new watch never reuses a generation.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02

A watch's generation is part of its notices' dedupe keys (``<instance>:ready:<generation>``).
It lived only on the watch row, which goes when the watch ends (the instance failed, stopped,
or was unwatched), so the next watch of that instance (a Restart) started again at 1, and its
"ready" notice was taken for the one already sent: no link after a restart. The count now
lives on ``tracked_instances.watch_generations`` and only grows.

Backfill: an instance watched now continues from its watch's generation. One not watched now
may have had watches whose rows are gone, with notices under generations nobody recorded, so
it continues from 1000, above any generation a watch reaches by restarts in practice.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UNKNOWN_PAST = 1000


def upgrade() -> None:
    with op.batch_alter_table("tracked_instances") as batch:
        batch.add_column(
            sa.Column("watch_generations", sa.Integer(), server_default="0", nullable=False)
        )
    op.execute(
        sa.text(
            "UPDATE tracked_instances SET watch_generations = COALESCE("
            "(SELECT generation FROM watches"
            " WHERE watches.instance_id = tracked_instances.instance_id), :unknown_past)"
        ).bindparams(unknown_past=UNKNOWN_PAST)
    )


def downgrade() -> None:
    with op.batch_alter_table("tracked_instances") as batch:
        batch.drop_column("watch_generations")
