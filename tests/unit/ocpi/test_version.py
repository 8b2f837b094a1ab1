"""Version capabilities: declared once, and true of each version's wire models."""

from __future__ import annotations

import dataclasses
import importlib
from enum import Enum
from typing import Any

import pytest

from ocpihub.ocpi.modules import SUPPORTED_VERSIONS, ModuleId, modules_of
from ocpihub.ocpi.registry import model, models
from ocpihub.ocpi.version import NEWEST, OLDEST, VERSIONS, OcpiVersion, TokenForm, ocpi_version


def fields(version: str, name: str) -> set[str]:
    return set(model(version, name).model_fields)


def enum_values(version: str, name: str) -> set[str] | None:
    enums = importlib.import_module(f"ocpihub.ocpi.v{version.replace('.', '_')}.enums")
    found: Any = getattr(enums, name, None)
    return {item.value for item in found} if found is not None else None


def test_one_version_object_per_supported_version_in_order() -> None:
    """VERSIONS are the supported versions oldest first; the lookup finds each, and nothing
    else."""
    assert tuple(v.number for v in VERSIONS) == SUPPORTED_VERSIONS
    assert [ocpi_version(n) for n in SUPPORTED_VERSIONS] == list(VERSIONS)
    assert (OLDEST.number, NEWEST.number) == (SUPPORTED_VERSIONS[0], SUPPORTED_VERSIONS[-1])
    for unknown in ("2.2", "2.1.10", ""):
        with pytest.raises(ValueError, match="not a version the hub speaks"):
            ocpi_version(unknown)


def test_versions_order_by_number() -> None:
    """Versions compare by number, numerically (2.1.10 would sort after 2.1.9)."""
    assert sorted(reversed(VERSIONS)) == list(VERSIONS)
    assert OLDEST < NEWEST and max(VERSIONS) is NEWEST
    assert OcpiVersion("2.1.10") > OcpiVersion("2.1.9")
    assert OcpiVersion("2.2.1") == ocpi_version("2.2.1")
    assert len({*VERSIONS, OcpiVersion("2.3.0")}) == len(VERSIONS)
    assert str(NEWEST) == NEWEST.number


@pytest.mark.parametrize("version", SUPPORTED_VERSIONS)
def test_module_capabilities_come_from_the_module_table(version: str) -> None:
    """has_charging_profiles / has_hub_client_info / has_payments / offers say what the table
    says."""
    v = ocpi_version(version)
    present = {m.id for m in modules_of(version)}
    assert v.has_charging_profiles is (ModuleId.CHARGING_PROFILES in present)
    assert v.has_hub_client_info is (ModuleId.HUB_CLIENT_INFO in present)
    assert v.has_payments is (ModuleId.PAYMENTS in present)
    assert all(v.offers(m) for m in present)
    assert not v.offers("parking")


@pytest.mark.parametrize("version", SUPPORTED_VERSIONS)
def test_party_capabilities_match_the_wire(version: str) -> None:
    """has_roles: credentials list roles, endpoints and objects name theirs; the hub's own
    role HUB and hub_party_id exist exactly where the models have them."""
    v = ocpi_version(version)
    assert ("roles" in fields(version, "Credentials")) is v.has_roles
    assert ("country_code" in fields(version, "Location")) is v.has_roles
    endpoint = importlib.import_module(f"ocpihub.ocpi.v{version.replace('.', '_')}.versions")
    assert ("role" in endpoint.Endpoint.model_fields) is v.has_roles
    assert ("HUB" in (enum_values(version, "Role") or set())) is v.has_hub_role
    assert ("hub_party_id" in fields(version, "Credentials")) is v.has_hub_party_id


@pytest.mark.parametrize("version", SUPPORTED_VERSIONS)
def test_token_capabilities_match_the_wire(version: str) -> None:
    """token_types is the wire TokenType of a closed enum, None where the type is open; the
    token form is plain exactly where URLs carry no token type (2.1.1)."""
    v = ocpi_version(version)
    annotation = model(version, "Token").model_fields["type"].annotation
    closed = isinstance(annotation, type) and issubclass(annotation, Enum)
    assert (v.token_types is not None) is closed
    if v.token_types is not None:
        assert v.token_types == enum_values(version, "TokenType")
    assert (v.token_form is TokenForm.PLAIN) is (not v.typed_token_urls)
    assert ("token" in fields(version, "AuthorizationInfo")) is v.authorization_has_token


@pytest.mark.parametrize("version", SUPPORTED_VERSIONS)
def test_session_and_command_capabilities_match_the_wire(version: str) -> None:
    """CdrToken or auth_id, an embedded Location, charging preferences, CANCEL_RESERVATION,
    CommandResult, a CommandResponse timeout and the tariff PATCH body follow the models."""
    v = ocpi_version(version)
    every = models(version)
    for name in ("Session", "CDR"):
        assert ("cdr_token" in fields(version, name)) is v.has_cdr_token
        assert ("auth_id" in fields(version, name)) is not v.has_cdr_token
        assert ("location" in fields(version, name)) is v.embeds_location
    assert ("ChargingPreferences" in every) is v.has_charging_preferences
    assert ("CANCEL_RESERVATION" in (enum_values(version, "CommandType") or set())) is (
        v.has_cancel_reservation
    )
    assert ("CommandResult" in every) is v.has_command_result
    assert ("timeout" in fields(version, "CommandResponse")) is v.has_command_timeout
    assert ("TariffPatch" in every) is v.patches_tariffs


def test_the_newest_version_has_every_capability_the_older_ones_gained() -> None:
    """The defaults are the newest version's: it states no difference of its own."""
    default = OcpiVersion(NEWEST.number)
    assert all(
        getattr(NEWEST, f.name) == getattr(default, f.name) for f in dataclasses.fields(NEWEST)
    )
    assert NEWEST.has_roles and NEWEST.token_form is TokenForm.BASE64
    assert NEWEST.has_hub_status_codes and not OLDEST.has_hub_status_codes
