"""Delivery: the outbox (durable deliveries) and the traffic log of every OCPI exchange.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 04:57:28.431166
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

import ocpihub.store.schema

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "traffic",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("at", ocpihub.store.schema.UtcDateTime(timezone=True), nullable=False),
        sa.Column("direction", sa.String(length=3), nullable=False),
        sa.Column("platform_id", sa.Integer(), nullable=True),
        sa.Column("from_party", sa.String(length=6), nullable=True),
        sa.Column("to_party", sa.String(length=6), nullable=True),
        sa.Column("module", sa.String(length=20), nullable=True),
        sa.Column("method", sa.String(length=8), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("http_status", sa.Integer(), nullable=True),
        sa.Column("ocpi_status", sa.Integer(), nullable=True),
        sa.Column("duration_ms", sa.Float(), nullable=False),
        sa.Column("request_id", sa.String(length=64), nullable=True),
        sa.Column("correlation_id", sa.String(length=64), nullable=True),
        sa.Column("outbox_id", sa.BigInteger(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("request_body", sa.Text(), nullable=True),
        sa.Column("response_body", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_traffic")),
    )
    with op.batch_alter_table("traffic", schema=None) as batch_op:
        batch_op.create_index("ix_traffic_at", ["at"], unique=False)
        batch_op.create_index("ix_traffic_platform_id_at", ["platform_id", "at"], unique=False)

    op.create_table(
        "outbox",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("receiver_platform_id", sa.Integer(), nullable=False),
        sa.Column("to_country_code", sa.String(length=2), nullable=False),
        sa.Column("to_party_id", sa.String(length=3), nullable=False),
        sa.Column("from_country_code", sa.String(length=2), nullable=False),
        sa.Column("from_party_id", sa.String(length=3), nullable=False),
        sa.Column("broadcast", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("module", sa.String(length=20), nullable=False),
        sa.Column("interface_role", sa.String(length=8), nullable=False),
        sa.Column("method", sa.String(length=8), nullable=False),
        sa.Column("url_suffix", sa.String(length=255), nullable=False),
        sa.Column("object_name", sa.String(length=40), nullable=True),
        sa.Column(
            "payload",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "original",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("original_version", sa.String(length=10), nullable=True),
        sa.Column("ordering_key", sa.String(length=200), nullable=False),
        sa.Column("correlation_id", sa.String(length=64), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column(
            "next_attempt_at", ocpihub.store.schema.UtcDateTime(timezone=True), nullable=False
        ),
        sa.Column("window_start", ocpihub.store.schema.UtcDateTime(timezone=True), nullable=False),
        sa.Column("lease_until", ocpihub.store.schema.UtcDateTime(timezone=True), nullable=True),
        sa.Column("claimed_by", sa.String(length=64), nullable=True),
        sa.Column("delivered_at", ocpihub.store.schema.UtcDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("last_http_status", sa.Integer(), nullable=True),
        sa.Column("last_ocpi_status", sa.Integer(), nullable=True),
        sa.Column(
            "loss_report",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("created_at", ocpihub.store.schema.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", ocpihub.store.schema.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["receiver_platform_id"],
            ["platforms.id"],
            name=op.f("fk_outbox_receiver_platform_id_platforms"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index(
            "ix_outbox_queue", ["receiver_platform_id", "ordering_key", "id"], unique=False
        )
        batch_op.create_index(
            "ix_outbox_status_next_attempt_at", ["status", "next_attempt_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_status_next_attempt_at")
        batch_op.drop_index("ix_outbox_queue")

    op.drop_table("outbox")
    with op.batch_alter_table("traffic", schema=None) as batch_op:
        batch_op.drop_index("ix_traffic_platform_id_at")
        batch_op.drop_index("ix_traffic_at")

    op.drop_table("traffic")
