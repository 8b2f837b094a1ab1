"""Scheduled pulls, the pure part: what is pulled, when it is due, how ``Link`` pages are
followed and what a full pull removes (docs/partners.md, "Scheduled pulls").

The hub pulls the modules it stores (those a new agreement partner receives,
``hub/initial_sync.py``) from the platforms that publish them as a Sender: Locations and
Tariffs from CPOs, Tokens from eMSPs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import Enum

from ocpihub.errors import PullStopped
from ocpihub.hub.initial_sync import SYNCED_MODULES
from ocpihub.model.parties import Endpoint, Party
from ocpihub.ocpi import modules
from ocpihub.store.pulls import PullRow

__all__ = [
    "PULLED",
    "LinkGuard",
    "Pulled",
    "Removal",
    "due_kind",
    "next_due",
    "next_link",
    "pull_endpoint",
]


class Removal(Enum):
    """What a full pull does with a stored object the partner no longer lists."""

    NONE = "none"  # Locations: OCPI deletes nothing; EVSEs are set REMOVED by their CPO
    DELETE = "delete"  # Tariffs: deleted, receivers sent DELETE
    INVALIDATE = "invalidate"  # Tokens: kept with valid=false, receivers sent the PUT


@dataclass(frozen=True, slots=True)
class Pulled:
    """How one module is pulled."""

    module: str
    object_name: str
    owner_role: str
    id_field: str
    removal: Removal


_HOW = {
    "locations": ("id", Removal.NONE),
    "tariffs": ("id", Removal.DELETE),
    "tokens": ("uid", Removal.INVALIDATE),
}


def _pulled(name: str, object_name: str) -> Pulled:
    owner = modules.module(name).owner  # the role whose Sender interface is pulled
    assert owner is not None
    return Pulled(name, object_name, owner, *_HOW[name])


PULLED: dict[str, Pulled] = {name: _pulled(name, obj) for name, obj in SYNCED_MODULES}
"""The pulled modules, by identifier."""


def pull_endpoint(
    module: str, endpoints: Iterable[Endpoint], parties: Iterable[Party]
) -> tuple[str, tuple[str, str]] | None:
    """The Sender URL to pull ``module`` from and the party it is asked of (OCPI-to), when the
    platform publishes one and hosts a party in the module's owner role."""
    how = PULLED.get(module)
    if how is None:
        return None
    owner = next((p for p in parties if p.role == how.owner_role), None)
    url = next((e.url for e in endpoints if e.identifier == module and e.role == "SENDER"), None)
    if owner is None or url is None:
        return None
    return url, (owner.country_code, owner.party_id)


def next_due(
    row: PullRow | None, *, delta: timedelta | None, full: timedelta | None
) -> tuple[datetime | None, datetime | None]:
    """When the next delta and the next full pull are due (None: never, the schedule is off;
    a pull that never succeeded is due at once, shown as the epoch)."""
    epoch = datetime.fromtimestamp(0, UTC)
    synced = row.synced_from if row else None
    full_synced = row.full_synced_from if row else None
    next_delta = None if delta is None else (synced + delta if synced else epoch)
    next_full = None if full is None else (full_synced + full if full_synced else epoch)
    return next_delta, next_full


def due_kind(
    row: PullRow | None, now: datetime, *, delta: timedelta | None, full: timedelta | None
) -> str | None:
    """``full``, ``delta`` or None: what to run now. A full pull is due when the schedule
    says so and a first pull is always full (when full pulls are on); otherwise a delta."""
    if row is not None and row.running:
        return None
    next_delta, next_full = next_due(row, delta=delta, full=full)
    if next_full is not None and next_full <= now:
        return "full"
    if next_delta is not None and next_delta <= now:
        return "delta"
    return None


def next_link(header: str | None) -> str | None:
    """The ``rel="next"`` target of a ``Link`` header, if any."""
    for part in (header or "").split(","):
        target, _, params = part.partition(";")
        target = target.strip()
        if target.startswith("<") and target.endswith(">") and _is_next(params):
            return target[1:-1].strip()
    return None


def _is_next(params: str) -> bool:
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "rel" and "next" in value.strip().strip('"').lower().split():
            return True
    return False


class LinkGuard:
    """Stops a pull that loops (a page URL met twice) or grows past the size guards."""

    def __init__(self, *, max_pages: int, max_objects: int) -> None:
        self.max_pages = max_pages
        self.max_objects = max_objects
        self._seen: set[str] = set()
        self.pages = 0
        self.objects = 0

    def page(self, url: str) -> None:
        """A page is about to be fetched from ``url``."""
        if url in self._seen:
            raise PullStopped(
                f"Link loop: the partner's Link points at {url}, a page already fetched in "
                "this pull; stopped"
            )
        if self.pages >= self.max_pages:
            raise PullStopped(
                f"more than {self.max_pages} pages (setting pull_max_pages); stopped at {url}"
            )
        self._seen.add(url)
        self.pages += 1

    def add(self, count: int) -> None:
        """A page brought ``count`` objects."""
        self.objects += count
        if self.objects > self.max_objects:
            raise PullStopped(
                f"more than {self.max_objects} objects (setting pull_max_objects); stopped"
            )
