"""The credentials handshake, both ways, and its end (DESIGN rule 1, digest §2).

Platform-initiated (a partner POSTs or PUTs its credentials): check the claimed parties, fetch
the partner's versions and details with its token, check the endpoints, then ONE write
transaction stores everything and issues the new token. Any failure before that transaction
leaves the platform exactly as it was (its old token still works).

Hub-initiated (:meth:`Registrar.register_with`, carried out by ``hub/hub_initiated.py``): the
hub discovers the partner with the token the partner's operator gave, issues a token for the
partner, POSTs the hub's credentials and stores the partner's answer with the same write
transaction (:meth:`Registrar.record_handshake`).

Unregistering (a partner's DELETE) revokes every token, forgets the endpoints and marks the
platform UNREGISTERED and its parties SUSPENDED; only a new token A from the operator (or a
hub-initiated registration) connects it again. Removing a platform (operator) is
``hub/platform_removal.py``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import structlog

from ocpihub.errors import (
    InvalidParameters,
    MethodNotAllowed,
    NotFound,
    OcpiError,
    Unauthorized,
)
from ocpihub.hub import hub_initiated
from ocpihub.hub.agreement_actions import Notify
from ocpihub.hub.credentials import (
    ClaimedParty,
    HubIdentity,
    PartnerCredentials,
    hub_credentials,
    reachable_parties,
    read_credentials,
)
from ocpihub.hub.discovery import Discovered, check_usable, discover
from ocpihub.hub.platform_removal import PlatformRemoval
from ocpihub.hub.platforms import add_platform, new_token
from ocpihub.model.agreements import Agreement
from ocpihub.model.parties import (
    ConnectionStatus,
    DeclaredRole,
    Endpoint,
    Platform,
    PlatformStatus,
    TokenEncoding,
)
from ocpihub.ocpi.headers import new_id
from ocpihub.ocpi.version import ocpi_version
from ocpihub.outbound.client import PartnerAuth, PartnerClient, calling_platform
from ocpihub.settings import Settings
from ocpihub.store import platforms as store
from ocpihub.store.agreements import list_agreements
from ocpihub.store.db import Connection, Database, DuplicateKey

__all__ = ["ROLES_211", "Registrar", "check_claims"]

log = structlog.get_logger("ocpihub.registration")

ROLES_211 = ("CPO", "EMSP")
"""The only roles a 2.1.1 connection can have."""

PartiesChanged = Callable[[Iterable[tuple[str, str]]], Awaitable[None]]


def check_claims(
    version: str,
    claimed: Sequence[ClaimedParty],
    declared: Sequence[DeclaredRole],
    hosted_elsewhere: Iterable[tuple[str, str, str]] = (),
) -> None:
    """Refuse (2001) claims the hub cannot accept, naming every offending party.

    Declared roles (if any) must contain every claimed party; a 2.1.1 party is a CPO or an
    eMSP; no party may already be hosted by another platform.
    """
    problems: list[str] = []
    if declared:
        allowed = {(d.role, d.country_code, d.party_id) for d in declared}
        for party in claimed:
            if party.key not in allowed:
                problems.append(
                    f"{party.role} {party.country_code}-{party.party_id} is not among the "
                    "parties the hub operator declared for this platform"
                )
    if not ocpi_version(version).has_roles:
        problems.extend(
            f"role {p.role} of {p.country_code}-{p.party_id}: OCPI 2.1.1 knows only CPO and EMSP"
            for p in claimed
            if p.role not in ROLES_211
        )
    problems.extend(
        f"{role} {cc}-{pid} is already hosted by another platform on this hub"
        for role, cc, pid in hosted_elsewhere
    )
    if problems:
        raise InvalidParameters("; ".join(problems))


async def _claim_parties(
    conn: Connection, platform_id: int, version: str, claimed: Sequence[ClaimedParty]
) -> list[tuple[str, str]]:
    """The platform hosts the claimed parties and no others it hosted before; (country_code,
    party_id) of every party claimed or let go. 2001 when another platform hosts a claimed one
    (it took it since the claims were checked)."""
    changed: list[tuple[str, str]] = []
    taken = []
    for party in claimed:
        result = await store.claim_party(
            conn,
            platform_id,
            country_code=party.country_code,
            party_id=party.party_id,
            role=party.role,
            business_details=party.business_details,
        )
        if isinstance(result, int):
            taken.append(party.key)
        changed.append((party.country_code, party.party_id))
    if taken:
        check_claims(version, claimed, (), taken)
    gone = await store.detach_parties(conn, platform_id, [p.key for p in claimed])
    changed.extend((p.country_code, p.party_id) for p in gone)
    return changed


async def _nothing(codes: Iterable[tuple[str, str]]) -> None:
    return None


async def _no_agreement_notice(agreement: Agreement) -> None:
    return None


@dataclass
class Registrar:
    """Carries out registrations: the database, the partner client and the hub's settings."""

    db: Database
    client: PartnerClient
    settings: Settings
    notify_parties: PartiesChanged = _nothing
    notify_agreement: Notify = _no_agreement_notice

    # --- what the hub says about itself ------------------------------------------------------

    @property
    def identity(self) -> HubIdentity:
        """The hub's identity from the settings."""
        s = self.settings
        return HubIdentity(s.country_code, s.party_id, s.hub_name, s.hub_website)

    @property
    def versions_url(self) -> str:
        """The hub's own versions endpoint."""
        return f"{self.settings.public_url}/ocpi/versions"

    async def credentials_for(
        self, version: str, token: str, own: Iterable[tuple[str, str]]
    ) -> dict[str, Any]:
        """The hub's credentials for a partner hosting ``own`` parties on ``version``."""
        reachable = []
        codes = list(own)
        if ocpi_version(version).has_hub_party_id and codes:
            async with self.db.read() as conn:
                agreements = await list_agreements(conn)
                everyone = await store.list_parties(conn)
            reachable = reachable_parties(codes, agreements, everyone)
        return hub_credentials(
            version,
            token=token,
            versions_url=self.versions_url,
            hub=self.identity,
            reachable=reachable,
        )

    async def hosted_parties(self, platform_id: int) -> list[tuple[str, str]]:
        """(country_code, party_id) of every party a platform hosts."""
        async with self.db.read() as conn:
            return [
                (p.country_code, p.party_id) for p in await store.list_parties(conn, platform_id)
            ]

    # --- platform-initiated -----------------------------------------------------------------

    async def accept(
        self,
        platform: Platform,
        version: str,
        body: object,
        *,
        update: bool,
        correlation_id: str | None = None,
    ) -> dict[str, Any]:
        """A partner's POST (``update`` False) or PUT of its credentials; the hub's answer.

        The hub's calls back to the partner carry the partner's ``correlation_id`` (the
        request that started the chain), or a new one.
        """
        with calling_platform(platform.id):
            return await self._accept(platform, version, body, update, correlation_id or new_id())

    async def _accept(
        self, platform: Platform, version: str, body: object, update: bool, chain: str
    ) -> dict[str, Any]:
        self.check_status(platform, update=update)
        creds = read_credentials(version, body, declared=platform.declared_roles)
        await self.verify_claims(platform, version, creds.parties)
        found = await discover(
            self.client,
            creds.url,
            token=creds.token,
            encoding=platform.token_encoding,
            allow_private=self.settings.allow_private_addresses,
            correlation_id=chain,
            version=version,
            party_roles=[p.role for p in creds.parties],
        )
        check_usable(found.endpoints, [p.role for p in creds.parties])
        token_c = new_token()
        await self.record_handshake(platform, found, creds, inbound_token=token_c, update=update)
        return await self.credentials_for(
            version, token_c, [(p.country_code, p.party_id) for p in creds.parties]
        )

    @staticmethod
    def check_status(platform: Platform, *, update: bool) -> None:
        registered = platform.status is PlatformStatus.REGISTERED
        if update and not registered:
            raise MethodNotAllowed(
                "PUT credentials: this platform is not registered; POST its credentials first"
            )
        if not update and registered:
            raise MethodNotAllowed(
                "POST credentials: this platform is already registered; use PUT to update or "
                "DELETE to unregister"
            )

    async def verify_claims(
        self, platform: Platform, version: str, claimed: Sequence[ClaimedParty]
    ) -> None:
        """Refuse (2001) claims :func:`check_claims` refuses, parties other platforms host
        included."""
        async with self.db.read() as conn:
            hosts = await store.party_hosts(conn, [p.key for p in claimed])
        elsewhere = [key for key, owner in hosts.items() if owner != platform.id]
        check_claims(version, claimed, platform.declared_roles, elsewhere)

    async def record_handshake(
        self,
        platform: Platform,
        found: Discovered,
        creds: PartnerCredentials,
        *,
        inbound_token: str,
        update: bool,
        versions_url: str | None = None,
    ) -> None:
        """The one write transaction of a successful handshake, either way: parties claimed
        and detached, endpoints, version, tokens."""
        try:
            async with self.db.write() as conn:
                current = await store.lock_platform(conn, platform.id)
                if current is None:
                    raise Unauthorized("this platform was removed during the registration")
                self.check_status(current, update=update)
                changed = await _claim_parties(conn, platform.id, found.version, creds.parties)
                await store.replace_endpoints(conn, platform.id, found.endpoints)
                await store.update_platform(
                    conn,
                    platform.id,
                    status=PlatformStatus.REGISTERED,
                    version=found.version,
                    versions_url=versions_url or creds.url,
                    outbound_token=creds.token,
                    inbound_token=inbound_token,
                )
                await store.revoke_tokens(conn, platform.id)
                await store.add_token(conn, platform.id, inbound_token, "C")
        except DuplicateKey:
            raise InvalidParameters(
                "a claimed party was registered by another platform at the same time"
            ) from None
        log.info(
            "platform_registered",
            platform=platform.name,
            version=found.version,
            parties=[f"{p.role}:{p.country_code}-{p.party_id}" for p in creds.parties],
            update=update,
        )
        await self._notify(changed)

    async def unregister(self, platform: Platform) -> None:
        """A partner's DELETE: tokens revoked, endpoints forgotten, parties SUSPENDED."""
        async with self.db.write() as conn:
            current = await store.lock_platform(conn, platform.id)
            if current is None or current.status is not PlatformStatus.REGISTERED:
                raise MethodNotAllowed("DELETE credentials: this platform is not registered")
            await store.update_platform(
                conn,
                platform.id,
                status=PlatformStatus.UNREGISTERED,
                outbound_token=None,
                inbound_token=None,
            )
            await store.revoke_tokens(conn, platform.id)
            await store.replace_endpoints(conn, platform.id, [])
            parties = await store.set_platform_parties_status(
                conn, platform.id, ConnectionStatus.SUSPENDED
            )
        log.info("platform_unregistered", platform=platform.name)
        await self._notify([(p.country_code, p.party_id) for p in parties])

    async def _notify(self, codes: list[tuple[str, str]]) -> None:
        """Tell agreed partners about party changes; a failure here must not undo a done
        handshake (the answer to the partner already depends on it), so it is only logged."""
        try:
            await self.notify_parties(codes)
        except Exception:
            log.exception("party_notification_failed", parties=[f"{c}-{p}" for c, p in codes])

    # --- hub-initiated ----------------------------------------------------------------------

    async def register_with(self, platform_id: int, versions_url: str, token: str) -> Platform:
        """Register the hub with a partner, given its versions URL and its token A
        (``hub/hub_initiated.py``)."""
        with calling_platform(platform_id):
            return await hub_initiated.register_with(self, platform_id, versions_url, token)

    # --- operator actions -------------------------------------------------------------------

    async def remove(self, platform_id: int, *, force: bool = False) -> dict[str, Any]:
        """Remove a platform, all or nothing (``hub/platform_removal.py``); what was done."""
        removal = PlatformRemoval(self.db, self._tell_removed, self.notify_agreement)
        return await removal.remove(platform_id, force=force)

    async def _tell_removed(self, platform: Platform) -> tuple[bool | None, str | None]:
        async with self.db.read() as conn:
            published = await store.list_endpoints(conn, platform.id)
        credentials = [e for e in published if e.identifier == "credentials"]
        if platform.status is PlatformStatus.REGISTERED and credentials and platform.outbound_token:
            return await self._delete_at_partner(platform, credentials[0])
        return None, None

    async def register_by_name(
        self,
        name: str,
        versions_url: str,
        token: str,
        *,
        token_encoding: TokenEncoding = TokenEncoding.AUTO,
        roles: Sequence[DeclaredRole] = (),
    ) -> Platform:
        """Hub-initiated registration of the platform named ``name``, created when there is
        none; a platform created here is removed again when the registration fails, so a
        failed attempt leaves nothing behind."""
        async with self.db.read() as conn:
            existing = await store.get_platform_by_name(conn, name.strip())
        if existing is not None:
            return await self.register_with(existing.id, versions_url, token)
        created = await add_platform(
            self.db,
            name,
            public_url=self.settings.public_url,
            token_encoding=token_encoding,
            roles=roles,
        )
        try:
            return await self.register_with(created.platform.id, versions_url, token)
        except BaseException:
            async with self.db.write() as conn:
                await store.delete_platform(conn, created.platform.id)
            raise

    async def _delete_at_partner(
        self, platform: Platform, endpoint: Endpoint
    ) -> tuple[bool, str | None]:
        with calling_platform(platform.id):
            return await self._delete_request(platform, endpoint)

    async def _delete_request(
        self, platform: Platform, endpoint: Endpoint
    ) -> tuple[bool, str | None]:
        try:
            response = await self.client.request(
                "DELETE", endpoint.url, auth=PartnerAuth.of(platform)
            )
        except OcpiError as exc:
            return False, exc.message
        if response.status == 200 and response.ocpi_status == 1000:
            return True, None
        return False, f"DELETE {endpoint.url} answered HTTP {response.status}"

    async def reissue_token_a(self, platform_id: int) -> str:
        """A new token A for a platform that is not registered (e.g. after it unregistered)."""
        token = new_token()
        async with self.db.write() as conn:
            platform = await store.lock_platform(conn, platform_id)
            if platform is None:
                raise NotFound(f"no platform with id {platform_id}")
            if platform.status is PlatformStatus.REGISTERED:
                raise MethodNotAllowed(
                    f"platform {platform.name} is registered; a token A is only issued to a "
                    "platform that is not"
                )
            await store.revoke_tokens(conn, platform_id, ("A",))
            await store.add_token(conn, platform_id, token, "A")
        return token
