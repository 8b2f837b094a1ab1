"""Finding out what a partner offers: its versions, the version to use, and its endpoints.

The pure rules (:func:`choose_version`, :func:`read_endpoints`, :func:`check_usable`) decide;
:func:`discover` carries them out over the :class:`~ocpihub.outbound.client.PartnerClient`.

Versions and details are read leniently on purpose: a partner that lists a version or a custom
module the hub does not know is not refused for it (those entries are skipped); what the hub
needs must be well-formed, or the handshake fails with 3001.

"Usable" endpoints (3003, digest §2 and §6): the partner must publish ``credentials`` (the hub
needs it for PUT updates and DELETE), and for every party it claims at least one interface that
parties of that role offer (:data:`ROLE_INTERFACES`). Only endpoints of modules the hub knows in
the chosen version are stored: they are the only places the hub ever sends anything.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ocpihub.errors import (
    NoMatchingEndpoints,
    OcpiError,
    UnableToUseClientApi,
    UnsupportedVersion,
)
from ocpihub.model.parties import Endpoint, TokenEncoding
from ocpihub.ocpi.headers import CORRELATION_ID
from ocpihub.ocpi.modules import (
    SUPPORTED_VERSIONS,
    ModuleId,
    configuration_modules,
    hub_interface_for_211,
    module_for_identifier,
    offers,
    usable_interfaces,
)
from ocpihub.ocpi.version import ocpi_version
from ocpihub.ocpi.versions import parse_version
from ocpihub.outbound.client import OutboundResponse, PartnerAuth, PartnerClient
from ocpihub.outbound.urls import check_partner_url

__all__ = [
    "ROLE_INTERFACES",
    "Discovered",
    "check_usable",
    "choose_version",
    "discover",
    "read_endpoints",
    "read_versions",
]

_S, _R = "SENDER", "RECEIVER"

ROLE_INTERFACES: dict[str, frozenset[tuple[str, str]]] = usable_interfaces()
"""Interfaces (module, interface role) that make a party of a role usable (digest §6), from the
module table. A role not listed (OTHER) is usable with any functional-module interface.
"""

_NOT_FUNCTIONAL = configuration_modules()


@dataclass(frozen=True, slots=True)
class Discovered:
    """What the hub learned from a partner: the version, its details URL and its endpoints."""

    version: str
    details_url: str
    endpoints: tuple[Endpoint, ...]


def read_versions(data: object) -> dict[str, str]:
    """A partner's versions list as ``{version: details URL}``; unknown entries are skipped."""
    if not isinstance(data, list):
        raise UnableToUseClientApi("the partner's versions endpoint did not answer a list")
    out: dict[str, str] = {}
    for item in data:
        if not isinstance(item, dict):
            continue
        version, url = item.get("version"), item.get("url")
        if isinstance(version, str) and isinstance(url, str) and version not in out:
            out[version] = url
    return out


def choose_version(theirs: Iterable[str], ours: Sequence[str] = SUPPORTED_VERSIONS) -> str:
    """The highest version both sides speak; 3002 naming both lists when there is none."""
    offered = list(theirs)
    common = set(offered) & set(ours)
    if not common:
        raise UnsupportedVersion(
            f"no common OCPI version: the partner offers {', '.join(offered) or 'none'}, "
            f"the hub speaks {', '.join(ours)}"
        )
    return max(common, key=parse_version)


def read_endpoints(
    version: str, data: object, *, party_roles: Iterable[str] = ()
) -> tuple[Endpoint, ...]:
    """The endpoints of a version-details document that the hub keeps, in the given order.

    Only modules the hub knows in ``version`` are kept. 2.1.1 endpoints have no interface role:
    it follows from the platform's single party role (a CPO's ``locations`` is a Sender).
    ``credentials`` is kept with role SENDER whatever the partner wrote (digest §1.1).
    """
    if not isinstance(data, dict) or not isinstance(data.get("endpoints"), list):
        raise UnableToUseClientApi("the partner's version details have no endpoints list")
    roles = list(party_roles)
    out: list[Endpoint] = []
    seen: set[tuple[str, str]] = set()
    for item in data["endpoints"]:
        if not isinstance(item, dict):
            continue
        ident, url = item.get("identifier"), item.get("url")
        if not isinstance(ident, str) or not isinstance(url, str):
            continue
        entry = module_for_identifier(ident)
        if entry is None or not offers(version, entry.id):
            continue
        ident = entry.id.value
        if ident == ModuleId.CREDENTIALS.value:
            interfaces = [_S]
        elif not ocpi_version(version).has_roles:
            hub_sides = {hub_interface_for_211(ident, r) for r in roles}
            # the partner implements the interface opposite to the one the hub offers it
            interfaces = sorted({_R if s is not None and s.value == _S else _S for s in hub_sides})
        else:
            role = item.get("role")
            if role not in (_S, _R):
                continue
            interfaces = [str(role)]
        for interface in interfaces:
            if (ident, interface) not in seen:
                seen.add((ident, interface))
                out.append(Endpoint(ident, interface, url))
    return tuple(out)


def check_usable(endpoints: Iterable[Endpoint], party_roles: Iterable[str]) -> None:
    """3003 unless ``credentials`` is published and every party role has a usable interface."""
    have = {(e.identifier, e.role) for e in endpoints}
    if not any(ident == ModuleId.CREDENTIALS.value for ident, _ in have):
        raise NoMatchingEndpoints("the partner's version details do not list 'credentials'")
    functional = {(i, r) for i, r in have if i not in _NOT_FUNCTIONAL}
    for role in dict.fromkeys(r.upper() for r in party_roles):
        wanted = ROLE_INTERFACES.get(role)
        usable = functional if wanted is None else functional & wanted
        if not usable:
            expected = (
                "any functional module"
                if wanted is None
                else ", ".join(f"{m} {r}" for m, r in sorted(wanted))
            )
            raise NoMatchingEndpoints(
                f"no usable endpoints for role {role}: the hub expects at least one of {expected}"
            )


def _envelope_data(response: OutboundResponse, what: str) -> object:
    if response.status != 200:
        raise UnableToUseClientApi(f"{what} answered HTTP {response.status}")
    if response.ocpi_status != 1000:
        shown = response.ocpi_status if response.ocpi_status is not None else "no OCPI envelope"
        raise UnableToUseClientApi(f"{what} answered status_code {shown}")
    return response.data


async def _get(
    client: PartnerClient, url: str, *, auth: PartnerAuth, correlation_id: str, what: str
) -> OutboundResponse:
    try:
        return await client.request("GET", url, auth=auth, headers={CORRELATION_ID: correlation_id})
    except OcpiError as exc:  # 4002/4003 from the client: the hub could not use the partner
        raise UnableToUseClientApi(f"{what}: {exc.message}") from None


async def _versions(
    client: PartnerClient, url: str, attempts: list[PartnerAuth], correlation_id: str
) -> dict[str, str]:
    """The partner's versions list, trying the token forms in order while it answers 401."""
    response: OutboundResponse | None = None
    for auth in attempts:
        response = await _get(
            client, url, auth=auth, correlation_id=correlation_id, what=f"GET {url}"
        )
        if response.status != 401:
            break
    assert response is not None
    return read_versions(_envelope_data(response, f"GET {url}"))


async def discover(
    client: PartnerClient,
    versions_url: str,
    *,
    token: str,
    encoding: TokenEncoding,
    allow_private: bool,
    correlation_id: str,
    version: str | None = None,
    party_roles: Iterable[str] = (),
) -> Discovered:
    """Fetch versions and details with the partner's ``token``; what was found.

    ``version`` given (platform-initiated: the version of the credentials URL the partner
    used) must be offered by the partner, else 3002; without it the highest common version is
    chosen. The token's form: with ``version`` known, that version's (or ``encoding``'s
    explicit) form from the first call; otherwise only the versions GET may try both forms
    (Base64, then plain after a 401), and the details GET uses the chosen version's form
    (digest §1.2). Every call of one discovery carries ``correlation_id``.
    """
    check_partner_url(versions_url, allow_private=allow_private, field="url")
    if version is not None:
        attempts = [PartnerAuth.for_version(token, encoding, version)]
    else:
        attempts = PartnerAuth.before_version(token, encoding)
    offered = await _versions(client, versions_url, attempts, correlation_id)
    if version is None:
        chosen = choose_version(offered)
    elif version not in offered:
        raise UnsupportedVersion(
            f"the credentials were sent to the hub's {version} endpoint, but the partner's "
            f"versions list offers {', '.join(offered) or 'nothing'}"
        )
    else:
        chosen = version
    details_url = check_partner_url(
        offered[chosen], allow_private=allow_private, field=f"versions[{chosen}].url"
    )
    details = await _get(
        client,
        details_url,
        auth=PartnerAuth.for_version(token, encoding, chosen),
        correlation_id=correlation_id,
        what=f"GET {details_url}",
    )
    roles = list(party_roles)
    endpoints = read_endpoints(
        chosen, _envelope_data(details, f"GET {details_url}"), party_roles=roles
    )
    for endpoint in endpoints:
        try:
            check_partner_url(endpoint.url, allow_private=allow_private, field=endpoint.identifier)
        except OcpiError as exc:
            raise UnableToUseClientApi(f"endpoint {exc.message}") from None
    return Discovered(chosen, details_url, endpoints)
