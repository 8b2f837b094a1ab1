"""Initial schema: platforms, tokens, parties, endpoints, OCPI objects, hub facts.

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-25 04:44:07.666906
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

import ocpihub.store.schema

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "hub_meta",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_hub_meta")),
    )
    op.create_table(
        "objects",
        sa.Column(
            "key",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("module", sa.String(length=20), nullable=False),
        sa.Column("country_code", sa.String(length=2), nullable=False),
        sa.Column("party_id", sa.String(length=3), nullable=False),
        sa.Column("object_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), server_default="", nullable=False),
        sa.Column("last_updated", ocpihub.store.schema.UtcDateTime(timezone=True), nullable=False),
        sa.Column(
            "document",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("source_version", sa.String(length=10), nullable=False),
        sa.Column(
            "original",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("created_at", ocpihub.store.schema.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", ocpihub.store.schema.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_objects")),
        sa.UniqueConstraint(
            "module",
            "country_code",
            "party_id",
            "object_id",
            "kind",
            name=op.f("uq_objects_module_country_code_party_id_object_id_kind"),
        ),
    )
    with op.batch_alter_table("objects", schema=None) as batch_op:
        batch_op.create_index("ix_objects_module_key", ["module", "key"], unique=False)
        batch_op.create_index(
            "ix_objects_module_last_updated", ["module", "last_updated"], unique=False
        )

    op.create_table(
        "platforms",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("token_encoding", sa.String(length=8), nullable=False),
        sa.Column("version", sa.String(length=10), nullable=True),
        sa.Column("versions_url", sa.String(length=255), nullable=True),
        sa.Column("outbound_token", sa.String(length=64), nullable=True),
        sa.Column(
            "declared_roles",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("liveness_failures", sa.Integer(), server_default="0", nullable=False),
        sa.Column("created_at", ocpihub.store.schema.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", ocpihub.store.schema.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_platforms")),
        sa.UniqueConstraint("name", name=op.f("uq_platforms_name")),
    )
    op.create_table(
        "credentials_tokens",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("platform_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=1), nullable=False),
        sa.Column("created_at", ocpihub.store.schema.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["platform_id"],
            ["platforms.id"],
            name=op.f("fk_credentials_tokens_platform_id_platforms"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_credentials_tokens")),
    )
    with op.batch_alter_table("credentials_tokens", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_credentials_tokens_platform_id"), ["platform_id"], unique=False
        )

    op.create_table(
        "endpoints",
        sa.Column("platform_id", sa.Integer(), nullable=False),
        sa.Column("identifier", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=8), nullable=False),
        sa.Column("url", sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(
            ["platform_id"],
            ["platforms.id"],
            name=op.f("fk_endpoints_platform_id_platforms"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("platform_id", "identifier", "role", name=op.f("pk_endpoints")),
    )
    op.create_table(
        "parties",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("platform_id", sa.Integer(), nullable=True),
        sa.Column("country_code", sa.String(length=2), nullable=False),
        sa.Column("party_id", sa.String(length=3), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column(
            "business_details",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("created_at", ocpihub.store.schema.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", ocpihub.store.schema.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["platform_id"],
            ["platforms.id"],
            name=op.f("fk_parties_platform_id_platforms"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_parties")),
        sa.UniqueConstraint(
            "country_code", "party_id", "role", name=op.f("uq_parties_country_code_party_id_role")
        ),
    )
    with op.batch_alter_table("parties", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_parties_platform_id"), ["platform_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("parties", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_parties_platform_id"))

    op.drop_table("parties")
    op.drop_table("endpoints")
    with op.batch_alter_table("credentials_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_credentials_tokens_platform_id"))

    op.drop_table("credentials_tokens")
    op.drop_table("platforms")
    with op.batch_alter_table("objects", schema=None) as batch_op:
        batch_op.drop_index("ix_objects_module_last_updated")
        batch_op.drop_index("ix_objects_module_key")

    op.drop_table("objects")
    op.drop_table("hub_meta")
