"""Listing of scheduled pulls: the row shaping behind ``store/pulls.py`` and ``ocpihub pull
status`` (see the package docstring)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ocpihub.store.reads import Listing, Query, RowLike

__all__ = ["MAX_MESSAGES", "PullProgress", "PullRow", "pull_from_row", "pull_rows"]

MAX_MESSAGES = 20
"""Error messages kept per run (the count goes on)."""


@dataclass(slots=True)
class PullProgress:
    """What a running pull has done so far."""

    pages: int = 0
    objects: int = 0
    stored: int = 0
    removed: int = 0
    errors: int = 0
    total: int | None = None
    messages: list[str] = field(default_factory=list)

    def error(self, message: str) -> None:
        """Count an error; keep its message while there is room."""
        self.errors += 1
        if len(self.messages) < MAX_MESSAGES:
            self.messages.append(message)

    def values(self) -> dict[str, Any]:
        """The row columns this progress sets."""
        return {
            "pages": self.pages,
            "objects": self.objects,
            "stored": self.stored,
            "removed": self.removed,
            "errors": self.errors,
            "total": self.total,
            "messages": list(self.messages),
        }


@dataclass(frozen=True, slots=True)
class PullRow:
    """One platform and module's pull: the current or last run, and the last successes."""

    platform_id: int
    module: str
    running: bool
    kind: str | None
    status: str | None
    correlation_id: str | None
    started_at: datetime | None
    finished_at: datetime | None
    progress: PullProgress
    synced_from: datetime | None
    full_synced_from: datetime | None


def pull_from_row(row: RowLike, now: datetime) -> PullRow:
    """A ``pulls`` row as a :class:`PullRow` (``running``: its lease holds at ``now``)."""
    lease = row["lease_until"]
    return PullRow(
        platform_id=row["platform_id"],
        module=row["module"],
        running=row["lease_owner"] is not None and lease is not None and lease > now,
        kind=row["kind"],
        status=row["status"],
        correlation_id=row["correlation_id"],
        started_at=row["started_at"],
        finished_at=row["finished_at"],
        progress=PullProgress(
            pages=row["pages"],
            objects=row["objects"],
            stored=row["stored"],
            removed=row["removed"],
            errors=row["errors"],
            total=row["total"],
            messages=list(row["messages"] or []),
        ),
        synced_from=row["synced_from"],
        full_synced_from=row["full_synced_from"],
    )


def pull_rows(now: datetime, platform_id: int | None = None) -> Listing[list[PullRow]]:
    """Every pull row (of one platform), by platform and module."""
    where = "" if platform_id is None else "WHERE platform_id = :p"
    rows = yield Query(
        f"SELECT * FROM pulls {where} ORDER BY platform_id, module",
        {} if platform_id is None else {"p": platform_id},
        json=frozenset({"messages"}),
        times=frozenset(
            {"lease_until", "started_at", "finished_at", "synced_from", "full_synced_from"}
        ),
    )
    return [pull_from_row(r, now) for r in rows]
