"""Outbox: claims per receiver, worker heartbeats, absolute target URLs, capped Retry-After.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 06:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import ocpihub.store.schema

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("target_url", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("retry_after_capped", sa.Float(), nullable=True))
        batch_op.create_index(
            "ix_outbox_receiver_due",
            ["receiver_platform_id", "status", "next_attempt_at", "id"],
            unique=False,
        )
    op.create_table(
        "outbox_workers",
        sa.Column("worker_id", sa.String(length=64), nullable=False),
        sa.Column("machine", sa.String(length=200), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("started_at", ocpihub.store.schema.UtcDateTime(timezone=True), nullable=False),
        sa.Column("heartbeat_at", ocpihub.store.schema.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("worker_id", name=op.f("pk_outbox_workers")),
    )
    with op.batch_alter_table("outbox_workers", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_workers_machine", ["machine"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("outbox_workers", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_workers_machine")
    op.drop_table("outbox_workers")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_receiver_due")
        batch_op.drop_column("retry_after_capped")
        batch_op.drop_column("target_url")
