"""Roaming agreements between parties.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 04:59:27.475566
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

import ocpihub.store.schema

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "agreements",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("a_country_code", sa.String(length=2), nullable=False),
        sa.Column("a_party_id", sa.String(length=3), nullable=False),
        sa.Column("b_country_code", sa.String(length=2), nullable=False),
        sa.Column("b_party_id", sa.String(length=3), nullable=False),
        sa.Column(
            "modules",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("created_at", ocpihub.store.schema.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", ocpihub.store.schema.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agreements")),
        sa.UniqueConstraint(
            "a_country_code",
            "a_party_id",
            "b_country_code",
            "b_party_id",
            name=op.f("uq_agreements_a_country_code_a_party_id_b_country_code_b_party_id"),
        ),
    )
    with op.batch_alter_table("agreements", schema=None) as batch_op:
        batch_op.create_index("ix_agreements_b", ["b_country_code", "b_party_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("agreements", schema=None) as batch_op:
        batch_op.drop_index("ix_agreements_b")

    op.drop_table("agreements")
