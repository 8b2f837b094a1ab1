"""Indexes of the CDR reconciliation report: CDRs by receipt time, CDR deliveries by object.

Both are partial (``module = 'cdrs'``): only CDR rows pay for them.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 14:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

_CDRS = sa.text("module = 'cdrs'")


def upgrade() -> None:
    op.create_index(
        "ix_objects_cdrs_created_at",
        "objects",
        ["created_at", "key"],
        postgresql_where=_CDRS,
        sqlite_where=_CDRS,
    )
    op.create_index(
        "ix_outbox_cdrs_ordering_key",
        "outbox",
        ["ordering_key"],
        postgresql_where=_CDRS,
        sqlite_where=_CDRS,
    )


def downgrade() -> None:
    op.drop_index("ix_outbox_cdrs_ordering_key", table_name="outbox")
    op.drop_index("ix_objects_cdrs_created_at", table_name="objects")
