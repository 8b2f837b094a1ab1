"""The registry of accepted open-enum values (2.3.0 OpenEnums, digest §5; DESIGN rule 9).

A 2.3.0 OpenEnum field accepts the spec's values always, and any other value only when the
operator registered it — in the ``custom_enum_values`` setting, or at run time through the admin
API / CLI (kept in the database). Everything else is refused with 2001 naming field and value.

The registry answers synchronously (pydantic validators are synchronous) from memory. Values
registered through this process are visible at once; values registered by another hub process
become visible when this process refreshes (every ``enum_refresh_seconds``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import orjson

from ocpihub.ocpi.registry import check_custom_value, open_enum_names, open_enums
from ocpihub.store.reads import Listing
from ocpihub.store.reads.meta import meta_value

if TYPE_CHECKING:
    from ocpihub.store.db import Database

__all__ = ["EnumRegistry"]

_KEY = "custom_enum_values"


class EnumRegistry:
    """Spec values + configured values + values registered in the database."""

    def __init__(self, configured: Mapping[str, list[str]] | None = None) -> None:
        self._configured = {name: set(values) for name, values in (configured or {}).items()}
        self._stored: dict[str, set[str]] = {}

    def accepts(self, enum_name: str, value: str) -> bool:
        """Whether a non-spec ``value`` is acceptable for ``enum_name``."""
        return value in self._configured.get(enum_name, ()) or value in self._stored.get(
            enum_name, ()
        )

    def custom(self, enum_name: str) -> list[str]:
        """The operator's values of one enum (configured and registered), sorted."""
        return sorted(self._configured.get(enum_name, set()) | self._stored.get(enum_name, set()))

    def describe(self) -> dict[str, dict[str, Any]]:
        """Every open enum with its spec values and the operator's values."""
        return {
            name: {"spec": sorted(open_enums()[name]), "custom": self.custom(name)}
            for name in open_enum_names()
        }

    async def load(self, db: Database) -> None:
        """Read the registered values from the database (start-up and periodic refresh)."""
        await db.read_listing(self.reading())

    def reading(self) -> Listing[None]:
        """:meth:`load` as a listing (``store/reads``), for the CLI's direct reads."""
        raw = yield from meta_value(_KEY)
        stored = orjson.loads(raw) if raw else {}
        self._stored = {name: set(values) for name, values in stored.items()}

    async def register(self, db: Database, enum_name: str, value: str) -> bool:
        """Accept ``value`` for ``enum_name`` from now on; False if it was already accepted."""
        check_custom_value(enum_name, value)
        if value in open_enums()[enum_name]:
            return False
        from ocpihub.store.meta import get_meta, set_meta

        async with db.write() as conn:
            raw = await get_meta(conn, _KEY)
            stored: dict[str, list[str]] = orjson.loads(raw) if raw else {}
            current = set(stored.get(enum_name, []))
            added = value not in current
            current.add(value)
            stored[enum_name] = sorted(current)
            await set_meta(conn, _KEY, orjson.dumps(stored).decode())
        self._stored = {name: set(values) for name, values in stored.items()}
        return added and value not in self._configured.get(enum_name, set())
