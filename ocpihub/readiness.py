"""``GET /ready``: may a load balancer send this process traffic?

Ready when the database answers (within two seconds), its schema is at the newest migration
this code knows, and the process's background workers (deliveries, traffic log) run. Each
check is reported by name; any failed check makes the answer 503. ``GET /health`` is only
"the process serves HTTP".
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ocpihub.store.db import Database
from ocpihub.store.schema_version import current_revision, head_revision

__all__ = ["Readiness"]

CHECK_TIMEOUT = 2.0


@dataclass
class Readiness:
    """The checks behind ``GET /ready``; ``workers`` maps a name to "is it running?"."""

    db: Database
    workers: dict[str, Callable[[], bool]] = field(default_factory=dict)
    head: str | None = None

    async def check(self) -> tuple[bool, dict[str, Any]]:
        """(ready?, the report: one entry per check with ``ok`` and, when not, ``error``)."""
        if self.head is None:
            self.head = head_revision()  # of the migrations shipped with this code
        report: dict[str, Any] = {}
        try:
            current = await asyncio.wait_for(current_revision(self.db), timeout=CHECK_TIMEOUT)
        except Exception as exc:  # whatever the driver raises: the database is not usable
            detail = f"{type(exc).__name__}: {exc}".strip().rstrip(":")
            report["database"] = {"ok": False, "error": detail[:300]}
            report["migrations"] = {"ok": False, "error": "database not reachable"}
        else:
            report["database"] = {"ok": True}
            migrations: dict[str, Any] = {"ok": current == self.head, "current": current}
            if current != self.head:
                migrations["error"] = f"schema is at {current}, this code needs {self.head}"
            report["migrations"] = migrations
        for name, running in self.workers.items():
            report[name] = {"ok": True} if running() else {"ok": False, "error": "not running"}
        return all(item["ok"] for item in report.values()), report
