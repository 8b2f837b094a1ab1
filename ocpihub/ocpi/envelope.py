"""The OCPI response envelope: ``data``, ``status_code``, ``status_message``, ``timestamp``.

Every OCPI response the hub writes, errors included, is one of these (digest §1.4).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import orjson

from ocpihub.ocpi.fields import format_datetime

__all__ = ["SUCCESS", "envelope", "envelope_bytes", "now_utc"]

SUCCESS = 1000


def now_utc() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)


def envelope(
    data: Any = None,
    status_code: int = SUCCESS,
    status_message: str | None = None,
    *,
    timestamp: datetime | None = None,
    include_data: bool = True,
) -> dict[str, Any]:
    """One envelope as a dict; ``data`` is left out when ``include_data`` is false or None."""
    body: dict[str, Any] = {}
    if include_data and data is not None:
        body["data"] = data
    body["status_code"] = status_code
    if status_message:
        body["status_message"] = status_message
    body["timestamp"] = format_datetime(timestamp or now_utc(), fractions=False)
    return body


def envelope_bytes(
    data: Any = None,
    status_code: int = SUCCESS,
    status_message: str | None = None,
    *,
    timestamp: datetime | None = None,
    include_data: bool = True,
) -> bytes:
    """:func:`envelope`, serialised to JSON bytes."""
    return orjson.dumps(
        envelope(data, status_code, status_message, timestamp=timestamp, include_data=include_data)
    )
