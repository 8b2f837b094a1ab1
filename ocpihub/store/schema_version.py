"""Whether a database's schema is at the newest migration, answered without loading Alembic.

The CLI asks this before every command (``cli/_common.py``): a current database, the usual case,
is used as it is, and only an older one pays for Alembic (about a third of a second of imports).
The newest revision is read from the migration scripts themselves, so it cannot drift from them
(a test compares it with Alembic's own answer). The module imports no SQLAlchemy until asked
:func:`is_current`: the CLI's direct reads (``store/reads/direct.py``) use :func:`head_revision`.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ocpihub.store.db import Database

__all__ = ["current_revision", "head_revision", "is_current"]

_VERSIONS = Path(__file__).resolve().parent / "migrations" / "versions"
_REVISION = re.compile(r"""^revision(?:\s*:\s*\w+)?\s*=\s*["']([^"']+)["']""", re.MULTILINE)
_DOWN = re.compile(r"""^down_revision(?:\s*:[^=]+)?\s*=\s*["']([^"']+)["']""", re.MULTILINE)


@cache
def head_revision() -> str:
    """The revision no other migration builds on."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for script in _VERSIONS.glob("*.py"):
        source = script.read_text(encoding="utf-8")
        found = _REVISION.search(source)
        if found is None:
            continue
        revisions.add(found.group(1))
        parents.update(m.group(1) for m in _DOWN.finditer(source))
    heads = revisions - parents
    if len(heads) != 1:
        raise RuntimeError(f"migrations have {len(heads)} heads: {sorted(heads)}")
    return heads.pop()


async def is_current(db: Database) -> bool:
    """Whether ``db`` has the newest schema (False when it has none yet)."""
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    try:
        async with db.read() as conn:
            found = (await conn.execute(text("SELECT version_num FROM alembic_version"))).all()
    except DBAPIError:
        return False
    return [row[0] for row in found] == [head_revision()]


async def current_revision(db: Database) -> str | None:
    """The revision ``db``'s schema is at (None: none recorded); whatever the driver raises
    when the database cannot be read (``GET /ready`` reports it)."""
    from sqlalchemy import text

    async with db.read() as conn:
        row = (await conn.execute(text("SELECT version_num FROM alembic_version"))).first()
    return str(row[0]) if row else None
