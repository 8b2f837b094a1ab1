"""Partner profiles: a platform's interoperability profile, and an agreement's real-time
authorization policy (timeout, and the hub's answer when the eMSP does not answer in time).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 14:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    json = sa.JSON().with_variant(JSONB(), "postgresql")
    with op.batch_alter_table("platforms", schema=None) as batch_op:
        batch_op.add_column(sa.Column("profile", json, nullable=True))
    with op.batch_alter_table("agreements", schema=None) as batch_op:
        batch_op.add_column(sa.Column("authorize_timeout_seconds", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("authorize_on_timeout", sa.String(length=8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("agreements", schema=None) as batch_op:
        batch_op.drop_column("authorize_on_timeout")
        batch_op.drop_column("authorize_timeout_seconds")
    with op.batch_alter_table("platforms", schema=None) as batch_op:
        batch_op.drop_column("profile")
