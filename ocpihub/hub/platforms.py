"""Operator actions on platforms, shared by the CLI and the admin API (one path for both)."""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ocpihub.errors import InvalidParameters, NotFound
from ocpihub.model.parties import ConnectionStatus, DeclaredRole, Platform, TokenEncoding
from ocpihub.model.profiles import DEVIATIONS, Profile
from ocpihub.store import platforms as store
from ocpihub.store.db import Connection, Database, DuplicateKey
from ocpihub.store.reads.directory import platform_json

__all__ = [
    "LIMITS",
    "PROFILE_SWITCHES",
    "ROLES",
    "NewPlatform",
    "add_platform",
    "new_token",
    "parse_role_spec",
    "platform_json",
    "profile_with",
    "set_limits",
    "set_profile",
]

ROLES = ("CPO", "EMSP", "HUB", "NAP", "NSP", "OTHER", "SCSP", "PTP")
"""Roles a party may have (2.2.1 Role values, plus PTP for payment terminal providers)."""

_CC = re.compile(r"^[A-Z]{2}$")
_PID = re.compile(r"^[A-Z0-9]{3}$")


def new_token() -> str:
    """A fresh credentials token: 43 URL-safe characters, well within OCPI's 64."""
    return secrets.token_urlsafe(32)


def declared_role(role: str, country_code: str, party_id: str) -> DeclaredRole:
    """A validated DeclaredRole (upper-cased); bad values raise InvalidParameters naming them."""
    role, cc, pid = role.upper(), country_code.upper(), party_id.upper()
    if role not in ROLES:
        raise InvalidParameters(f"role {role!r} is not one of {', '.join(ROLES)}")
    if not _CC.match(cc):
        raise InvalidParameters(f"country_code {country_code!r} must be two letters")
    if not _PID.match(pid):
        raise InvalidParameters(f"party_id {party_id!r} must be three letters or digits")
    return DeclaredRole(role, cc, pid)


def parse_role_spec(spec: str) -> DeclaredRole:
    """``ROLE:CC:PID`` as the CLI takes it, e.g. ``CPO:NL:ABC``."""
    parts = spec.split(":")
    if len(parts) != 3:
        raise InvalidParameters(f"role {spec!r} must have the form ROLE:CC:PID, e.g. CPO:NL:ABC")
    return declared_role(*parts)


@dataclass(frozen=True, slots=True)
class NewPlatform:
    """A platform just added, with the token A to hand to it (shown once)."""

    platform: Platform
    token_a: str
    versions_url: str


async def add_platform(
    db: Database,
    name: str,
    *,
    public_url: str,
    token_encoding: TokenEncoding = TokenEncoding.AUTO,
    roles: Sequence[DeclaredRole] = (),
) -> NewPlatform:
    """Create a platform and issue its token A.

    Each declared role becomes a party of the platform in status PLANNED at once, so that the
    operator can agree it with partners before it registers (DESIGN rule 10); a party that
    another platform already hosts or declared is refused, and nothing is stored.
    """
    name = name.strip()
    if not name or len(name) > 100:
        raise InvalidParameters(f"name {name!r} must be 1 to 100 characters")
    if len(set(roles)) != len(roles):
        raise InvalidParameters("roles: the same role is declared twice")
    token = new_token()
    try:
        async with db.write() as conn:
            platform = await store.create_platform(
                conn, name, token_encoding=token_encoding, declared_roles=roles
            )
            await store.add_token(conn, platform.id, token, "A")
            await _plan_parties(conn, platform.id, roles)
    except DuplicateKey:
        raise InvalidParameters(f"name {name!r}: a platform with this name exists") from None
    return NewPlatform(platform, token, f"{public_url}/ocpi/versions")


LIMITS = ("rate_limit_per_second", "max_body_bytes", "default_time_zone")
"""The per-platform limits and defaults an operator sets (None: the hub-wide setting of the
same name; for ``default_time_zone``, none)."""


def check_time_zone(zone: str) -> str:
    """``zone`` when it is an IANA time zone name, else 2001 naming it."""
    try:
        ZoneInfo(zone)
    except (ValueError, ZoneInfoNotFoundError):
        raise InvalidParameters(
            f"default_time_zone {zone!r} is not an IANA time zone (e.g. Europe/Amsterdam)"
        ) from None
    return zone


async def set_limits(
    db: Database, platform_id: int, changes: Mapping[str, float | int | str | None]
) -> Platform:
    """Set some of a platform's limits and defaults (CLI, admin API, console); the platform
    as it is now."""
    unknown = sorted(set(changes) - set(LIMITS))
    if unknown:
        raise InvalidParameters(f"{unknown[0]} is not a platform limit")
    zone = changes.get("default_time_zone")
    if zone is not None:
        check_time_zone(str(zone))
    async with db.write() as conn:
        if await store.get_platform(conn, platform_id) is None:
            raise NotFound(f"no platform with id {platform_id}")
        if changes:
            await store.update_platform(conn, platform_id, **changes)
        platform = await store.get_platform(conn, platform_id)
    assert platform is not None
    return platform


PROFILE_SWITCHES = (
    "page_size_cap",
    "timeout_seconds",
    "concurrency",
    "accept_list_wrapped",
    "tolerate",
    "backports",
)
"""The switches of a platform's interoperability profile (``model/profiles.py``)."""


def _positive(name: str, value: Any, kind: type[int] | type[float]) -> int | float | None:
    if value is None:
        return None
    ok = isinstance(value, int | float) and not isinstance(value, bool)
    if kind is int:
        ok = ok and isinstance(value, int)
    if not ok or value <= 0:
        what = "a whole number" if kind is int else "a number"
        raise InvalidParameters(f"profile.{name}: {value!r} must be {what} above 0, or null")
    return int(value) if kind is int else float(value)


def _names(name: str, value: Any, known: Mapping[str, Any]) -> frozenset[str]:
    if value is None:
        return frozenset()
    if not isinstance(value, list | tuple | set | frozenset) or not all(
        isinstance(v, str) for v in value
    ):
        raise InvalidParameters(f"profile.{name}: {value!r} must be a list of names")
    unknown = sorted(set(value) - set(known))
    if unknown:
        raise InvalidParameters(
            f"profile.{name}: {unknown[0]!r} is not one of {', '.join(sorted(known))}"
        )
    return frozenset(value)


def profile_with(current: Profile, changes: Mapping[str, Any]) -> Profile:
    """``current`` with the switches in ``changes`` set (validated; InvalidParameters naming
    the switch and value otherwise). Lists replace the whole list."""
    from ocpihub.translate.backports import BACKPORTS

    unknown = sorted(set(changes) - set(PROFILE_SWITCHES))
    if unknown:
        raise InvalidParameters(f"profile.{unknown[0]} is not a profile switch")
    clean: dict[str, Any] = {}
    for name, value in changes.items():
        if name in ("page_size_cap", "concurrency"):
            clean[name] = _positive(name, value, int)
        elif name == "timeout_seconds":
            clean[name] = _positive(name, value, float)
        elif name == "accept_list_wrapped":
            value = bool(value) if value is None else value  # null: off, as by default
            if not isinstance(value, bool):
                raise InvalidParameters(f"profile.{name}: {value!r} must be true or false")
            clean[name] = value
        else:
            clean[name] = _names(name, value, DEVIATIONS if name == "tolerate" else BACKPORTS)
    return current.changed(**clean)


async def set_profile(db: Database, platform_id: int, changes: Mapping[str, Any]) -> Platform:
    """Set some switches of a platform's interoperability profile (CLI, admin API, console);
    the platform as it is now. Running hubs apply it within ``directory_cache_seconds``."""
    async with db.write() as conn:
        platform = await store.get_platform(conn, platform_id)
        if platform is None:
            raise NotFound(f"no platform with id {platform_id}")
        profile = profile_with(platform.profile, changes)
        stored = None if profile.strict else profile.as_json()
        await store.update_platform(conn, platform_id, profile=stored)
        platform = await store.get_platform(conn, platform_id)
    assert platform is not None
    return platform


async def _plan_parties(conn: Connection, platform_id: int, roles: Sequence[DeclaredRole]) -> None:
    taken = []
    for role in roles:
        result = await store.claim_party(
            conn,
            platform_id,
            country_code=role.country_code,
            party_id=role.party_id,
            role=role.role,
            business_details=None,
            status=ConnectionStatus.PLANNED,
        )
        if isinstance(result, int):
            taken.append(f"{role.role} {role.country_code}-{role.party_id}")
    if taken:
        raise InvalidParameters(
            f"roles: {', '.join(taken)} already hosted or declared by another platform on this hub"
        )
