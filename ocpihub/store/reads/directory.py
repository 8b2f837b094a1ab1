"""Listings of the directory: platforms, parties, endpoints, agreements, and how they are shown.

Each table's query and row shaping is here once; ``store/platforms.py`` and
``store/agreements.py`` run them on the hub's connection, the CLI's listing commands on the
driver directly (see the package docstring). The ``*_json`` functions are how the admin API
and the CLI's ``--json`` show each object (never a token).
"""

from __future__ import annotations

from typing import Any

from ocpihub.errors import NotFound
from ocpihub.model.agreements import Agreement, AgreementStatus, OnAuthorizeTimeout
from ocpihub.model.parties import (
    ConnectionStatus,
    DeclaredRole,
    Endpoint,
    Party,
    Platform,
    PlatformStatus,
    TokenEncoding,
)
from ocpihub.model.profiles import Profile
from ocpihub.store.reads import Listing, Query, RowLike

__all__ = [
    "agreement_from_row",
    "agreement_json",
    "agreement_list",
    "agreements",
    "endpoints",
    "find_platform",
    "parties",
    "party_from_row",
    "party_json",
    "party_list",
    "platform",
    "platform_from_row",
    "platform_json",
    "platform_named",
    "platform_overview",
    "platform_status",
    "platforms",
]

_TIMES = frozenset({"created_at", "updated_at"})
_PLATFORM_JSON = frozenset({"declared_roles", "profile"})


def platform_from_row(row: RowLike) -> Platform:
    """A ``platforms`` row as a :class:`Platform`."""
    roles = tuple(
        DeclaredRole(r["role"], r["country_code"], r["party_id"])
        for r in (row["declared_roles"] or [])
    )
    return Platform(
        id=row["id"],
        name=row["name"],
        status=PlatformStatus(row["status"]),
        token_encoding=TokenEncoding(row["token_encoding"]),
        version=row["version"],
        versions_url=row["versions_url"],
        outbound_token=row["outbound_token"],
        inbound_token=row["inbound_token"],
        declared_roles=roles,
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        rate_limit_per_second=row["rate_limit_per_second"],
        max_body_bytes=row["max_body_bytes"],
        profile=Profile.from_json(row["profile"]),
        default_time_zone=row["default_time_zone"],
    )


def party_from_row(row: RowLike) -> Party:
    """A ``parties`` row as a :class:`Party`."""
    return Party(
        id=row["id"],
        platform_id=row["platform_id"],
        country_code=row["country_code"],
        party_id=row["party_id"],
        role=row["role"],
        status=ConnectionStatus(row["status"]),
        business_details=row["business_details"],
    )


def agreement_from_row(row: RowLike) -> Agreement:
    """An ``agreements`` row as an :class:`Agreement`."""
    return Agreement(
        id=row["id"],
        a=(row["a_country_code"], row["a_party_id"]),
        b=(row["b_country_code"], row["b_party_id"]),
        modules=frozenset(row["modules"]) if row["modules"] is not None else None,
        status=AgreementStatus(row["status"]),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        authorize_timeout_seconds=row["authorize_timeout_seconds"],
        authorize_on_timeout=OnAuthorizeTimeout(
            row["authorize_on_timeout"] or OnAuthorizeTimeout.REFUSE.value
        ),
    )


def _platforms(where: str = "", **params: Any) -> Query:
    sql = f"SELECT * FROM platforms {where} ORDER BY id"
    return Query(sql, params, json=_PLATFORM_JSON, times=_TIMES)


def platforms() -> Listing[list[Platform]]:
    """Every platform, oldest first."""
    rows = yield _platforms()
    return [platform_from_row(r) for r in rows]


def platform(platform_id: int) -> Listing[Platform | None]:
    """The platform with this id, if any."""
    rows = yield _platforms("WHERE id = :id", id=platform_id)
    return platform_from_row(rows[0]) if rows else None


def platform_named(name: str) -> Listing[Platform | None]:
    """The platform with this name, if any."""
    rows = yield _platforms("WHERE name = :name", name=name)
    return platform_from_row(rows[0]) if rows else None


def find_platform(name_or_id: str) -> Listing[Platform]:
    """A platform by its name (or its id), or NotFound naming what was asked for."""
    wanted = name_or_id.strip()
    found = yield from platform_named(wanted)
    if found is None and wanted.isdigit():
        found = yield from platform(int(wanted))
    if found is None:
        raise NotFound(f"no platform named {name_or_id!r}")
    return found


def parties(platform_id: int | None = None) -> Listing[list[Party]]:
    """Parties of one platform, or all parties, oldest first."""
    where = "" if platform_id is None else "WHERE platform_id = :p"
    rows = yield Query(
        f"SELECT * FROM parties {where} ORDER BY id",
        {} if platform_id is None else {"p": platform_id},
        json=frozenset({"business_details"}),
        times=_TIMES,
    )
    return [party_from_row(r) for r in rows]


def endpoints(platform_id: int) -> Listing[list[Endpoint]]:
    """The endpoints a platform published for its negotiated version."""
    rows = yield Query(
        "SELECT identifier, role, url FROM endpoints WHERE platform_id = :p "
        "ORDER BY identifier, role",
        {"p": platform_id},
    )
    return [Endpoint(r["identifier"], r["role"], r["url"]) for r in rows]


def agreements(party: tuple[str, str] | None = None) -> Listing[list[Agreement]]:
    """Every agreement, or those of one party (``(country_code, party_id)``); oldest first."""
    where, params = "", {}
    if party is not None:
        where = (
            "WHERE (a_country_code = :cc AND a_party_id = :pid) "
            "OR (b_country_code = :cc AND b_party_id = :pid)"
        )
        params = {"cc": party[0], "pid": party[1]}
    rows = yield Query(
        f"SELECT * FROM agreements {where} ORDER BY id",
        params,
        json=frozenset({"modules"}),
        times=_TIMES,
    )
    return [agreement_from_row(r) for r in rows]


def platform_status(platform: Platform, parties: list[Party]) -> ConnectionStatus:
    """A platform's status from its registration and its parties' statuses (pure).

    Not registered yet: PLANNED. Any party OFFLINE (the liveness check fails): OFFLINE. Any
    party CONNECTED: CONNECTED. Every party SUSPENDED (or an unregistered platform): SUSPENDED.
    """
    if platform.status is PlatformStatus.NEW:
        return ConnectionStatus.PLANNED
    states = {p.status for p in parties}
    if ConnectionStatus.OFFLINE in states:
        return ConnectionStatus.OFFLINE
    if platform.status is PlatformStatus.UNREGISTERED:
        return ConnectionStatus.SUSPENDED
    if ConnectionStatus.CONNECTED in states or not states:
        return ConnectionStatus.CONNECTED
    if ConnectionStatus.PLANNED in states:
        return ConnectionStatus.PLANNED
    return ConnectionStatus.SUSPENDED


def platform_json(platform: Platform) -> dict[str, Any]:
    """How the admin API and ``--json`` CLI output show a platform (never its tokens)."""
    return {
        "id": platform.id,
        "name": platform.name,
        "status": platform.status.value,
        "version": platform.version,
        "versions_url": platform.versions_url,
        "token_encoding": platform.token_encoding.value,
        "declared_roles": [r.as_dict() for r in platform.declared_roles],
        "rate_limit_per_second": platform.rate_limit_per_second,
        "max_body_bytes": platform.max_body_bytes,
        "profile": platform.profile.as_json(),
        "default_time_zone": platform.default_time_zone,
        "created_at": platform.created_at.isoformat(),
        "updated_at": platform.updated_at.isoformat(),
    }


def party_json(party: Party) -> dict[str, object]:
    """How the admin API and ``--json`` show a party."""
    return {
        "country_code": party.country_code,
        "party_id": party.party_id,
        "code": party.code,
        "role": party.role,
        "status": party.status.value,
        "platform_id": party.platform_id,
        "business_details": party.business_details,
    }


def agreement_json(agreement: Agreement) -> dict[str, object]:
    """How the admin API and ``--json`` show an agreement."""
    return {
        "id": agreement.id,
        "parties": agreement.codes,
        "modules": sorted(agreement.modules) if agreement.modules is not None else None,
        "status": agreement.status.value,
        "authorize_timeout_seconds": agreement.authorize_timeout_seconds,
        "authorize_on_timeout": agreement.authorize_on_timeout.value,
        "created_at": agreement.created_at.isoformat(),
        "updated_at": agreement.updated_at.isoformat(),
    }


def platform_overview() -> Listing[list[dict[str, Any]]]:
    """Every platform as ``platform_json`` shows it, with its ``connection_status``; by id
    (``ocpihub platform list``)."""
    found = yield from platforms()
    hosted = yield from parties()
    out = []
    for p in found:
        item = platform_json(p)
        status = platform_status(p, [h for h in hosted if h.platform_id == p.id])
        item["connection_status"] = status.value
        out.append(item)
    return out


def party_list() -> Listing[list[dict[str, object]]]:
    """Every party as ``party_json`` shows it, oldest first (``ocpihub party list``)."""
    return [party_json(p) for p in (yield from parties())]


def agreement_list() -> Listing[list[dict[str, object]]]:
    """Every agreement as ``agreement_json`` shows it, oldest first (``ocpihub agreement
    list``)."""
    return [agreement_json(a) for a in (yield from agreements())]
