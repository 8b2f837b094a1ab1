"""Persistence of platforms, their credentials tokens, parties and endpoints.

Functions take an open connection so that callers choose the transaction (a whole handshake
commits or rolls back as one).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from ocpihub.model.parties import (
    ConnectionStatus,
    DeclaredRole,
    Endpoint,
    Party,
    Platform,
    PlatformStatus,
    TokenEncoding,
)
from ocpihub.store.db import duplicates_refused, read_listing
from ocpihub.store.reads import directory as reads
from ocpihub.store.schema import credentials_tokens, endpoints, parties, platforms

__all__ = [
    "add_token",
    "claim_party",
    "create_platform",
    "delete_platform",
    "detach_parties",
    "get_platform",
    "get_platform_by_name",
    "hash_token",
    "keep_newest_tokens",
    "list_endpoints",
    "list_parties",
    "list_platforms",
    "lock_platform",
    "lookup_token",
    "party_hosts",
    "record_liveness",
    "remove_token",
    "replace_endpoints",
    "revoke_tokens",
    "set_liveness_status",
    "set_party_status",
    "set_platform_parties_status",
    "update_platform",
    "upsert_party",
]


def hash_token(token: str) -> str:
    """The stored form of an inbound credentials token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _now() -> datetime:
    return datetime.now(UTC)


_platform = reads.platform_from_row
_party = reads.party_from_row


async def create_platform(
    conn: AsyncConnection,
    name: str,
    *,
    token_encoding: TokenEncoding = TokenEncoding.AUTO,
    declared_roles: Sequence[DeclaredRole] = (),
) -> Platform:
    """Insert a new platform in state NEW (:class:`~ocpihub.store.db.DuplicateKey`: the name
    is taken)."""
    now = _now()
    with duplicates_refused(f"platform {name!r}"):
        result = await conn.execute(
            insert(platforms)
            .values(
                name=name,
                status=PlatformStatus.NEW.value,
                token_encoding=token_encoding.value,
                declared_roles=[r.as_dict() for r in declared_roles] or None,
                created_at=now,
                updated_at=now,
            )
            .returning(platforms)
        )
    return _platform(result.mappings().one())


async def get_platform(conn: AsyncConnection, platform_id: int) -> Platform | None:
    """The platform with this id, if any."""
    return await read_listing(conn, reads.platform(platform_id))


async def get_platform_by_name(conn: AsyncConnection, name: str) -> Platform | None:
    """The platform with this name, if any."""
    return await read_listing(conn, reads.platform_named(name))


async def list_platforms(conn: AsyncConnection) -> list[Platform]:
    """Every platform, oldest first."""
    return await read_listing(conn, reads.platforms())


async def update_platform(conn: AsyncConnection, platform_id: int, **values: Any) -> None:
    """Change columns of one platform (enum values are stored by value)."""
    clean = {k: (v.value if hasattr(v, "value") else v) for k, v in values.items()}
    clean["updated_at"] = _now()
    await conn.execute(update(platforms).where(platforms.c.id == platform_id).values(**clean))


async def delete_platform(conn: AsyncConnection, platform_id: int) -> bool:
    """Remove a platform with its tokens, parties and endpoints; whether it existed."""
    result = await conn.execute(delete(platforms).where(platforms.c.id == platform_id))
    return bool(result.rowcount)


async def add_token(conn: AsyncConnection, platform_id: int, token: str, kind: str) -> None:
    """Accept ``token`` from this platform from now on (kind ``A`` or ``C``)."""
    await conn.execute(
        insert(credentials_tokens).values(
            token_hash=hash_token(token), platform_id=platform_id, kind=kind, created_at=_now()
        )
    )


async def revoke_tokens(
    conn: AsyncConnection, platform_id: int, kinds: Iterable[str] = ("A", "C")
) -> None:
    """Stop accepting this platform's tokens of the given kinds."""
    await conn.execute(
        delete(credentials_tokens).where(
            credentials_tokens.c.platform_id == platform_id,
            credentials_tokens.c.kind.in_(list(kinds)),
        )
    )


async def lookup_token(
    conn: AsyncConnection, candidates: Sequence[str]
) -> tuple[Platform, str] | None:
    """The platform and token kind for the first candidate that is a known token, in order.

    One query for all candidates (every request pays for this lookup).
    """
    hashes = [hash_token(c) for c in candidates]
    if not hashes:
        return None
    rows = (
        (
            await conn.execute(
                select(platforms, credentials_tokens.c.kind, credentials_tokens.c.token_hash)
                .join(credentials_tokens, credentials_tokens.c.platform_id == platforms.c.id)
                .where(credentials_tokens.c.token_hash.in_(hashes))
            )
        )
        .mappings()
        .all()
    )
    by_hash = {row["token_hash"]: row for row in rows}
    for digest in hashes:
        row = by_hash.get(digest)
        if row is not None:
            return _platform(row), row["kind"]
    return None


async def list_parties(conn: AsyncConnection, platform_id: int | None = None) -> list[Party]:
    """Parties of one platform, or all parties."""
    return await read_listing(conn, reads.parties(platform_id))


async def upsert_party(
    conn: AsyncConnection,
    platform_id: int | None,
    *,
    country_code: str,
    party_id: str,
    role: str,
    status: ConnectionStatus,
    business_details: dict[str, Any] | None = None,
) -> Party:
    """Create or update the party (country_code, party_id, role) and attach it to a platform
    (:class:`~ocpihub.store.db.DuplicateKey`: another transaction created it meanwhile)."""
    cc, pid = country_code.upper(), party_id.upper()
    now = _now()
    existing = (
        (
            await conn.execute(
                select(parties).where(
                    parties.c.country_code == cc, parties.c.party_id == pid, parties.c.role == role
                )
            )
        )
        .mappings()
        .first()
    )
    if existing is None:
        with duplicates_refused(f"party {role} {cc}-{pid}"):  # inserted meanwhile
            result = await conn.execute(
                insert(parties)
                .values(
                    platform_id=platform_id,
                    country_code=cc,
                    party_id=pid,
                    role=role,
                    status=status.value,
                    business_details=business_details,
                    created_at=now,
                    updated_at=now,
                )
                .returning(parties)
            )
        return _party(result.mappings().one())
    result = await conn.execute(
        update(parties)
        .where(parties.c.id == existing["id"])
        .values(
            platform_id=platform_id,
            status=status.value,
            business_details=business_details,
            updated_at=now,
        )
        .returning(parties)
    )
    return _party(result.mappings().one())


async def list_endpoints(conn: AsyncConnection, platform_id: int) -> list[Endpoint]:
    """The endpoints a platform published for its negotiated version."""
    return await read_listing(conn, reads.endpoints(platform_id))


async def replace_endpoints(
    conn: AsyncConnection, platform_id: int, new: Iterable[Endpoint]
) -> None:
    """Forget a platform's endpoints and store ``new`` instead."""
    await conn.execute(delete(endpoints).where(endpoints.c.platform_id == platform_id))
    rows = [
        {"platform_id": platform_id, "identifier": e.identifier, "role": e.role, "url": e.url}
        for e in new
    ]
    if rows:
        await conn.execute(insert(endpoints), rows)


async def set_party_status(
    conn: AsyncConnection, country_code: str, party_id: str, status: ConnectionStatus
) -> list[Party]:
    """Set the status of every role of one party; the parties changed."""
    result = await conn.execute(
        update(parties)
        .where(
            parties.c.country_code == country_code.upper(), parties.c.party_id == party_id.upper()
        )
        .values(status=status.value, updated_at=_now())
        .returning(parties)
    )
    return [_party(r) for r in result.mappings().all()]


async def record_liveness(conn: AsyncConnection, platform_id: int, *, answered: bool) -> int:
    """Count one liveness check of a platform: its failures in a row since (0 once it
    answered)."""
    failures = 0 if answered else platforms.c.liveness_failures + 1
    result = await conn.execute(
        update(platforms)
        .where(platforms.c.id == platform_id)
        .values(liveness_failures=failures)
        .returning(platforms.c.liveness_failures)
    )
    return int(result.scalar_one())


async def set_liveness_status(
    conn: AsyncConnection, party: Party, status: ConnectionStatus
) -> None:
    """Move one party (this role) to the status the liveness check decided."""
    await conn.execute(update(parties).where(parties.c.id == party.id).values(status=status.value))


# --- registration (the credentials handshake) -------------------------------------------------


async def lock_platform(conn: AsyncConnection, platform_id: int) -> Platform | None:
    """The platform, row-locked until the transaction ends (PostgreSQL; SQLite writes are
    serialised already), so two handshakes of one platform cannot both commit."""
    row = (
        (
            await conn.execute(
                select(platforms).where(platforms.c.id == platform_id).with_for_update()
            )
        )
        .mappings()
        .first()
    )
    return _platform(row) if row else None


async def remove_token(conn: AsyncConnection, token: str) -> None:
    """Stop accepting one token (e.g. a pending token of a handshake that failed)."""
    await conn.execute(
        delete(credentials_tokens).where(credentials_tokens.c.token_hash == hash_token(token))
    )


async def party_hosts(
    conn: AsyncConnection, keys: Iterable[tuple[str, str, str]]
) -> dict[tuple[str, str, str], int]:
    """For each (role, country_code, party_id) already attached to a platform: its platform id."""
    out: dict[tuple[str, str, str], int] = {}
    for role, cc, pid in keys:
        row = (
            await conn.execute(
                select(parties.c.platform_id).where(
                    parties.c.role == role,
                    parties.c.country_code == cc.upper(),
                    parties.c.party_id == pid.upper(),
                    parties.c.platform_id.is_not(None),
                )
            )
        ).first()
        if row is not None:
            out[(role, cc.upper(), pid.upper())] = int(row[0])
    return out


async def set_platform_parties_status(
    conn: AsyncConnection, platform_id: int, status: ConnectionStatus
) -> list[Party]:
    """Set the status of every party a platform hosts; the parties changed."""
    result = await conn.execute(
        update(parties)
        .where(parties.c.platform_id == platform_id)
        .values(status=status.value, updated_at=_now())
        .returning(parties)
    )
    return [_party(r) for r in result.mappings().all()]


async def detach_parties(
    conn: AsyncConnection, platform_id: int, keep: Iterable[tuple[str, str, str]]
) -> list[Party]:
    """Parties of the platform not in ``keep`` (role, cc, pid) stop being hosted by it.

    They stay recorded (objects and agreements may name them) with no platform, OFFLINE; a
    PLANNED party (declared by the operator, never registered) is forgotten instead.
    """
    wanted = set(keep)
    gone = [
        p
        for p in await list_parties(conn, platform_id)
        if (p.role, p.country_code, p.party_id) not in wanted
    ]
    for party in gone:
        if party.status is ConnectionStatus.PLANNED:
            await conn.execute(delete(parties).where(parties.c.id == party.id))
            continue
        await conn.execute(
            update(parties)
            .where(parties.c.id == party.id)
            .values(platform_id=None, status=ConnectionStatus.OFFLINE.value, updated_at=_now())
        )
    return gone


async def claim_party(
    conn: AsyncConnection,
    platform_id: int,
    *,
    country_code: str,
    party_id: str,
    role: str,
    business_details: dict[str, Any] | None,
    status: ConnectionStatus = ConnectionStatus.CONNECTED,
) -> Party | int:
    """Attach (role, cc, pid) to this platform; or, when another platform hosts it, that id.

    The party's row is locked first (PostgreSQL), so two platforms claiming one party at the
    same time cannot both win; a concurrent first insert surfaces as
    :class:`~ocpihub.store.db.DuplicateKey`.
    """
    cc, pid = country_code.upper(), party_id.upper()
    row = (
        (
            await conn.execute(
                select(parties)
                .where(
                    parties.c.country_code == cc, parties.c.party_id == pid, parties.c.role == role
                )
                .with_for_update()
            )
        )
        .mappings()
        .first()
    )
    if row is not None and row["platform_id"] not in (None, platform_id):
        return int(row["platform_id"])
    return await upsert_party(
        conn,
        platform_id,
        country_code=cc,
        party_id=pid,
        role=role,
        status=status,
        business_details=business_details,
    )


async def keep_newest_tokens(conn: AsyncConnection, platform_id: int, kind: str, keep: int) -> None:
    """Revoke all but the ``keep`` newest tokens of ``kind`` of a platform."""
    newest = (
        (
            await conn.execute(
                select(credentials_tokens.c.token_hash)
                .where(
                    credentials_tokens.c.platform_id == platform_id,
                    credentials_tokens.c.kind == kind,
                )
                .order_by(credentials_tokens.c.created_at.desc())
                .limit(keep)
            )
        )
        .scalars()
        .all()
    )
    await conn.execute(
        delete(credentials_tokens).where(
            credentials_tokens.c.platform_id == platform_id,
            credentials_tokens.c.kind == kind,
            credentials_tokens.c.token_hash.not_in(list(newest)),
        )
    )
