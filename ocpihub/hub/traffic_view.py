"""The traffic log as operators read it: filters from text, names for platforms, CSV.

The CLI (``ocpihub traffic``), the admin API (``GET /admin/api/traffic``) and the console's
Traffic page all build their :class:`~ocpihub.store.reads.traffic.TrafficFilter` here, so a bad
filter value gets the same message everywhere. Both are listings (``store/reads``): the CLI runs
them on the driver directly, the admin API and the console on the hub's engine; this module
imports no SQLAlchemy.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from ocpihub.errors import InvalidParameters
from ocpihub.hub.csv_export import to_csv as rows_to_csv
from ocpihub.store.reads import Listing
from ocpihub.store.reads.directory import find_platform
from ocpihub.store.reads.traffic import COLUMNS, TrafficFilter, traffic_with_names

if TYPE_CHECKING:
    from ocpihub.store.db import Database

__all__ = [
    "FILTER_FIELDS",
    "MAX_LIMIT",
    "filter_listing",
    "read_traffic",
    "to_csv",
    "traffic_filter",
]

FILTER_FIELDS = (
    "platform",
    "party",
    "module",
    "direction",
    "status",
    "ocpi_status",
    "request_id",
    "correlation_id",
    "since",
    "until",
)
"""The filter names, as query parameters, form fields and (with dashes) CLI options."""

_PARTY = re.compile(r"^[A-Za-z]{2}-[A-Za-z0-9]{3}$")
MAX_LIMIT = 10_000


def _int(name: str, value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise InvalidParameters(f"{name} {value!r} is not a number") from None


def _time(name: str, value: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise InvalidParameters(
            f"{name} {value!r} is not an ISO 8601 time, e.g. 2026-01-31T12:00:00Z"
        ) from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed


async def traffic_filter(
    db: Database, values: Mapping[str, str | None], *, limit: int = 100
) -> TrafficFilter:
    """A filter from text values named as in :data:`FILTER_FIELDS` (empty ones ignored).

    ``platform`` is a platform's name or id. Bad values raise InvalidParameters naming them.
    """
    return await db.read_listing(filter_listing(values, limit=limit))


def filter_listing(values: Mapping[str, str | None], *, limit: int = 100) -> Listing[TrafficFilter]:
    """:func:`traffic_filter` as a listing (it reads the platform named)."""
    given = {k: v.strip() for k, v in values.items() if v is not None and v.strip() != ""}
    unknown = sorted(set(given) - set(FILTER_FIELDS))
    if unknown:
        raise InvalidParameters(f"unknown traffic filter {unknown[0]!r}")
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidParameters(f"limit {limit} must be between 1 and {MAX_LIMIT}")
    platform_id = None
    if "platform" in given:
        platform_id = (yield from find_platform(given["platform"])).id
    direction = given.get("direction")
    if direction is not None and direction.upper() not in ("IN", "OUT"):
        raise InvalidParameters(f"direction {direction!r} must be IN or OUT")
    party = given.get("party")
    if party is not None and not _PARTY.match(party):
        raise InvalidParameters(f"party {party!r} must have the form CC-PID, e.g. NL-ABC")
    return TrafficFilter(
        platform_id=platform_id,
        party=party.upper() if party else None,
        module=given.get("module"),
        direction=direction.upper() if direction else None,
        http_status=_int("status", given["status"]) if "status" in given else None,
        ocpi_status=_int("ocpi_status", given["ocpi_status"]) if "ocpi_status" in given else None,
        request_id=given.get("request_id"),
        correlation_id=given.get("correlation_id"),
        since=_time("since", given["since"]) if "since" in given else None,
        until=_time("until", given["until"]) if "until" in given else None,
        limit=limit,
    )


async def read_traffic(db: Database, f: TrafficFilter) -> list[dict[str, Any]]:
    """Entries matching ``f``, each with its platform's name beside its id."""
    return await db.read_listing(traffic_with_names(f))


def to_csv(entries: Iterable[Mapping[str, Any]]) -> str:
    """Entries as CSV with a header row (the fields of :data:`COLUMNS` plus ``platform``)."""
    return rows_to_csv([*COLUMNS[:4], "platform", *COLUMNS[4:]], entries)
