"""Partner health at a glance: one read service behind the console, the CLI and the admin API.

For every platform: its status (CONNECTED, OFFLINE, PLANNED, SUSPENDED, from its registration
and its parties' HubClientInfo statuses), version, last successful exchange in each direction,
delivery lag (age of its oldest undelivered outbox item), PENDING / RETRY / DEAD counts, the
share of failed exchanges over the last hour, and exchanges per hour over the last 24 hours.
Partners with problems come first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from ocpihub.model.outbox import Status
from ocpihub.model.parties import ConnectionStatus, Party, Platform
from ocpihub.store import health
from ocpihub.store import platforms as store
from ocpihub.store.db import Database
from ocpihub.store.reads import directory as reads
from ocpihub.store.reads.directory import platform_status

__all__ = [
    "LAG_WARNING",
    "PartnerHealth",
    "find_platform",
    "partner_health",
    "platform_status",
]

LAG_WARNING = timedelta(minutes=5)
"""An undelivered item older than this is shown as a problem."""

_ORDER = {
    ConnectionStatus.OFFLINE: 0,
    ConnectionStatus.SUSPENDED: 1,
    ConnectionStatus.PLANNED: 2,
    ConnectionStatus.CONNECTED: 3,
}


@dataclass(slots=True)
class PartnerHealth:
    """How one platform is doing."""

    platform: Platform
    parties: list[Party]
    status: ConnectionStatus
    last_in: datetime | None = None
    last_out: datetime | None = None
    pending: int = 0
    retrying: int = 0
    in_flight: int = 0
    dead: int = 0
    oldest_open: datetime | None = None
    exchanges_hour: int = 0
    failures_hour: int = 0
    hourly: list[tuple[datetime, int, int]] = field(default_factory=list)
    now: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def lag_seconds(self) -> float:
        """Age of the oldest undelivered item (0 when nothing waits)."""
        if self.oldest_open is None:
            return 0.0
        return max(0.0, (self.now - self.oldest_open).total_seconds())

    @property
    def error_rate(self) -> float | None:
        """Share of failed exchanges over the last hour (None without exchanges)."""
        return self.failures_hour / self.exchanges_hour if self.exchanges_hour else None

    @property
    def problems(self) -> list[str]:
        """What an operator should look at, most urgent first (empty: all well)."""
        out = []
        if self.status is ConnectionStatus.OFFLINE:
            out.append("offline: not answering the liveness check")
        if self.dead:
            out.append(f"{self.dead} dead deliveries")
        if self.lag_seconds > LAG_WARNING.total_seconds():
            out.append(f"oldest undelivered item waits {_age(self.lag_seconds)}")
        if self.failures_hour:
            out.append(f"{self.failures_hour} of {self.exchanges_hour} exchanges failed (1 h)")
        return out

    def sort_key(self) -> tuple[int, int, str]:
        """Problems first, then by status (OFFLINE, SUSPENDED, PLANNED, CONNECTED), by name."""
        return (0 if self.problems else 1, _ORDER[self.status], self.platform.name.lower())

    def as_json(self) -> dict[str, Any]:
        """How the admin API and ``--json`` CLI output show it (never a token)."""
        return {
            "id": self.platform.id,
            "name": self.platform.name,
            "status": self.status.value,
            "registration": self.platform.status.value,
            "version": self.platform.version,
            "parties": [
                {"code": p.code, "role": p.role, "status": p.status.value} for p in self.parties
            ],
            "last_success_in": _iso(self.last_in),
            "last_success_out": _iso(self.last_out),
            "outbox": {
                "pending": self.pending,
                "retry": self.retrying,
                "in_flight": self.in_flight,
                "dead": self.dead,
            },
            "delivery_lag_seconds": round(self.lag_seconds, 3),
            "exchanges_last_hour": self.exchanges_hour,
            "failures_last_hour": self.failures_hour,
            "error_rate_last_hour": self.error_rate,
            "hourly": [
                {"hour": _iso(hour), "ok": ok, "failed": bad} for hour, ok, bad in self.hourly
            ],
            "problems": self.problems,
        }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _age(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def _hours(now: datetime) -> list[datetime]:
    """The starts of the last 24 hours, oldest first, the current hour last."""
    current = now.replace(minute=0, second=0, microsecond=0)
    return [current - timedelta(hours=23 - i) for i in range(24)]


async def partner_health(
    db: Database, *, platform_id: int | None = None, now: datetime | None = None
) -> list[PartnerHealth]:
    """Every platform's health (or one's), problems first."""
    now = now or datetime.now(UTC)
    hours = _hours(now)
    async with db.read() as conn:
        platforms = await store.list_platforms(conn)
        parties = await store.list_parties(conn)
        queues = await health.receiver_queues(conn)
        last = await health.last_success(conn)
        recent = await health.exchange_counts(conn, now - timedelta(hours=1))
        hourly = await health.hourly_exchanges(conn, hours[0])
    out = []
    for platform in platforms:
        if platform_id is not None and platform.id != platform_id:
            continue
        hosted = [p for p in parties if p.platform_id == platform.id]
        queue = queues.get(platform.id, health.ReceiverQueue())
        total, failed = recent.get(platform.id, (0, 0))
        buckets = hourly.get(platform.id, {})
        out.append(
            PartnerHealth(
                platform=platform,
                parties=hosted,
                status=platform_status(platform, hosted),
                last_in=last.get((platform.id, "IN")),
                last_out=last.get((platform.id, "OUT")),
                pending=queue.count(Status.PENDING),
                retrying=queue.count(Status.RETRY),
                in_flight=queue.count(Status.IN_FLIGHT),
                dead=queue.count(Status.DEAD),
                oldest_open=queue.oldest_open,
                exchanges_hour=total,
                failures_hour=failed,
                hourly=[(h, *buckets.get(h, (0, 0))) for h in hours],
                now=now,
            )
        )
    return sorted(out, key=PartnerHealth.sort_key)


async def find_platform(db: Database, name_or_id: str) -> Platform:
    """A platform by its name (or its id), or NotFound naming what was asked for."""
    return await db.read_listing(reads.find_platform(name_or_id))
