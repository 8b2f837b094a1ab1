"""Hub-initiated registration: the hub registers with a partner (DESIGN rule 1, digest §2).

Given the partner's versions URL and the token A its operator gave, the hub discovers the
partner, issues a token for it, POSTs the hub's credentials and stores the partner's answer
through the registrar (``hub/registration.py``, the same write transaction as a handshake the
partner starts). The partner calls the hub back with the new token before it answers, so that
token is accepted for registration only while the POST is in flight, and is withdrawn if the
handshake fails; a registration the partner completed but the hub could not is undone at the
partner with a DELETE (best effort).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import structlog

from ocpihub.errors import InvalidParameters, NotFound, OcpiError, UnableToUseClientApi
from ocpihub.hub.credentials import (
    PartnerCredentials,
    credentials_answer,
    read_credentials,
    role_missing_211,
)
from ocpihub.hub.discovery import Discovered, check_usable, discover
from ocpihub.hub.platforms import new_token
from ocpihub.model.parties import DeclaredRole, Platform
from ocpihub.ocpi.headers import CORRELATION_ID, new_id
from ocpihub.ocpi.version import ocpi_version
from ocpihub.outbound.client import PartnerAuth, PartnerClient
from ocpihub.store import platforms as store

if TYPE_CHECKING:
    from ocpihub.hub.registration import Registrar

__all__ = ["register_with"]

log = structlog.get_logger("ocpihub.registration")


def _token_a(token: str) -> str:
    """The token A as given, without surrounding whitespace; 2001 unless it is 1 to 64
    printable ASCII characters."""
    token = token.strip()
    if not token or len(token) > 64 or any(not 0x21 <= ord(c) <= 0x7E for c in token):
        raise InvalidParameters(
            "token: 1 to 64 printable ASCII characters without whitespace are required"
        )
    return token


async def register_with(
    registrar: Registrar, platform_id: int, versions_url: str, token: str
) -> Platform:
    """Register the hub with the platform ``platform_id`` at ``versions_url`` with its token A;
    the platform as registered."""
    token = _token_a(token)
    async with registrar.db.read() as conn:
        platform = await store.get_platform(conn, platform_id)
    if platform is None:
        raise NotFound(f"no platform with id {platform_id}")
    registrar.check_status(platform, update=False)
    chain = new_id()  # one correlation id for the whole handshake
    found = await _discover(registrar, platform, versions_url, token, chain)
    credentials_url = next(e.url for e in found.endpoints if e.identifier == "credentials")
    token_b = new_token()
    async with registrar.db.write() as conn:
        # accepted on versions and credentials only while the partner calls back
        await store.add_token(conn, platform.id, token_b, "A")
    try:
        creds = await _post_credentials(
            registrar, platform, found, credentials_url, token, token_b, chain
        )
        try:
            await registrar.verify_claims(platform, found.version, creds.parties)
            check_usable(found.endpoints, [p.role for p in creds.parties])
            await registrar.record_handshake(
                platform,
                found,
                creds,
                inbound_token=token_b,
                update=False,
                versions_url=versions_url,
            )
        except OcpiError:
            await _tell_unregistered(
                registrar.client, platform, credentials_url, creds.token, found, chain
            )
            raise
    except BaseException:
        async with registrar.db.write() as conn:
            await store.remove_token(conn, token_b)
        raise
    async with registrar.db.read() as conn:
        done = await store.get_platform(conn, platform.id)
    assert done is not None
    return done


async def _discover(
    registrar: Registrar, platform: Platform, versions_url: str, token: str, chain: str
) -> Discovered:
    """The partner's version and endpoints, read with its token A; refused (3003, or 2001 for
    a 2.1.1 partner without declared roles) unless the hub can use them."""
    declared = platform.declared_roles
    found = await discover(
        registrar.client,
        versions_url,
        token=token,
        encoding=platform.token_encoding,
        allow_private=registrar.settings.allow_private_addresses,
        correlation_id=chain,
        party_roles=[d.role for d in declared],
    )
    if not ocpi_version(found.version).has_roles and not declared:
        raise role_missing_211()
    check_usable(found.endpoints, [d.role for d in declared])
    return found


async def _post_credentials(
    registrar: Registrar,
    platform: Platform,
    found: Discovered,
    url: str,
    token_a: str,
    token_b: str,
    chain: str,
) -> PartnerCredentials:
    """POST the hub's credentials (with ``token_b`` for the partner) and read the partner's."""
    declared: Sequence[DeclaredRole] = platform.declared_roles
    body = await registrar.credentials_for(
        found.version, token_b, [(d.country_code, d.party_id) for d in declared]
    )
    client = registrar.client
    try:
        response = await client.request(
            "POST",
            url,
            auth=PartnerAuth.for_version(token_a, platform.token_encoding, found.version),
            json=body,
            headers={CORRELATION_ID: chain},
        )
    except OcpiError as exc:
        raise UnableToUseClientApi(f"POST {url}: {exc.message}") from None
    if response.status != 200 or response.ocpi_status != 1000:
        detail = response.json()
        message = detail.get("status_message") if isinstance(detail, dict) else None
        raise UnableToUseClientApi(
            f"POST {url} answered HTTP {response.status}, status_code "
            f"{response.ocpi_status}" + (f": {message}" if message else "")
        )
    try:
        data = credentials_answer(platform, response.data, client.tolerations)
        return read_credentials(found.version, data, declared=declared)
    except InvalidParameters as exc:
        raise UnableToUseClientApi(
            f"the partner's credentials answer is not valid: {exc.message}"
        ) from None


async def _tell_unregistered(
    client: PartnerClient,
    platform: Platform,
    url: str,
    their_token: str,
    found: Discovered,
    chain: str,
) -> None:
    """Best effort: undo a partner-side registration the hub could not complete."""
    try:
        await client.request(
            "DELETE",
            url,
            auth=PartnerAuth.for_version(their_token, platform.token_encoding, found.version),
            headers={CORRELATION_ID: chain},
        )
    except OcpiError as exc:
        log.warning("unregister_after_failure_failed", platform=platform.name, error=exc.message)
