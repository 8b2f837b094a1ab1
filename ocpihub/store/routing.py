"""The facts routing decisions need, read in one go: who may receive what from whom.

A *target* (``model.parties.Target``) is a party on a registered platform, with that platform's
negotiated version and the URL of the endpoint the delivery will use. The decisions themselves
are pure (``hub/routing.py``).
"""

from __future__ import annotations

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from ocpihub.model.agreements import AgreementStatus
from ocpihub.model.parties import PlatformStatus, Target
from ocpihub.store.schema import agreements, endpoints, parties, platforms

__all__ = ["agreed_targets", "party_target"]


async def agreed_targets(
    conn: AsyncConnection,
    sender: tuple[str, str],
    module: str,
    *,
    interface_role: str = "RECEIVER",
) -> list[Target]:
    """Parties with an ACTIVE agreement with ``sender`` covering ``module``, on REGISTERED
    platforms, with the endpoint they published for ``module``/``interface_role`` (or None)."""
    cc, pid = sender
    rows = (
        await conn.execute(
            select(agreements).where(
                agreements.c.status == AgreementStatus.ACTIVE.value,
                or_(
                    and_(agreements.c.a_country_code == cc, agreements.c.a_party_id == pid),
                    and_(agreements.c.b_country_code == cc, agreements.c.b_party_id == pid),
                ),
            )
        )
    ).mappings()
    others: set[tuple[str, str]] = set()
    for row in rows:
        if row["modules"] is not None and module not in row["modules"]:
            continue
        a = (row["a_country_code"], row["a_party_id"])
        b = (row["b_country_code"], row["b_party_id"])
        others.add(b if a == sender else a)
    if not others:
        return []
    return [t for t in await _targets(conn, module, interface_role) if t.party in others]


async def party_target(
    conn: AsyncConnection, party: tuple[str, str], module: str, *, interface_role: str
) -> list[Target]:
    """Every (role of a) party, on a registered platform, with its endpoint for ``module``."""
    return [t for t in await _targets(conn, module, interface_role) if t.party == party]


async def _targets(conn: AsyncConnection, module: str, interface_role: str) -> list[Target]:
    query = (
        select(
            parties.c.platform_id,
            parties.c.country_code,
            parties.c.party_id,
            parties.c.role,
            parties.c.status,
            platforms.c.version,
            endpoints.c.url,
        )
        .join(platforms, platforms.c.id == parties.c.platform_id)
        .outerjoin(
            endpoints,
            and_(
                endpoints.c.platform_id == platforms.c.id,
                endpoints.c.identifier == module,
                endpoints.c.role == interface_role,
            ),
        )
        .where(platforms.c.status == PlatformStatus.REGISTERED.value)
        .order_by(parties.c.id)
    )
    return [
        Target(
            platform_id=row.platform_id,
            country_code=row.country_code,
            party_id=row.party_id,
            role=row.role,
            status=row.status,
            version=row.version,
            endpoint_url=row.url,
        )
        for row in (await conn.execute(query)).all()
    ]
