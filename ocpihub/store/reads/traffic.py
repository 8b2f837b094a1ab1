"""Listing of the traffic log with the operator's filters: the query behind the CLI's
``ocpihub traffic``, the admin API and the console alike (see the package docstring)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from ocpihub.store.reads import Listing, Query
from ocpihub.store.reads.directory import platforms

__all__ = ["COLUMNS", "TrafficFilter", "traffic_entries", "traffic_with_names"]

COLUMNS = (
    "id",
    "at",
    "direction",
    "platform_id",
    "from_party",
    "to_party",
    "module",
    "method",
    "url",
    "http_status",
    "ocpi_status",
    "duration_ms",
    "request_id",
    "correlation_id",
    "outbox_id",
    "error",
    "request_body",
    "response_body",
)
"""The fields of one entry, in the order exports list them."""


@dataclass(frozen=True, slots=True)
class TrafficFilter:
    """Which entries to read; every field given must match.

    ``party`` (``CC-PID``) matches either end of an exchange; ``since``/``until`` bound the time
    (inclusive/exclusive); ``after_id`` reads entries newer than one already seen, oldest first
    (how ``--follow`` and the console's correlation view read); otherwise newest first.
    """

    platform_id: int | None = None
    party: str | None = None
    module: str | None = None
    direction: str | None = None
    http_status: int | None = None
    ocpi_status: int | None = None
    request_id: str | None = None
    correlation_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    after_id: int | None = None
    oldest_first: bool = False
    limit: int = 100

    def newer_than(self, entry_id: int) -> TrafficFilter:
        """The same filter for entries after ``entry_id``, oldest first."""
        return replace(self, after_id=entry_id, oldest_first=True)

    def is_empty(self) -> bool:
        """Whether no field narrows the selection."""
        return all(
            getattr(self, name) is None
            for name in (
                "platform_id",
                "party",
                "module",
                "direction",
                "http_status",
                "ocpi_status",
                "request_id",
                "correlation_id",
                "since",
                "until",
            )
        )


def _where(f: TrafficFilter) -> tuple[str, dict[str, Any]]:
    equal = {
        "platform_id": f.platform_id,
        "module": f.module,
        "direction": f.direction.upper() if f.direction else None,
        "http_status": f.http_status,
        "ocpi_status": f.ocpi_status,
        "request_id": f.request_id,
        "correlation_id": f.correlation_id,
    }
    where = [f"{column} = :{column}" for column, value in equal.items() if value is not None]
    params: dict[str, Any] = {c: value for c, value in equal.items() if value is not None}
    if f.party is not None:
        where.append("(from_party = :party OR to_party = :party)")
        params["party"] = f.party.upper()
    bounds: dict[str, tuple[str, Any]] = {
        "at >= :since": ("since", f.since),
        "at < :until": ("until", f.until),
        "id > :after_id": ("after_id", f.after_id),
    }
    for condition, (name, value) in bounds.items():
        if value is not None:
            where.append(condition)
            params[name] = value
    return (f"WHERE {' AND '.join(where)}" if where else ""), params


def traffic_entries(f: TrafficFilter) -> Listing[list[dict[str, Any]]]:
    """Entries matching ``f`` as JSON-ready dicts (``at`` in ISO 8601)."""
    order = "ASC" if f.oldest_first or f.after_id is not None else "DESC"
    where, params = _where(f)
    rows = yield Query(
        f"SELECT * FROM traffic {where} ORDER BY id {order} LIMIT :limit",
        {**params, "limit": f.limit},
        times=frozenset({"at"}),
    )
    out = []
    for row in rows:
        item = {name: row[name] for name in COLUMNS}
        item["at"] = row["at"].isoformat()
        out.append(item)
    return out


def traffic_with_names(f: TrafficFilter) -> Listing[list[dict[str, Any]]]:
    """Entries matching ``f``, each with its platform's name beside its id."""
    entries = yield from traffic_entries(f)
    names = {p.id: p.name for p in (yield from platforms())}
    for entry in entries:
        entry["platform"] = names.get(entry["platform_id"])
    return entries
