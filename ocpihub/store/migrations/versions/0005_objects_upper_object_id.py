"""Index OCPI objects by upper-cased id (case-insensitive lookups) and by owner in key order.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 07:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("objects", schema=None) as batch_op:
        batch_op.create_index(
            "ix_objects_module_owner_key",
            ["module", "country_code", "party_id", "key"],
            unique=False,
        )
        batch_op.create_index(
            "ix_objects_module_upper_object_id",
            ["module", sa.text("upper(object_id)")],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("objects", schema=None) as batch_op:
        batch_op.drop_index("ix_objects_module_upper_object_id")
        batch_op.drop_index("ix_objects_module_owner_key")
