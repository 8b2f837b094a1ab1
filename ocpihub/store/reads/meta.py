"""Listing of one ``hub_meta`` value: behind ``store.meta.get_meta`` and ``ocpihub enum list``
(see the package docstring)."""

from __future__ import annotations

from ocpihub.store.reads import Listing, Query

__all__ = ["meta_value"]


def meta_value(key: str) -> Listing[str | None]:
    """The value stored under ``key``, if any."""
    rows = yield Query("SELECT value FROM hub_meta WHERE key = :key", {"key": key})
    return str(rows[0]["value"]) if rows else None
