"""A platform's default time zone: fills a 2.1.1 Location without ``time_zone`` whose
coordinates lie in no zone.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 14:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("platforms", schema=None) as batch_op:
        batch_op.add_column(sa.Column("default_time_zone", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("platforms", schema=None) as batch_op:
        batch_op.drop_column("default_time_zone")
