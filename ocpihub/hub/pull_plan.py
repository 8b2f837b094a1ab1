"""Scheduled pulls, the pure part: what is pulled, when it is due, how ``Link`` pages are
followed, what a full pull removes (docs/partners.md, "Scheduled pulls"), and the status an
operator sees (:func:`pull_statuses`, a listing of ``store/reads`` that the admin API runs on
the hub's engine and ``ocpihub pull status`` on the driver directly).

The hub pulls the modules it stores (those a new agreement partner receives,
``hub/initial_sync.py``) from the platforms that publish them as a Sender: Locations and
Tariffs from CPOs, Tokens from eMSPs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import TYPE_CHECKING, Any

from ocpihub.errors import PullStopped
from ocpihub.model.parties import Endpoint, Party, Platform
from ocpihub.ocpi import modules
from ocpihub.store.reads import Listing
from ocpihub.store.reads import directory as reads
from ocpihub.store.reads.pulls import PullRow, pull_rows

if TYPE_CHECKING:
    from ocpihub.settings import Settings

__all__ = [
    "PULLED",
    "LinkGuard",
    "PullConfig",
    "PullStatus",
    "Pulled",
    "Removal",
    "due_kind",
    "next_due",
    "next_link",
    "pull_endpoint",
    "pull_statuses",
    "pullable",
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


PULLED: dict[str, Pulled] = {name: _pulled(name, obj) for name, obj in modules.synced_modules()}
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


def pullable(
    platform: Platform | None, endpoints: Iterable[Endpoint], parties: Iterable[Party]
) -> list[str]:
    """The modules the hub can pull from a platform (a registered one that publishes them as
    a Sender and hosts a party in the module's owner role)."""
    if platform is None or platform.version is None:
        return []
    endpoints, parties = list(endpoints), list(parties)
    return [m for m in PULLED if pull_endpoint(m, endpoints, parties) is not None]


@dataclass(frozen=True, slots=True)
class PullConfig:
    """The schedule and guards (settings ``pull_*``); a period of None is off."""

    delta: timedelta | None
    full: timedelta | None
    max_pages: int
    max_objects: int
    lease: timedelta

    @classmethod
    def from_settings(cls, settings: Settings) -> PullConfig:
        """The configuration the settings give."""
        delta, full = settings.pull_delta_minutes, settings.pull_full_hours
        return cls(
            delta=timedelta(minutes=delta) if delta > 0 else None,
            full=timedelta(hours=full) if full > 0 else None,
            max_pages=settings.pull_max_pages,
            max_objects=settings.pull_max_objects,
            lease=timedelta(seconds=settings.pull_lease_seconds),
        )


@dataclass(frozen=True, slots=True)
class PullStatus:
    """A pull as the operator sees it: the row (None before the first run) and what is due."""

    platform_id: int
    module: str
    row: PullRow | None
    next_delta: datetime | None
    next_full: datetime | None

    def json(self) -> dict[str, Any]:
        """The admin API's and the CLI's ``--json`` form."""
        row = self.row

        def when(value: datetime | None) -> str | None:
            return value.isoformat() if value is not None else None

        progress = row.progress if row else None
        return {
            "platform_id": self.platform_id,
            "module": self.module,
            "running": bool(row and row.running),
            "kind": row.kind if row else None,
            "status": row.status if row else None,
            "correlation_id": row.correlation_id if row else None,
            "started_at": when(row.started_at if row else None),
            "finished_at": when(row.finished_at if row else None),
            "pages": progress.pages if progress else 0,
            "objects": progress.objects if progress else 0,
            "stored": progress.stored if progress else 0,
            "removed": progress.removed if progress else 0,
            "errors": progress.errors if progress else 0,
            "total": progress.total if progress else None,
            "messages": progress.messages if progress else [],
            "synced_from": when(row.synced_from if row else None),
            "full_synced_from": when(row.full_synced_from if row else None),
            "next_delta": when(self.next_delta),
            "next_full": when(self.next_full),
        }


def pull_statuses(
    platform_id: int, module: str | None, config: PullConfig, now: datetime
) -> Listing[list[PullStatus]]:
    """The pulls of a platform (every module it can be pulled for, or just ``module``): the
    admin API's, the console's and ``ocpihub pull status``'s."""
    platform = yield from reads.platform(platform_id)
    endpoints = (yield from reads.endpoints(platform_id)) if platform else []
    parties = (yield from reads.parties(platform_id)) if platform else []
    modules = [m for m in pullable(platform, endpoints, parties) if module in (None, m)]
    rows = {r.module: r for r in (yield from pull_rows(now, platform_id))}
    out = []
    for name in modules:
        row = rows.get(name)
        next_delta, next_full = next_due(row, delta=config.delta, full=config.full)
        out.append(PullStatus(platform_id, name, row, next_delta, next_full))
    return out


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
