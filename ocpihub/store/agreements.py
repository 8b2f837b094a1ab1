"""Persistence of roaming agreements."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from ocpihub.model.agreements import Agreement, AgreementStatus, OnAuthorizeTimeout
from ocpihub.store.db import duplicates_refused, read_listing
from ocpihub.store.reads import directory as reads
from ocpihub.store.schema import agreements

__all__ = [
    "create_agreement",
    "delete_agreement",
    "find_agreement",
    "get_agreement",
    "list_agreements",
    "set_agreement_status",
    "set_authorize_policy",
]


_agreement = reads.agreement_from_row


def _ordered(x: tuple[str, str], y: tuple[str, str]) -> tuple[tuple[str, str], tuple[str, str]]:
    return (x, y) if x <= y else (y, x)


async def create_agreement(
    conn: AsyncConnection,
    x: tuple[str, str],
    y: tuple[str, str],
    modules: Iterable[str] | None,
) -> Agreement:
    """Insert an ACTIVE agreement between ``x`` and ``y``
    (:class:`~ocpihub.store.db.DuplicateKey`: they have one)."""
    a, b = _ordered(x, y)
    now = datetime.now(UTC)
    with duplicates_refused(f"agreement {a[0]}-{a[1]} {b[0]}-{b[1]}"):
        result = await conn.execute(
            insert(agreements)
            .values(
                a_country_code=a[0],
                a_party_id=a[1],
                b_country_code=b[0],
                b_party_id=b[1],
                modules=sorted(modules) if modules is not None else None,
                status=AgreementStatus.ACTIVE.value,
                created_at=now,
                updated_at=now,
            )
            .returning(agreements)
        )
    return _agreement(result.mappings().one())


async def get_agreement(conn: AsyncConnection, agreement_id: int) -> Agreement | None:
    """One agreement by id."""
    row = (
        (await conn.execute(select(agreements).where(agreements.c.id == agreement_id)))
        .mappings()
        .first()
    )
    return _agreement(row) if row else None


async def find_agreement(
    conn: AsyncConnection, x: tuple[str, str], y: tuple[str, str]
) -> Agreement | None:
    """The agreement between two parties, if any."""
    a, b = _ordered(x, y)
    row = (
        (
            await conn.execute(
                select(agreements).where(
                    agreements.c.a_country_code == a[0],
                    agreements.c.a_party_id == a[1],
                    agreements.c.b_country_code == b[0],
                    agreements.c.b_party_id == b[1],
                )
            )
        )
        .mappings()
        .first()
    )
    return _agreement(row) if row else None


async def list_agreements(
    conn: AsyncConnection, party: tuple[str, str] | None = None
) -> list[Agreement]:
    """Every agreement, or those of one party; oldest first."""
    return await read_listing(conn, reads.agreements(party))


async def set_agreement_status(
    conn: AsyncConnection, agreement_id: int, status: AgreementStatus
) -> Agreement | None:
    """Change the status; the updated agreement, or None when there is none."""
    result = await conn.execute(
        update(agreements)
        .where(agreements.c.id == agreement_id)
        .values(status=status.value, updated_at=datetime.now(UTC))
        .returning(agreements)
    )
    row = result.mappings().first()
    return _agreement(row) if row else None


async def set_authorize_policy(
    conn: AsyncConnection,
    agreement_id: int,
    timeout_seconds: float | None,
    on_timeout: OnAuthorizeTimeout,
) -> Agreement | None:
    """Set the real-time authorization policy; the updated agreement, or None."""
    result = await conn.execute(
        update(agreements)
        .where(agreements.c.id == agreement_id)
        .values(
            authorize_timeout_seconds=timeout_seconds,
            authorize_on_timeout=on_timeout.value,
            updated_at=datetime.now(UTC),
        )
        .returning(agreements)
    )
    row = result.mappings().first()
    return _agreement(row) if row else None


async def delete_agreement(conn: AsyncConnection, agreement_id: int) -> Agreement | None:
    """Remove an agreement; what was removed, or None."""
    found = await get_agreement(conn, agreement_id)
    if found is not None:
        await conn.execute(delete(agreements).where(agreements.c.id == agreement_id))
    return found
