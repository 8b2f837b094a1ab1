"""Outbox items outlive their receiver platform: removing a platform dead-letters its items.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 06:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_FK = "fk_outbox_receiver_platform_id_platforms"
_NAMES = {"fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s"}


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None, naming_convention=_NAMES) as batch_op:
        batch_op.drop_constraint(_FK, type_="foreignkey")
        batch_op.alter_column("receiver_platform_id", existing_type=sa.Integer(), nullable=True)
        batch_op.create_foreign_key(
            _FK, "platforms", ["receiver_platform_id"], ["id"], ondelete="SET NULL"
        )


def downgrade() -> None:
    op.execute("DELETE FROM outbox WHERE receiver_platform_id IS NULL")
    with op.batch_alter_table("outbox", schema=None, naming_convention=_NAMES) as batch_op:
        batch_op.drop_constraint(_FK, type_="foreignkey")
        batch_op.alter_column("receiver_platform_id", existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key(
            _FK, "platforms", ["receiver_platform_id"], ["id"], ondelete="CASCADE"
        )
