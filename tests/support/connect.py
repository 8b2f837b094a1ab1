"""Connect a Peer to a hub by writing the registration's outcome straight into the database.

For tests of modules that need registered platforms but are not about registration. It stores
exactly what a completed handshake stores: a REGISTERED platform on the peer's version, the
token each side uses, the peer's endpoints and its parties (CONNECTED).
"""

from __future__ import annotations

from ocpihub.hub.platforms import new_token
from ocpihub.model.parties import ConnectionStatus, Endpoint, PlatformStatus
from ocpihub.store import platforms as store
from ocpihub.store.db import Database
from ocpihub.testing import Peer


async def connect(db: Database, peer: Peer, hub_versions_url: str) -> int:
    """Register ``peer`` with the hub behind ``db``; returns the platform id."""
    token_c = new_token()
    async with db.write() as conn:
        platform = await store.create_platform(conn, peer.name)
        await store.add_token(conn, platform.id, token_c, "C")
        await store.update_platform(
            conn,
            platform.id,
            status=PlatformStatus.REGISTERED,
            version=peer.version,
            versions_url=peer.versions_url,
            outbound_token=peer.issue_token(),
            inbound_token=token_c,
        )
        assert peer.modules is not None
        await store.replace_endpoints(
            conn,
            platform.id,
            [Endpoint(m, role, peer.module_url(m, role)) for m, role in peer.modules]
            + [
                Endpoint(
                    "credentials", "SENDER", f"{peer.base_url}/ocpi/{peer.version}/credentials"
                )
            ],
        )
        for role, cc, pid in peer.parties:
            await store.upsert_party(
                conn,
                platform.id,
                country_code=cc,
                party_id=pid,
                role=role,
                status=ConnectionStatus.CONNECTED,
                business_details={"name": peer.name},
            )
    peer.hub_token = token_c
    peer.registered = True
    await peer._discover(hub_versions_url)
    return platform.id
