"""Pending commands and charging-profile requests (callback mapping).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 05:58:58.439768
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

import ocpihub.store.schema

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pending_requests",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("module", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("requester_platform_id", sa.Integer(), nullable=False),
        sa.Column("requester_country_code", sa.String(length=2), nullable=False),
        sa.Column("requester_party_id", sa.String(length=3), nullable=False),
        sa.Column("requester_version", sa.String(length=10), nullable=False),
        sa.Column("receiver_platform_id", sa.Integer(), nullable=False),
        sa.Column("receiver_country_code", sa.String(length=2), nullable=False),
        sa.Column("receiver_party_id", sa.String(length=3), nullable=False),
        sa.Column("receiver_version", sa.String(length=10), nullable=False),
        sa.Column("response_url", sa.Text(), nullable=True),
        sa.Column("correlation_id", sa.String(length=64), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=True),
        sa.Column(
            "results",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("result_due_at", ocpihub.store.schema.UtcDateTime(timezone=True), nullable=True),
        sa.Column("expires_at", ocpihub.store.schema.UtcDateTime(timezone=True), nullable=False),
        sa.Column("created_at", ocpihub.store.schema.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pending_requests")),
    )
    with op.batch_alter_table("pending_requests", schema=None) as batch_op:
        batch_op.create_index("ix_pending_requests_expires_at", ["expires_at"], unique=False)
        batch_op.create_index(
            "ix_pending_requests_module_reference", ["module", "reference"], unique=False
        )
        batch_op.create_index("ix_pending_requests_result_due_at", ["result_due_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("pending_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_pending_requests_result_due_at")
        batch_op.drop_index("ix_pending_requests_module_reference")
        batch_op.drop_index("ix_pending_requests_expires_at")

    op.drop_table("pending_requests")
