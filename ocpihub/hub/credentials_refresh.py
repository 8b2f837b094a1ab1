"""Credentials updates the hub sends: reachable parties changed (2.3.0), or a token rotation.

A 2.3.0 hub lists every party a partner can reach in the ``roles`` of its credentials (digest
§2). When an agreement makes a party reachable or unreachable, the hub PUTs its credentials to
each affected 2.3.0 platform (:meth:`CredentialsRefresher.parties_changed`). Such an update
carries the partner's CURRENT token — the one it calls the hub with — so nothing rotates and
no request in flight, nor a partner that misses or mis-stores one update, is locked out (DESIGN
rule 11). The partner re-reads the hub's versions and details with that token; if its answer
carries a new token for the hub, the hub uses it from then on.

Tokens rotate only when asked: by the partner (its own credentials PUT, handled by the
registrar) or by the operator (:func:`update_credentials`: ``ocpihub platform credentials``,
``POST /admin/api/platforms/{id}/credentials``, the console), which PUTs a new token; the
previous one keeps working until the next rotation, so requests crossing it still pass. A
platform registered before the hub kept its current token in clear has none to resend: its
first update rotates once.

If an update fails, nothing changes (for reachability updates the failure is logged — the hub
still enforces the right agreements, only the partner's list of roles is stale).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

import structlog

from ocpihub.errors import MethodNotAllowed, NotFound, OcpiError, UnableToUseClientApi
from ocpihub.hub.credentials import credentials_answer, read_credentials
from ocpihub.hub.platforms import new_token
from ocpihub.hub.registration import Registrar
from ocpihub.model.agreements import Agreement
from ocpihub.model.parties import Platform, PlatformStatus
from ocpihub.ocpi.version import ocpi_version
from ocpihub.outbound.client import PartnerAuth, calling_platform
from ocpihub.store import platforms as store

__all__ = ["CredentialsRefresher", "update_credentials"]

log = structlog.get_logger("ocpihub.credentials")


def _lists_reachable(platform: Platform) -> bool:
    return platform.version is not None and ocpi_version(platform.version).has_hub_party_id


class CredentialsRefresher:
    """Sends credentials PUTs: to 2.3.0 platforms an agreement change concerns, and rotations."""

    def __init__(self, registrar: Registrar) -> None:
        self.registrar = registrar
        self._locks: dict[int, asyncio.Lock] = {}

    async def agreement_changed(self, agreement: Agreement) -> list[int]:
        """Update every 2.3.0 platform hosting either party; the platform ids updated."""
        return await self.parties_changed((agreement.a, agreement.b))

    async def parties_changed(self, codes: Iterable[tuple[str, str]]) -> list[int]:
        """Update the 2.3.0 platforms hosting any of these parties (no token rotation)."""
        wanted = set(codes)
        db = self.registrar.db
        async with db.read() as conn:
            platform_ids = {
                p.platform_id
                for p in await store.list_parties(conn)
                if (p.country_code, p.party_id) in wanted and p.platform_id is not None
            }
        done = []
        for platform_id in sorted(platform_ids):
            try:
                updated = await self._update(platform_id, rotate=False, reachability=True)
            except OcpiError as exc:
                log.warning("credentials_refresh_failed", platform=platform_id, error=exc.message)
                continue
            if updated:
                done.append(platform_id)
        return done

    async def rotate(self, platform_id: int) -> None:
        """The operator's token rotation: PUT credentials with a new token to a registered
        platform (any version); 3001 when the partner does not take it (nothing changes)."""
        async with self.registrar.db.read() as conn:
            platform = await store.get_platform(conn, platform_id)
        if platform is None:
            raise NotFound(f"no platform with id {platform_id}")
        if platform.status is not PlatformStatus.REGISTERED:
            raise MethodNotAllowed(
                f"platform {platform.name} is not registered: there are no credentials to update"
            )
        await self._update(platform_id, rotate=True, reachability=False)

    async def _update(self, platform_id: int, *, rotate: bool, reachability: bool) -> bool:
        """PUT credentials to a registered platform; ``reachability``: only when its version's
        credentials list the parties reachable through the hub (2.3.0)."""
        # one update at a time per platform (in this process): each may change the tokens
        async with self._locks.setdefault(platform_id, asyncio.Lock()):
            async with self.registrar.db.read() as conn:
                platform = await store.get_platform(conn, platform_id)
            if (
                platform is None
                or platform.status is not PlatformStatus.REGISTERED
                or (reachability and not _lists_reachable(platform))
            ):
                return False
            with calling_platform(platform.id):
                return await self.refresh(platform, rotate=rotate)

    async def refresh(self, platform: Platform, *, rotate: bool = False) -> bool:
        """PUT the hub's current credentials to ``platform`` and take the token it answers.

        ``rotate`` False sends the partner's current token (a new one only when the hub has
        none in clear); True sends a new one. Whether a PUT was sent (False: the platform has
        no credentials endpoint or token to call it with).
        """
        db = self.registrar.db
        async with db.read() as conn:
            endpoints = await store.list_endpoints(conn, platform.id)
        url = next((e.url for e in endpoints if e.identifier == "credentials"), None)
        if url is None or platform.version is None or platform.outbound_token is None:
            return False
        own = await self.registrar.hosted_parties(platform.id)
        new = rotate or platform.inbound_token is None
        token = new_token() if new else platform.inbound_token
        assert token is not None
        if new:
            async with db.write() as conn:
                await store.add_token(conn, platform.id, token, "C")
        # calls to this partner wait while the PUT runs and then go with the token it answers
        async with self.registrar.client.token_gate.exchange(platform.id) as replaced:
            answer_token = await self._put(platform, url, token, own, new=new)
            async with db.write() as conn:
                if new:
                    # the previous token stays valid beside the new one, so requests the
                    # partner sent while this rotation crossed them still pass; anything
                    # older is revoked
                    await store.keep_newest_tokens(conn, platform.id, "C", keep=2)
                await store.update_platform(
                    conn, platform.id, outbound_token=answer_token, inbound_token=token
                )
            replaced(platform.outbound_token, answer_token)
        log.info("credentials_refreshed", platform=platform.name, rotated=new)
        return True

    async def _put(
        self, platform: Platform, url: str, token: str, own: list[tuple[str, str]], *, new: bool
    ) -> str:
        """PUT the credentials carrying ``token``; the token the partner answers with. 3001
        when it does not take them (a ``new`` token is then forgotten)."""
        assert platform.version is not None
        db = self.registrar.db
        try:
            body = await self.registrar.credentials_for(platform.version, token, own)
            try:
                response = await self.registrar.client.request(
                    "PUT", url, auth=PartnerAuth.of(platform), json=body
                )
            except OcpiError as exc:
                raise UnableToUseClientApi(f"credentials PUT {url}: {exc.message}") from None
            if response.status != 200 or response.ocpi_status != 1000:
                raise UnableToUseClientApi(
                    f"credentials PUT {url} answered HTTP {response.status}, "
                    f"status_code {response.ocpi_status}"
                )
            try:
                data = credentials_answer(
                    platform, response.data, self.registrar.client.tolerations
                )
                return read_credentials(platform.version, data).token
            except OcpiError as exc:
                raise UnableToUseClientApi(
                    f"the partner's credentials answer is not valid: {exc.message}"
                ) from None
        except BaseException:
            if new:
                async with db.write() as conn:
                    await store.remove_token(conn, token)
            raise


async def update_credentials(
    refresher: CredentialsRefresher | Registrar, platform_id: int
) -> Platform:
    """The operator's credentials update of a registered platform (CLI, admin API, console):
    a token rotation (:meth:`CredentialsRefresher.rotate`); the platform as it is after it.

    Pass the running hub's refresher where there is one (its per-platform serialisation).
    """
    if isinstance(refresher, Registrar):
        refresher = CredentialsRefresher(refresher)
    await refresher.rotate(platform_id)
    async with refresher.registrar.db.read() as conn:
        done = await store.get_platform(conn, platform_id)
    assert done is not None
    return done
