"""Pagination of list GETs (digest §1.7): query parameters in, ``Link``/``X-*`` headers out.

The client-facing API is OCPI's ``offset``/``limit``. Underneath, the hub pages by keyset: each
``Link`` it writes carries, beside the advanced ``offset``, a ``cursor`` parameter holding the
storage key of the last object sent, so that following the links costs the same on page 100 as on
page 1. A client that builds its own offsets (no cursor) is served by an offset scan instead.
Every filter of the original request is kept in the ``Link``.

Where the listing tells whether more objects follow (it reads one row past the page), the
cursor also carries the total counted for the first page (``cursor=<key>.<total>``): following
pages repeat that ``X-Total-Count`` instead of counting every matching object again, and whether
a next page exists no longer depends on the total.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from ocpihub.errors import InvalidParameters
from ocpihub.ocpi.fields import parse_datetime

__all__ = ["Page", "PageRequest", "page_headers", "parse_page_request"]


@dataclass(frozen=True, slots=True)
class PageRequest:
    """One list request: the window, the date filters, and the keyset cursor if any."""

    offset: int
    limit: int
    date_from: datetime | None = None
    date_to: datetime | None = None
    cursor: int | None = None
    total: int | None = None
    """The total counted when the crawl began, carried in the cursor (only with a cursor)."""


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a listing, as the store returns it."""

    items: list[object]
    total: int
    last_key: int | None


def _int(params: Mapping[str, str], name: str) -> int | None:
    raw = params.get(name)
    if raw is None or raw == "":
        return None
    try:
        value = int(raw)
    except ValueError:
        raise InvalidParameters(f"query parameter {name}: {raw!r} is not an integer") from None
    if value < 0:
        raise InvalidParameters(f"query parameter {name}: {raw!r} must not be negative")
    return value


def _cursor(params: Mapping[str, str]) -> tuple[int | None, int | None]:
    raw = params.get("cursor")
    if raw is None or "." not in raw:
        return _int(params, "cursor"), None
    key, _, total = raw.partition(".")
    parts = {"cursor": key, "total": total}
    cursor, carried = _int(parts, "cursor"), _int(parts, "total")
    if cursor is None or carried is None:
        raise InvalidParameters(f"query parameter cursor: {raw!r} is not a cursor of this hub")
    return cursor, carried


def _date(params: Mapping[str, str], name: str) -> datetime | None:
    raw = params.get(name)
    if raw is None or raw == "":
        return None
    try:
        return parse_datetime(raw)
    except ValueError:
        raise InvalidParameters(f"query parameter {name}: {raw!r} is not a DateTime") from None


def parse_page_request(params: Mapping[str, str], *, max_limit: int) -> PageRequest:
    """Read offset/limit/date_from/date_to(/cursor); ``limit`` is capped at ``max_limit``."""
    offset = _int(params, "offset") or 0
    limit = _int(params, "limit")
    limit = max_limit if limit is None else min(limit, max_limit)
    date_from, date_to = _date(params, "date_from"), _date(params, "date_to")
    cursor, total = _cursor(params)
    return PageRequest(offset, limit, date_from, date_to, cursor, total)


def page_headers(
    base_url: str,
    params: Mapping[str, str],
    request: PageRequest,
    *,
    returned: int,
    total: int,
    last_key: int | None,
    max_limit: int,
    more: bool | None = None,
) -> dict[str, str]:
    """``X-Total-Count``, ``X-Limit`` and, unless this is the last page, ``Link``.

    ``more``: whether objects follow this page, when the listing knows (then the ``Link``
    cursor carries ``total`` too); otherwise the page is the last when it reaches ``total``.
    """
    headers = {"X-Total-Count": str(total), "X-Limit": str(max_limit)}
    next_offset = request.offset + returned
    follows = next_offset < total if more is None else more
    if returned and follows and last_key is not None:
        query = {k: v for k, v in params.items() if k not in ("offset", "cursor")}
        query["offset"] = str(next_offset)
        query["limit"] = str(request.limit)
        query["cursor"] = str(last_key) if more is None else f"{last_key}.{total}"
        headers["Link"] = f'<{base_url}?{urlencode(query)}>; rel="next"'
    return headers
