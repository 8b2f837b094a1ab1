"""Credentials objects per version, both directions (pure: no HTTP, no SQL).

A partner's credentials are read into one neutral :class:`PartnerCredentials` (token, versions
URL, claimed parties); the hub's own answer is built per version (digest §2 "What the hub returns
in credentials"):

- 2.1.1: the hub's own identity (``country_code``/``party_id``/``business_details``);
- 2.2.1: exactly one role, ``HUB``, with the hub's identity;
- 2.3.0: ``hub_party_id`` (cc+pid) and ``roles``: the hub itself as ``OTHER`` first (2.3.0 has
  no ``HUB`` role, and ``roles`` may not be empty — open point (a)), then every party reachable
  through an ACTIVE agreement with one of the partner's parties (:func:`reachable_parties`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from ocpihub.errors import InvalidParameters
from ocpihub.hub.agreements import partners
from ocpihub.model.agreements import Agreement
from ocpihub.model.parties import DeclaredRole, Party, Platform
from ocpihub.ocpi.fields import dump, parse
from ocpihub.ocpi.registry import model
from ocpihub.ocpi.tolerant import unwrap_single
from ocpihub.ocpi.version import ocpi_version
from ocpihub.tolerations import LIST_WRAPPED, Tolerations

__all__ = [
    "ClaimedParty",
    "HubIdentity",
    "PartnerCredentials",
    "credentials_answer",
    "hub_credentials",
    "reachable_parties",
    "read_credentials",
    "role_missing_211",
]


@dataclass(frozen=True, slots=True)
class ClaimedParty:
    """One party a platform says it hosts."""

    role: str
    country_code: str
    party_id: str
    business_details: dict[str, Any]

    @property
    def key(self) -> tuple[str, str, str]:
        """(role, country_code, party_id), upper case: how parties are compared."""
        return (self.role.upper(), self.country_code.upper(), self.party_id.upper())


@dataclass(frozen=True, slots=True)
class PartnerCredentials:
    """A partner's credentials in any version: the token the hub will send, where, and who."""

    token: str
    url: str
    parties: tuple[ClaimedParty, ...]


@dataclass(frozen=True, slots=True)
class HubIdentity:
    """Who the hub says it is in credentials."""

    country_code: str
    party_id: str
    name: str
    website: str | None = None

    @property
    def business_details(self) -> dict[str, Any]:
        """The BusinessDetails object (the same shape in every version)."""
        out: dict[str, Any] = {"name": self.name}
        if self.website:
            out["website"] = self.website
        return out


def role_missing_211() -> InvalidParameters:
    """The refusal of a 2.1.1 platform whose role the operator did not declare."""
    return InvalidParameters(
        "OCPI 2.1.1 credentials carry no role: the hub operator must declare this "
        "platform's role (ocpihub platform add NAME --role ROLE:CC:PID, or 'roles' in "
        "POST /admin/api/platforms) before it can register"
    )


def _role_211(cc: str, pid: str, declared: Sequence[DeclaredRole]) -> str:
    """The role of a 2.1.1 party: 2.1.1 credentials carry none, the operator declares it."""
    if not declared:
        raise role_missing_211()
    matching = {d.role for d in declared if (d.country_code, d.party_id) == (cc, pid)}
    if len(matching) > 1:
        raise InvalidParameters(
            f"{cc}-{pid} is declared with several roles ({', '.join(sorted(matching))}); a "
            "2.1.1 connection hosts exactly one party with one role"
        )
    if not matching:
        # the claims check names the mismatch against the declared parties
        return declared[0].role
    return matching.pop()


def _declared_ptp(role: str, cc: str, pid: str, declared: Sequence[DeclaredRole]) -> str:
    """The role a 2.2+ claim stands for: ``OTHER`` is a PTP where the operator declared one.

    Neither 2.2.1 nor 2.3.0 has a ``PTP`` role value, so a Payment Terminal Provider can only
    claim ``OTHER``; the operator's declaration (``--role PTP:CC:PID``) says what it is.
    """
    if role != "OTHER":
        return role
    here = {d.role for d in declared if (d.country_code, d.party_id) == (cc, pid)}
    return "PTP" if "PTP" in here and "OTHER" not in here else role


def credentials_answer(platform: Platform, data: object, tolerations: Tolerations | None) -> object:
    """The credentials object of a partner's answer: ``data``, or the one object of a
    one-element list from a partner whose profile accepts list-wrapped objects (counted)."""
    one = unwrap_single(data) if platform.profile.accept_list_wrapped else None
    if one is None:
        return data
    if tolerations is not None:
        tolerations.used(platform, LIST_WRAPPED, "Credentials", "data")
    return one


def read_credentials(
    version: str, body: object, *, declared: Sequence[DeclaredRole] = ()
) -> PartnerCredentials:
    """A partner's credentials body in ``version`` (2001 naming every bad field)."""
    data = dump(parse(model(version, "Credentials"), body))
    if not ocpi_version(version).has_roles:
        cc, pid = str(data["country_code"]).upper(), str(data["party_id"]).upper()
        party = ClaimedParty(_role_211(cc, pid, declared), cc, pid, data["business_details"])
        return PartnerCredentials(data["token"], data["url"], (party,))
    claimed = tuple(_claimed(role, declared) for role in data["roles"])
    if len({p.key for p in claimed}) != len(claimed):
        raise InvalidParameters("roles: the same (role, country_code, party_id) is listed twice")
    return PartnerCredentials(data["token"], data["url"], claimed)


def _claimed(role: dict[str, Any], declared: Sequence[DeclaredRole]) -> ClaimedParty:
    """One entry of 2.2+ credentials ``roles``."""
    cc, pid = str(role["country_code"]).upper(), str(role["party_id"]).upper()
    kind = _declared_ptp(str(role["role"]), cc, pid, declared)
    return ClaimedParty(kind, cc, pid, role["business_details"])


def reachable_parties(
    own: Iterable[tuple[str, str]], agreements: Iterable[Agreement], parties: Iterable[Party]
) -> list[Party]:
    """The parties a platform hosting ``own`` parties can reach through ACTIVE agreements.

    Every role of a reachable (country_code, party_id) is listed, in the order of ``parties``;
    the platform's own parties are never in the answer.
    """
    mine = set(own)
    agreed = list(agreements)
    reach: set[tuple[str, str]] = set()
    for party in mine:
        reach |= partners(agreed, party)
    reach -= mine
    return [p for p in parties if (p.country_code, p.party_id) in reach]


def hub_credentials(
    version: str,
    *,
    token: str,
    versions_url: str,
    hub: HubIdentity,
    reachable: Iterable[Party] = (),
) -> dict[str, Any]:
    """The hub's credentials object for a partner on ``version`` (``token``: what it sends us)."""
    speaks = ocpi_version(version)
    if not speaks.has_roles:
        return {
            "token": token,
            "url": versions_url,
            "business_details": hub.business_details,
            "party_id": hub.party_id,
            "country_code": hub.country_code,
        }
    own_role = "HUB" if speaks.has_hub_role else "OTHER"
    roles: list[dict[str, Any]] = [
        {
            "role": own_role,
            "business_details": hub.business_details,
            "party_id": hub.party_id,
            "country_code": hub.country_code,
        }
    ]
    out: dict[str, Any] = {"token": token, "url": versions_url}
    if speaks.has_hub_party_id:
        out["hub_party_id"] = hub.country_code + hub.party_id
        seen = {(own_role, hub.country_code, hub.party_id)}
        for party in reachable:
            role = "OTHER" if party.role in ("HUB", "PTP") else party.role
            if (role, party.country_code, party.party_id) in seen:
                continue
            seen.add((role, party.country_code, party.party_id))
            roles.append(
                {
                    "role": role,
                    "business_details": party.business_details
                    or {"name": f"{party.country_code}-{party.party_id}"},
                    "party_id": party.party_id,
                    "country_code": party.country_code,
                }
            )
    out["roles"] = roles
    return out
