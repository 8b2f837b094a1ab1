"""Platforms (OCPI connections), the parties they host, and their endpoints."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from ocpihub.model.profiles import STRICT, Profile

__all__ = [
    "ConnectionStatus",
    "DeclaredRole",
    "Endpoint",
    "Party",
    "Platform",
    "PlatformStatus",
    "Target",
    "TokenEncoding",
]


class PlatformStatus(StrEnum):
    """Where a platform stands in the credentials handshake."""

    NEW = "NEW"  # token A issued, not registered yet
    REGISTERED = "REGISTERED"
    UNREGISTERED = "UNREGISTERED"  # was registered, then DELETEd; only token A-style access


class TokenEncoding(StrEnum):
    """How the hub writes the Authorization header towards a platform."""

    AUTO = "auto"  # what the version prescribes: plain in 2.1.1, Base64 in 2.2+
    BASE64 = "base64"
    PLAIN = "plain"

    def encodes(self, prescribed: bool) -> bool:
        """Whether the token is Base64-encoded; ``prescribed``: whether the version in use
        prescribes Base64 (``ocpi.version`` says), which ``auto`` follows."""
        if self is TokenEncoding.AUTO:
            return prescribed
        return self is TokenEncoding.BASE64


class ConnectionStatus(StrEnum):
    """HubClientInfo connection status of a party."""

    CONNECTED = "CONNECTED"
    OFFLINE = "OFFLINE"
    PLANNED = "PLANNED"
    SUSPENDED = "SUSPENDED"


@dataclass(frozen=True, slots=True)
class DeclaredRole:
    """A party the operator allows a platform to claim: role plus (country_code, party_id)."""

    role: str
    country_code: str
    party_id: str

    def as_dict(self) -> dict[str, str]:
        """JSON form, as the admin API shows it."""
        return {"role": self.role, "country_code": self.country_code, "party_id": self.party_id}


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One module interface a platform published."""

    identifier: str
    role: str
    url: str


@dataclass(frozen=True, slots=True)
class Party:
    """One (country_code, party_id, role) hosted by a platform."""

    id: int
    platform_id: int | None
    country_code: str
    party_id: str
    role: str
    status: ConnectionStatus
    business_details: dict[str, Any] | None = None

    @property
    def code(self) -> str:
        """``CC-PID``, how operators name a party."""
        return f"{self.country_code}-{self.party_id}"


@dataclass(frozen=True, slots=True)
class Platform:
    """One OCPI connection."""

    id: int
    name: str
    status: PlatformStatus
    token_encoding: TokenEncoding
    version: str | None
    versions_url: str | None
    outbound_token: str | None = field(repr=False)
    declared_roles: tuple[DeclaredRole, ...]
    created_at: datetime
    updated_at: datetime
    # per-platform limits; None: the hub-wide setting (rate_limit_per_second, max_body_bytes)
    rate_limit_per_second: float | None = None
    max_body_bytes: int | None = None
    # the IANA zone of its 2.1.1 Locations that have no time_zone and no zone at their
    # coordinates (None: such a Location is refused)
    default_time_zone: str | None = None
    inbound_token: str | None = field(default=None, repr=False)
    # the interoperability profile (docs/partners.md); strict and spec-exact by default
    profile: Profile = STRICT


@dataclass(frozen=True, slots=True)
class Target:
    """A party the hub may send to: on a registered platform, with that platform's negotiated
    version and the URL of the endpoint a delivery will use (``store/routing.py`` reads them)."""

    platform_id: int
    country_code: str
    party_id: str
    role: str
    status: str
    version: str | None
    endpoint_url: str | None

    @property
    def party(self) -> tuple[str, str]:
        """(country_code, party_id)."""
        return (self.country_code, self.party_id)
