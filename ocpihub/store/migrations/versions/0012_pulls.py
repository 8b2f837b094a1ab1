"""Scheduled pulls: one row per platform and module (lease and progress).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 14:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import ocpihub.store.schema

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def _when(name: str) -> sa.Column[object]:
    return sa.Column(name, ocpihub.store.schema.UtcDateTime(timezone=True), nullable=True)


def upgrade() -> None:
    op.create_table(
        "pulls",
        sa.Column("platform_id", sa.Integer(), nullable=False),
        sa.Column("module", sa.String(length=32), nullable=False),
        sa.Column("lease_owner", sa.String(length=64), nullable=True),
        _when("lease_until"),
        sa.Column("kind", sa.String(length=8), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=True),
        sa.Column("correlation_id", sa.String(length=64), nullable=True),
        _when("started_at"),
        _when("finished_at"),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.Column("objects", sa.Integer(), nullable=False),
        sa.Column("stored", sa.Integer(), nullable=False),
        sa.Column("removed", sa.Integer(), nullable=False),
        sa.Column("errors", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=True),
        sa.Column(
            "messages",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        _when("synced_from"),
        _when("full_synced_from"),
        sa.ForeignKeyConstraint(
            ["platform_id"],
            ["platforms.id"],
            name=op.f("fk_pulls_platform_id_platforms"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("platform_id", "module", name=op.f("pk_pulls")),
    )


def downgrade() -> None:
    op.drop_table("pulls")
