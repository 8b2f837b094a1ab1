"""Keeping 2.3.0 partners' view of the hub true: a credentials PUT when reachability changes.

A 2.3.0 hub lists every party a partner can reach in the ``roles`` of its credentials (digest
§2). When an agreement makes a party reachable or unreachable, the hub PUTs fresh credentials
to each affected 2.3.0 platform, as the spec's update flow prescribes: the body carries a new
token for the partner to use from now on; the partner re-reads the hub's versions and details
with it, and answers with a new token for the hub. The partner's previous token keeps working
until the next update (so requests crossing the update still pass); older ones are revoked. If
the update fails, nothing changes (the failure is logged — the hub still enforces the right
agreements, only the partner's list of roles is stale).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

import structlog

from ocpihub.errors import MethodNotAllowed, NotFound, OcpiError
from ocpihub.hub.credentials import read_credentials
from ocpihub.hub.platforms import new_token
from ocpihub.hub.registration import Registrar
from ocpihub.model.agreements import Agreement
from ocpihub.model.parties import Platform, PlatformStatus
from ocpihub.outbound.client import calling_platform
from ocpihub.store import platforms as store

__all__ = ["CredentialsRefresher", "update_credentials"]

log = structlog.get_logger("ocpihub.credentials")


class CredentialsRefresher:
    """Sends credentials PUTs to the 2.3.0 platforms an agreement change concerns."""

    def __init__(self, registrar: Registrar) -> None:
        self.registrar = registrar
        self._locks: dict[int, asyncio.Lock] = {}

    async def agreement_changed(self, agreement: Agreement) -> list[int]:
        """Refresh every 2.3.0 platform hosting either party; the platform ids refreshed."""
        return await self.parties_changed((agreement.a, agreement.b))

    async def parties_changed(self, codes: Iterable[tuple[str, str]]) -> list[int]:
        """Refresh the 2.3.0 platforms hosting any of these parties."""
        wanted = set(codes)
        db = self.registrar.db
        async with db.read() as conn:
            platform_ids = {
                p.platform_id
                for p in await store.list_parties(conn)
                if (p.country_code, p.party_id) in wanted and p.platform_id is not None
            }
            platforms = [await store.get_platform(conn, pid) for pid in sorted(platform_ids)]
        done = []
        for found in platforms:
            if found is None:
                continue
            # one update at a time per platform: each rotates the tokens the next one uses
            async with self._locks.setdefault(found.id, asyncio.Lock()):
                async with db.read() as conn:
                    platform = await store.get_platform(conn, found.id)
                if (
                    platform is None
                    or platform.status is not PlatformStatus.REGISTERED
                    or platform.version != "2.3.0"
                ):
                    continue
                try:
                    await self.refresh(platform)
                    done.append(platform.id)
                except OcpiError as exc:
                    log.warning(
                        "credentials_refresh_failed", platform=platform.name, error=exc.message
                    )
        return done

    async def refresh(self, platform: Platform) -> None:
        """PUT the hub's current credentials to ``platform`` and take its new token."""
        with calling_platform(platform.id):
            await self._refresh(platform)

    async def _refresh(self, platform: Platform) -> None:
        db = self.registrar.db
        async with db.read() as conn:
            endpoints = await store.list_endpoints(conn, platform.id)
        url = next((e.url for e in endpoints if e.identifier == "credentials"), None)
        if url is None or platform.version is None or platform.outbound_token is None:
            return
        own = await self.registrar.hosted_parties(platform.id)
        token_c = new_token()
        async with db.write() as conn:
            await store.add_token(conn, platform.id, token_c, "C")
        try:
            body = await self.registrar.credentials_for(platform.version, token_c, own)
            response = await self.registrar.client.request(
                "PUT",
                url,
                token=platform.outbound_token,
                base64_token=platform.encodes_token(),
                json=body,
            )
            if response.status != 200 or response.ocpi_status != 1000:
                raise OcpiError(
                    f"credentials PUT answered HTTP {response.status}, "
                    f"status_code {response.ocpi_status}"
                )
            answer = read_credentials(platform.version, response.data)
        except BaseException:
            async with db.write() as conn:
                await store.remove_token(conn, token_c)
            raise
        async with db.write() as conn:
            # the previous token stays valid beside the new one, so requests the partner sent
            # while this update crossed them still pass; anything older is revoked
            await store.keep_newest_tokens(conn, platform.id, "C", keep=2)
            await store.update_platform(conn, platform.id, outbound_token=answer.token)
        log.info("credentials_refreshed", platform=platform.name)


async def update_credentials(registrar: Registrar, platform_id: int) -> Platform:
    """The operator's credentials update of a registered platform (CLI, admin API, console):
    the hub PUTs fresh credentials and takes the partner's new token."""
    async with registrar.db.read() as conn:
        platform = await store.get_platform(conn, platform_id)
    if platform is None:
        raise NotFound(f"no platform with id {platform_id}")
    if platform.status is not PlatformStatus.REGISTERED:
        raise MethodNotAllowed(
            f"platform {platform.name} is not registered: there are no credentials to update"
        )
    await CredentialsRefresher(registrar).refresh(platform)
    async with registrar.db.read() as conn:
        done = await store.get_platform(conn, platform_id)
    assert done is not None
    return done
