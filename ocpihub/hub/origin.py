"""Where a functional request comes from, as the hub services need it: read once at the edge
(``inbound/handlers/_objects.py``), passed on as plain values."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Origin", "Party"]

Party = tuple[str, str]


@dataclass(frozen=True, slots=True)
class Origin:
    """The calling platform, the version it speaks, the parties its OCPI-from/-to headers name
    (None: not named) and the request's X-Correlation-ID."""

    platform_id: int
    version: str
    from_party: Party | None
    to_party: Party | None
    correlation_id: str

    def addressed(self, hub: Party) -> Party | None:
        """The party OCPI-to names unless it names the hub (None: the hub decides — a
        broadcast push, a GET all via the hub, open routing; digest §1.9)."""
        return None if self.to_party == hub else self.to_party
