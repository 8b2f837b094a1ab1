"""The spec's own 2.2.1 JSON examples parse into the 2.2.1 wire models and dump back unchanged.

Which model each file holds follows the table in ``tests/fixtures/ocpi-examples/README.md``.
Files that are wrong because of a spec bug are refused with an exact 2001 message instead.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from ocpihub.errors import InvalidParameters
from ocpihub.ocpi.fields import OcpiModel, dump, parse
from ocpihub.ocpi.v2_2_1.cdrs import CDR
from ocpihub.ocpi.v2_2_1.common import DisplayText
from ocpihub.ocpi.v2_2_1.credentials import Credentials
from ocpihub.ocpi.v2_2_1.locations import (
    EVSE,
    ConnectorPatch,
    EnergyMix,
    EVSEPatch,
    Hours,
    Location,
    LocationPatch,
)
from ocpihub.ocpi.v2_2_1.sessions import Session, SessionPatch
from ocpihub.ocpi.v2_2_1.tariffs import Tariff
from ocpihub.ocpi.v2_2_1.tokens import Token, TokenPatch
from ocpihub.ocpi.v2_2_1.versions import Version, VersionDetails
from tests.examples import example_files, load_example

EDITION = "2.2.1"


def _whole(data: Any) -> list[Any]:
    return [data]


def _field(name: str) -> Callable[[Any], list[Any]]:
    return lambda data: [data[name]]


def _envelope(data: Any) -> list[Any]:
    inner = data["data"]
    return inner if isinstance(inner, list) else [inner]


def _items(data: Any) -> list[Any]:
    return list(data)


# file name -> (model, how to get the object(s) to parse out of the file)
PARSES: dict[str, tuple[type[OcpiModel], Callable[[Any], list[Any]]]] = {
    **{f"credentials_example{n}.json": (Credentials, _whole) for n in ("", "2", "3", "4")},
    "location_energymix_example_complete.json": (EnergyMix, _field("energy_mix")),
    "location_energymix_example_energy_provider.json": (EnergyMix, _field("energy_mix")),
    "location_energymix_example_simple.json": (EnergyMix, _field("energy_mix")),
    "location_example.json": (Location, _whole),
    "location_example_parking_garage_opening_hours.json": (Location, _whole),
    "location_example_uc2_destination_charger.json": (Location, _whole),
    "location_example_uc3_destination_charger_not_published.json": (Location, _whole),
    "location_example_uc4_limited_visibility.json": (Location, _whole),
    "location_example_uc5_home_charge_point.json": (Location, _whole),
    "location_hours_247_open_exception_closing.json": (Hours, _whole),
    "location_hours_opening_hours_with_exceptional_closing.json": (Hours, _whole),
    "location_hours_opening_hours_with_exceptional_opening.json": (Hours, _whole),
    "location_patch_example_location.json": (LocationPatch, _whole),
    "location_patch_example_remove_evse.json": (EVSEPatch, _whole),
    "location_patch_example_status.json": (EVSEPatch, _whole),
    "location_patch_example_tariff.json": (ConnectorPatch, _whole),
    "location_regularhours_example.json": (Hours, _field("opening_times")),
    # these three carry the 2.2 CdrToken (no country_code/party_id), accepted for 2.2 compatibility
    "cdr_example.json": (CDR, _whole),
    "session_example_1_simple_start.json": (Session, _whole),
    "session_example_2_short_finished.json": (Session, _whole),
    "session_patch_example_charging_period.json": (SessionPatch, _whole),
    "session_patch_example_total_cost.json": (SessionPatch, _whole),
    **{
        path.name: (Tariff, _whole)
        for path in example_files(EDITION)
        if path.name.startswith("tariff") and path.name != "tariff_put_example.json"
    },
    "token_example_1_app_user.json": (Token, _whole),
    "token_example_2_full_rfid.json": (Token, _whole),
    "token_patch_example.json": (TokenPatch, _whole),
    "token_put_example.json": (Token, _whole),
    "transport_and_format_get_token_example.json": (Token, _envelope),
    "transport_and_format_get_token_list_example.json": (Token, _envelope),
    "transport_and_format_version_details_example.json": (VersionDetails, _envelope),
    "transport_and_format_version_info_example.json": (Version, _envelope),
    "type_displaytext_example.json": (DisplayText, _whole),
    "version_details_example.json": (VersionDetails, _whole),
    "version_details_example2.json": (VersionDetails, _whole),
    "versions_info_example.json": (Version, _items),
}

_OLD_CDR_TOKEN = [
    "cdr_example.json",
    "session_example_1_simple_start.json",
    "session_example_2_short_finished.json",
]

# file name -> (model, the exact 2001 message the spec bug earns)
REFUSED: dict[str, tuple[type[OcpiModel], str]] = {
    "location_put_example_add_evse.json": (
        EVSE,
        "connectors[0].power_type: field required; connectors[0].max_voltage: field required; "
        "connectors[0].max_amperage: field required; connectors[0].last_updated: field required; "
        "physical_reference: Input should be a valid string (got 3)",
    ),
    "tariff_put_example.json": (Tariff, "last_updated: field required"),
}


def test_every_example_file_is_classified() -> None:
    """Each 2.2.1 example file is either expected to parse or expected to be refused."""
    names = {path.name for path in example_files(EDITION)}
    assert names == set(PARSES) | set(REFUSED)
    assert not set(PARSES) & set(REFUSED)


@pytest.mark.parametrize("name", sorted(PARSES))
def test_example_parses_and_round_trips(name: str) -> None:
    """A valid spec example parses into its model and dumps back to the same JSON."""
    model, extract = PARSES[name]
    objects = extract(load_example(EDITION, name))
    assert objects
    for data in objects:
        assert dump(parse(model, data)) == data


def test_add_evse_example_is_refused() -> None:
    """The add-EVSE PUT example (connector lacks required fields, numeric physical_reference)
    is refused naming every problem (digest §7 item 6)."""
    model, message = REFUSED["location_put_example_add_evse.json"]
    with pytest.raises(InvalidParameters) as info:
        parse(model, load_example(EDITION, "location_put_example_add_evse.json"))
    assert info.value.message == message
    assert info.value.status_code == 2001


def test_add_evse_example_keeps_unknown_floor_field() -> None:
    """The example's misspelt ``floor`` is an unknown field, so it is kept, not refused
    (digest §7 item 6: only the missing/mistyped fields are errors)."""
    data = load_example(EDITION, "location_put_example_add_evse.json")
    data["physical_reference"] = "3"
    for connector in data["connectors"]:
        connector.update(
            power_type="AC_3_PHASE",
            max_voltage=230,
            max_amperage=16,
            last_updated=data["last_updated"],
        )
    assert dump(parse(EVSE, data))["floor"] == -1


def test_tariff_put_example_is_refused() -> None:
    """The tariff PUT example lacks the required last_updated (digest §7 item 6)."""
    model, message = REFUSED["tariff_put_example.json"]
    with pytest.raises(InvalidParameters) as info:
        parse(model, load_example(EDITION, "tariff_put_example.json"))
    assert info.value.message == message


@pytest.mark.parametrize("name", _OLD_CDR_TOKEN)
def test_examples_with_2_2_cdr_token_keep_its_shape(name: str) -> None:
    """The tag's CDR/Session examples still use the 2.2 CdrToken without country_code and
    party_id (digest §4.3 '2.2 → 2.2.1 deltas'); it is accepted and dumped without them."""
    model, _ = PARSES[name]
    data = load_example(EDITION, name)
    assert "country_code" not in data["cdr_token"]
    assert dump(parse(model, data))["cdr_token"] == data["cdr_token"]


@pytest.mark.parametrize("name", _OLD_CDR_TOKEN)
def test_examples_with_cdr_token_owner_added_round_trip(name: str) -> None:
    """With the CdrToken owner added (the 2.2.1 shape), the CDR and Session examples are valid."""
    model, _ = PARSES[name]
    data = load_example(EDITION, name)
    data["cdr_token"] = {"country_code": "DE", "party_id": "TNM", **data["cdr_token"]}
    assert dump(parse(model, data)) == data
