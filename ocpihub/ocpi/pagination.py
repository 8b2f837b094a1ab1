"""Pagination of list GETs (digest §1.7): query parameters in, ``Link``/``X-*`` headers out.

The client-facing API is OCPI's ``offset``/``limit``. Underneath, the hub pages by keyset: each
``Link`` it writes carries, beside the advanced ``offset``, a ``cursor`` parameter holding the
storage key of the last object sent, so that following the links costs the same on page 100 as on
page 1. A client that builds its own offsets (no cursor) is served by an offset scan instead.
Every filter of the original request is kept in the ``Link``.

``X-Total-Count`` is counted on every page, so a client crawling while objects are added sees
the higher total on its next call (the spec's rule). Where the listing tells whether more
objects follow (it reads one row past the page), whether a next page exists does not depend on
the total. Cursors of the form ``<key>.<total>`` written by earlier hub versions are still read;
their total is ignored.

Integer parameters are ASCII digits only and fit a signed 64-bit integer (the databases' key
and OFFSET range): anything else is a 2001 naming the parameter, never a database error.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from ocpihub.errors import InvalidParameters
from ocpihub.ocpi.fields import parse_datetime

__all__ = ["MAX_INT", "Page", "PageRequest", "page_headers", "parse_page_request"]


@dataclass(frozen=True, slots=True)
class PageRequest:
    """One list request: the window, the date filters, and the keyset cursor if any."""

    offset: int
    limit: int
    date_from: datetime | None = None
    date_to: datetime | None = None
    cursor: int | None = None


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a listing, as the store returns it."""

    items: list[object]
    total: int
    last_key: int | None


MAX_INT = 2**63 - 1
"""The largest offset, limit or cursor: a signed 64-bit integer, what both databases take."""

_DIGITS = re.compile(r"[0-9]+")
_LEGACY_CURSOR = re.compile(r"([0-9]+)\.[0-9]+")


def _describe(raw: str) -> str:
    return repr(raw) if len(raw) <= 40 else repr(raw[:37] + "...")


def _int(params: Mapping[str, str], name: str) -> int | None:
    raw = params.get(name)
    if raw is None or raw == "":
        return None
    if raw.startswith("-") and _DIGITS.fullmatch(raw[1:]):
        raise InvalidParameters(f"query parameter {name}: {_describe(raw)} must not be negative")
    if not _DIGITS.fullmatch(raw):
        raise InvalidParameters(f"query parameter {name}: {_describe(raw)} is not an integer")
    value = int(raw) if len(raw) <= 20 else MAX_INT + 1
    if value > MAX_INT:
        raise InvalidParameters(
            f"query parameter {name}: {_describe(raw)} is out of range (at most {MAX_INT})"
        )
    return value


def _cursor(params: Mapping[str, str]) -> int | None:
    raw = params.get("cursor")
    if raw is not None and "." in raw:
        legacy = _LEGACY_CURSOR.fullmatch(raw)
        if legacy is None:
            raise InvalidParameters(
                f"query parameter cursor: {_describe(raw)} is not a cursor of this hub"
            )
        return _int({"cursor": legacy.group(1)}, "cursor")
    return _int(params, "cursor")


def _date(params: Mapping[str, str], name: str) -> datetime | None:
    raw = params.get(name)
    if raw is None or raw == "":
        return None
    try:
        return parse_datetime(raw)
    except ValueError:
        raise InvalidParameters(
            f"query parameter {name}: {_describe(raw)} is not a DateTime"
        ) from None


def parse_page_request(params: Mapping[str, str], *, max_limit: int) -> PageRequest:
    """Read offset/limit/date_from/date_to(/cursor); ``limit`` is capped at ``max_limit``."""
    offset = _int(params, "offset") or 0
    limit = _int(params, "limit")
    limit = max_limit if limit is None else min(limit, max_limit)
    date_from, date_to = _date(params, "date_from"), _date(params, "date_to")
    return PageRequest(offset, limit, date_from, date_to, _cursor(params))


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

    ``more``: whether objects follow this page, when the listing knows; otherwise the page is
    the last when it reaches ``total``.
    """
    headers = {"X-Total-Count": str(total), "X-Limit": str(max_limit)}
    next_offset = request.offset + returned
    follows = next_offset < total if more is None else more
    if returned and follows and last_key is not None:
        query = {k: v for k, v in params.items() if k not in ("offset", "cursor")}
        query["offset"] = str(next_offset)
        query["limit"] = str(request.limit)
        query["cursor"] = str(last_key)
        headers["Link"] = f'<{base_url}?{urlencode(query)}>; rel="next"'
    return headers
