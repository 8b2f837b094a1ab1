"""Where a functional request comes from, as the hub services need it: read once at the edge
(``inbound/handlers/_objects.py``), passed on as plain values."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Origin", "Party"]

Party = tuple[str, str]


@dataclass(frozen=True, slots=True)
class Origin:
    """The calling platform, the version it speaks, the parties its OCPI-from/-to headers name
    (None: not named), the request's X-Correlation-ID, and the hub's own party (which OCPI-to
    may name)."""

    platform_id: int
    version: str
    from_party: Party | None
    to_party: Party | None
    correlation_id: str
    hub: Party
    time_zone: str | None = None
    """The calling platform's default time zone (for Locations that name none, issue 19.1)."""

    def addressed(self) -> Party | None:
        """The party OCPI-to names unless it names the hub (None: the hub decides — a
        broadcast push, a GET all via the hub, open routing; digest §1.9)."""
        return None if self.to_party == self.hub else self.to_party
