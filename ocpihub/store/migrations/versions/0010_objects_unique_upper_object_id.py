"""OCPI object ids are unique case-insensitively (CiString): one object per upper-cased id.

Objects that already exist under several spellings of one id (made by earlier versions, which
compared ids exactly) become one: the first-created row keeps its spelling and key and takes the
most recently updated row's content; the other rows are deleted. Then a unique index on
``upper(object_id)`` keeps it so.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 06:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_IDENTITY = ["module", "country_code", "party_id", "kind"]
_CONTENT = ["last_updated", "document", "source_version", "original", "updated_at"]


def _merge_duplicates() -> None:
    bind = op.get_bind()
    objects = sa.table(
        "objects", sa.column("key"), sa.column("object_id"), *map(sa.column, _IDENTITY)
    )
    upper = sa.func.upper(objects.c.object_id)
    groups = bind.execute(
        sa.select(*(objects.c[c] for c in _IDENTITY), upper.label("uid"))
        .group_by(*(objects.c[c] for c in _IDENTITY), upper)
        .having(sa.func.count() > 1)
    ).all()
    columns = ", ".join(_CONTENT)
    for group in groups:
        module, cc, pid, kind, uid = tuple(group)
        keys = bind.execute(
            sa.text(
                "SELECT key FROM objects WHERE module = :m AND country_code = :c AND "
                "party_id = :p AND kind = :k AND upper(object_id) = :u "
                "ORDER BY updated_at DESC, key DESC"
            ),
            {"m": module, "c": cc, "p": pid, "k": kind, "u": uid},
        ).scalars()
        newest = list(keys)
        first = min(newest)
        if newest[0] != first:
            bind.execute(
                sa.text(
                    f"UPDATE objects SET ({columns}) = "
                    f"(SELECT {columns} FROM objects WHERE key = :newest) WHERE key = :first"
                ),
                {"newest": newest[0], "first": first},
            )
        for key in newest:
            if key != first:
                bind.execute(sa.text("DELETE FROM objects WHERE key = :k"), {"k": key})


def upgrade() -> None:
    _merge_duplicates()
    # the exact-id constraint stays (implied by this index; dropping it would rebuild the table
    # on SQLite, losing its expression indexes)
    op.create_index(
        "uq_objects_identity",
        "objects",
        ["module", "country_code", "party_id", sa.text("upper(object_id)"), "kind"],
        unique=True,
    )


def downgrade() -> None:
    op.drop_index("uq_objects_identity", table_name="objects")
