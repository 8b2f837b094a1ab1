"""What the configuration modules (versions, credentials, hubclientinfo) read of the store:
the token a caller authenticated with, a 2.1.1 partner's role, and the ClientInfo of every party
a platform's parties have an agreement with (``hub/clientinfo.py`` decides what it sees)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ocpihub.hub.clientinfo import client_info, seen_status
from ocpihub.model.parties import Platform
from ocpihub.store.agreements import list_agreements
from ocpihub.store.db import Database
from ocpihub.store.platforms import list_parties, lookup_token

__all__ = ["client_infos", "partner_role", "presented_token"]


async def presented_token(db: Database, candidates: Sequence[str]) -> str:
    """The token the caller authenticated with, of its header's ``candidates`` (raw or
    Base64-decoded, whichever matched)."""
    async with db.read() as conn:
        for candidate in candidates:
            if await lookup_token(conn, [candidate]) is not None:
                return candidate
    return candidates[0]


async def partner_role(db: Database, platform: Platform) -> str | None:
    """The single role of a 2.1.1 partner: declared by the operator, else registered."""
    if platform.declared_roles:
        return platform.declared_roles[0].role
    async with db.read() as conn:
        hosted = await list_parties(conn, platform.id)
    return hosted[0].role if hosted else None


async def client_infos(db: Database, platform_id: int) -> list[dict[str, Any]]:
    """A canonical ClientInfo for every party the platform's parties have an agreement with,
    with the status they should see, ordered by party and role."""
    async with db.read() as conn:
        known = await list_parties(conn)
        mine = [p for p in known if p.platform_id == platform_id]
        out: dict[tuple[str, str, str], dict[str, Any]] = {}
        for party in mine:
            code = (party.country_code, party.party_id)
            for agreement in await list_agreements(conn, code):
                other = agreement.other(code)
                for subject in known:
                    if (subject.country_code, subject.party_id) != other:
                        continue
                    status = seen_status(subject.status, agreement)
                    info = client_info(subject, status, agreement.updated_at)
                    out[(subject.country_code, subject.party_id, subject.role)] = info
    return sorted(out.values(), key=lambda i: (i["country_code"], i["party_id"], i["role"]))
