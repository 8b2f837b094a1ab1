"""Shared fixtures of the 2.1.1 translator tests (no tests here).

:class:`Ctx` is a :class:`~ocpihub.translate.TranslationContext` with the two facts the 2.1.1
translators read but the context does not carry yet: the partner's ``role`` (Credentials,
VersionDetails) and the ``token`` an AuthorizationInfo answers for. :func:`context` builds one
that knows the spec examples' stored Location ``LOC1`` and their tokens.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ocpihub.ocpi import v2_1_1, v2_3_0
from ocpihub.ocpi.fields import OcpiModel, dump, parse, partial_model
from ocpihub.translate import TranslationContext
from tests.examples import load_example

Json = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Ctx(TranslationContext):
    """A translation context plus the partner's 2.1.1 role and the token asked about."""

    role: str | None = None
    token: Json | None = None


def token(uid: str, contract_id: str | None = None, cc: str = "DE", pid: str = "MSP") -> Json:
    """A canonical Token as the token cache holds it."""
    return {
        "country_code": cc,
        "party_id": pid,
        "uid": uid,
        "type": "RFID",
        "contract_id": contract_id or uid,
        "issuer": "Test eMSP",
        "valid": True,
        "whitelist": "ALLOWED",
        "last_updated": "2024-01-01T00:00:00Z",
    }


def stored_location() -> Json:
    """The spec's ``location_example.json`` (LOC1), with EVSE parking as objects (§7 item 6)."""
    data = load_example("2.3.0", "location_example.json")
    for evse in data["evses"]:
        evse["parking"] = [{"parking_id": p} for p in evse.get("parking", [])]
    return dump(parse(v2_3_0.MODELS["Location"], data))


_TOKENS = {
    "NL-TST-C12345678-S": token("123abc", "NL-TST-C12345678-S", "NL", "TST"),
    "DE8ACC12E46L89": token("012345678", "DE8ACC12E46L89", "DE", "TNM"),
}


def context(**changes: Any) -> Ctx:
    """A context that knows LOC1, the examples' tokens, an owner, a time zone and a role."""
    location = stored_location()
    values: dict[str, Any] = {
        "country_code": "NL",
        "party_id": "CPO",
        "time_zone": "Europe/Amsterdam",
        "token_by_uid": _TOKENS.get,
        "location_by_id": lambda i: location if i == location["id"] else None,
        "role": "CPO",
        "token": token("012345678"),
    }
    values.update(changes)
    return Ctx(**values)


MODELS_230: dict[str, type[OcpiModel]] = {
    **v2_3_0.MODELS,
    # 2.3.0 has no tariff PATCH: a 2.1.1 one goes up to a partial Tariff
    "TariffPatch": partial_model(v2_3_0.tariffs.Tariff, required=["last_updated"]),
}
"""The 2.3.0 model of each translator name."""

MODELS_211: dict[str, type[OcpiModel]] = {
    **v2_1_1.MODELS,
    # the async result travels as a 2.1.1 CommandResponse (digest §7 item 15)
    "CommandResult": v2_1_1.MODELS["CommandResponse"],
}
"""The 2.1.1 model of each translator name."""


def canonical_only(doc: Json) -> Json:
    """``doc`` without the hub-private key, as 2.3.0 egress sends it."""
    return {k: v for k, v in doc.items() if k != "_ocpihub"}
