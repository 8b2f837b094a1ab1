"""Hypothesis properties of the 2.1.1 translators.

- Every valid 2.1.1 object survives UP then DOWN unchanged, with an empty loss report, and its
  UP output is valid 2.3.0.
- Every valid 2.3.0 object goes DOWN to valid 2.1.1 without the hub-private key, or raises
  MissingContext (nothing else), and comes back UP as valid 2.3.0.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ocpihub.ocpi.fields import dump, parse
from ocpihub.translate import MissingContext
from ocpihub.translate.v2_1_1 import DOWN, UP
from tests.unit.ocpi import strategies_v2_1_1 as s211
from tests.unit.ocpi import strategies_v2_3_0 as s230
from tests.unit.translate.test_v2_1_1_support import (
    MODELS_211,
    MODELS_230,
    canonical_only,
    context,
    stored_location,
    token,
)

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


class _Registry:
    """An enum registry that knows the strategies' custom module id."""

    def accepts(self, enum_name: str, value: str) -> bool:
        return enum_name == "ModuleID" and value == "nltnm-tokens"


@st.composite
def _with_evse(draw: st.DrawFn, full: Any) -> dict[str, Any]:
    """A 2.1.1 Session/CDR whose embedded Location has the EVSE in use (the spec demands it)."""
    body: dict[str, Any] = draw(full)
    location = body.get("location")
    if isinstance(location, dict) and not location.get("evses"):
        location["evses"] = [draw(s211.evses())]
    return body


def _session_patches() -> Any:
    return s211.patch_of(lambda: _with_evse(s211.sessions()))()


VALID_211: dict[str, Any] = {
    **{name: factory() for name, factory in s211.VALID.items()},
    "Session": _with_evse(s211.sessions()),
    "SessionPatch": _session_patches(),
    "CDR": _with_evse(s211.cdrs()),
    "CommandResult": s211.command_responses(),
}

VALID_230: dict[str, Any] = {
    "Location": s230.locations(),
    "EVSE": s230.evses(),
    "Connector": s230.connectors(),
    "LocationPatch": s230.location_patches(),
    "EVSEPatch": s230.evse_patches(),
    "ConnectorPatch": s230.connector_patches(),
    "Session": s230.sessions(),
    "SessionPatch": s230.session_patches(),
    "CDR": s230.cdrs(),
    "Tariff": s230.tariffs(),
    "TariffPatch": s230.patch_of(s230.tariffs)(),
    "Token": s230.tokens(),
    "TokenPatch": s230.token_patches(),
    "AuthorizationInfo": s230.authorization_infos(),
    "LocationReferences": s230.location_references(),
    "StartSession": s230.start_sessions(),
    "StopSession": s230.stop_sessions(),
    "ReserveNow": s230.reserve_nows(),
    "UnlockConnector": s230.unlock_connectors(),
    "CommandResponse": s230.command_responses(),
    "CommandResult": s230.command_results(),
    "Credentials": s230.credentials(),
    "Version": s230.versions(),
    "VersionDetails": s230.version_details(),
}


def test_every_translator_has_properties() -> None:
    """Both property tables cover exactly the names of both translator tables."""
    assert set(VALID_211) == set(UP) == set(DOWN) == set(VALID_230)


@pytest.mark.parametrize("name", sorted(VALID_211))
def test_2_1_1_objects_survive_up_and_down_unchanged(name: str) -> None:
    """A valid 2.1.1 object goes up to valid 2.3.0 and comes back down exactly, losing nothing."""
    ctx = context(enums=_Registry(), token_by_uid=token)

    @SETTINGS
    @given(VALID_211[name])
    def check(data: dict[str, Any]) -> None:
        wire = dump(parse(MODELS_211[name], data))
        doc = UP[name](wire, ctx)
        parse(MODELS_230[name], canonical_only(doc), enums=ctx.enums)
        back, report = DOWN[name](doc, ctx)
        assert report.as_json() == []
        assert back == wire

    check()


def test_custom_modules_are_kept_as_legacy_without_a_registry() -> None:
    """Without a registry, a 2.1.1 custom module leaves canonical details yet comes back down."""
    ctx = context(token_by_uid=token)

    @SETTINGS
    @given(VALID_211["VersionDetails"])
    def check(data: dict[str, Any]) -> None:
        wire = dump(parse(MODELS_211["VersionDetails"], data))
        if all(e["identifier"] == "nltnm-tokens" for e in wire["endpoints"]):
            return  # refused with 2001 (tested in the rules)
        doc = UP["VersionDetails"](wire, ctx)
        parse(MODELS_230["VersionDetails"], canonical_only(doc))
        back, report = DOWN["VersionDetails"](doc, ctx)
        assert (back, report.as_json()) == (wire, [])

    check()


def _context_for(doc: dict[str, Any]) -> Any:
    """A context whose stored Location has the EVSE and connector ``doc`` names."""
    location = stored_location()
    evse = dict(location["evses"][0])
    connector = dict(evse["connectors"][0])
    connector["id"] = doc.get("connector_id", connector["id"])
    evse["uid"] = doc.get("evse_uid", evse["uid"])
    evse["connectors"] = [connector]
    location["evses"] = [evse]
    location["id"] = doc.get("location_id", location["id"])
    return dataclasses.replace(context(token_by_uid=token), location_by_id=lambda i: location)


@pytest.mark.parametrize("name", sorted(VALID_230))
def test_2_3_0_objects_go_down_to_valid_2_1_1(name: str) -> None:
    """A valid 2.3.0 object goes down to valid 2.1.1 (or MissingContext) and up to 2.3.0."""

    @SETTINGS
    @given(VALID_230[name])
    def check(data: dict[str, Any]) -> None:
        doc = dump(parse(MODELS_230[name], data))
        ctx = _context_for(doc)
        try:
            out, _ = DOWN[name](doc, ctx)
        except MissingContext:
            return
        assert "_ocpihub" not in out
        assert dump(parse(MODELS_211[name], out)) == out
        parse(MODELS_230[name], canonical_only(UP[name](out, ctx)))

    check()
