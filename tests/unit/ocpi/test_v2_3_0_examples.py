"""The spec's own 2.3.0 JSON examples parse into the 2.3.0 wire models and dump back unchanged.

Payments and bookings examples are covered by their own test files. Examples that break the
spec's tables are refused with an exact 2001 message (digest §7 item 6 and the cases noted).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from pydantic import BaseModel

from ocpihub.errors import InvalidParameters
from ocpihub.ocpi.fields import dump, parse
from ocpihub.ocpi.v2_3_0.cdrs import CDR
from ocpihub.ocpi.v2_3_0.common import DisplayText, EnergyMix
from ocpihub.ocpi.v2_3_0.credentials import Credentials
from ocpihub.ocpi.v2_3_0.locations import (
    EVSE,
    ConnectorPatch,
    EVSEPatch,
    Hours,
    Location,
    LocationPatch,
)
from ocpihub.ocpi.v2_3_0.sessions import Session, SessionPatch
from ocpihub.ocpi.v2_3_0.tariffs import Tariff
from ocpihub.ocpi.v2_3_0.tokens import Token, TokenPatch
from ocpihub.ocpi.v2_3_0.versions import Version, VersionDetails
from tests.examples import example_files, load_example


def _whole(data: Any) -> Any:
    return data


def _key(name: str) -> Callable[[Any], Any]:
    return lambda data: data[name]


# file -> (model, how to reach the value, whether the value is a list of objects)
Case = tuple[type[BaseModel], Callable[[Any], Any], bool]
_ENVELOPE = _key("data")

CASES: dict[str, Case] = {
    "credentials_example.json": (Credentials, _whole, False),
    "credentials_example2.json": (Credentials, _whole, False),
    "credentials_example3.json": (Credentials, _whole, False),
    "credentials_example4.json": (Credentials, _whole, False),
    "location_energymix_example_complete.json": (EnergyMix, _key("energy_mix"), False),
    "location_energymix_example_energy_provider.json": (EnergyMix, _key("energy_mix"), False),
    "location_energymix_example_simple.json": (EnergyMix, _key("energy_mix"), False),
    "location_example_uc2_destination_charger.json": (Location, _whole, False),
    "location_example_uc3_destination_charger_not_published.json": (Location, _whole, False),
    "location_example_uc4_limited_visibility.json": (Location, _whole, False),
    "location_example_uc5_home_charge_point.json": (Location, _whole, False),
    "location_hours_247_open_exception_closing.json": (Hours, _whole, False),
    "location_hours_opening_hours_with_exceptional_closing.json": (Hours, _whole, False),
    "location_hours_opening_hours_with_exceptional_opening.json": (Hours, _whole, False),
    "location_patch_example_location.json": (LocationPatch, _whole, False),
    "location_patch_example_remove_evse.json": (EVSEPatch, _whole, False),
    "location_patch_example_status.json": (EVSEPatch, _whole, False),
    "location_patch_example_tariff.json": (ConnectorPatch, _whole, False),
    "location_regularhours_example.json": (Hours, _key("opening_times"), False),
    "session_example_1_simple_start.json": (Session, _whole, False),
    "session_example_2_short_finished.json": (Session, _whole, False),
    "session_patch_example_charging_period.json": (SessionPatch, _whole, False),
    "session_patch_example_total_cost.json": (SessionPatch, _whole, False),
    **{
        name: (Tariff, _whole, False)
        for name in (
            "tariff_10_025kwh_parking_start.json",
            "tariff_11_not_possible_alt_text.json",
            "tariff_12_025kwh_min_price.json",
            "tariff_13_simple_3hour_5parking.json",
            "tariff_14_step_size.json",
            "tariff_15_reservation_5_euro_per_hour.json",
            "tariff_16_reservation_2_euro_fee_5_euro_per_hour.json",
            "tariff_17_reservation_with_expire_fee.json",
            "tariff_18_reservation_with_expire_time.json",
            "tariff_19_simple_north_american_exclusive.json",
            "tariff_1_simple_2hour.json",
            "tariff_20_simple_north_american_inclusive.json",
            "tariff_2_alt_text.json",
            "tariff_3_alt_url.json",
            "tariff_4_complex.json",
            "tariff_5_free_of_charge.json",
            "tariff_6_025kwh_start_max_price.json",
            "tariff_8_simple_025kwh.json",
            "tariff_9_025kwh_start.json",
            "tariffrestriction_example_max_duration.json",
            "tariffrestriction_example_max_power.json",
        )
    },
    "token_example_1_app_user.json": (Token, _whole, False),
    "token_example_2_full_rfid.json": (Token, _whole, False),
    "token_patch_example.json": (TokenPatch, _whole, False),
    "token_put_example.json": (Token, _whole, False),
    "transport_and_format_get_token_example.json": (Token, _ENVELOPE, False),
    "transport_and_format_get_token_list_example.json": (Token, _ENVELOPE, True),
    "transport_and_format_version_details_example.json": (VersionDetails, _ENVELOPE, False),
    "transport_and_format_version_info_example.json": (Version, _ENVELOPE, True),
    "type_displaytext_example.json": (DisplayText, _whole, False),
    "version_details_example.json": (VersionDetails, _whole, False),
    "version_details_example2.json": (VersionDetails, _whole, False),
    "versions_info_example.json": (Version, _whole, True),
}

# file -> (model, exact 2001 message): examples that contradict the spec tables
BROKEN: dict[str, tuple[type[BaseModel], str]] = {
    "location_example.json": (
        Location,
        "evses[0].parking[0]: Input should be a valid dictionary or instance of EVSEParking"
        " (got '1'); evses[0].parking[1]: Input should be a valid dictionary or instance of"
        " EVSEParking (got '2'); evses[1].parking[0]: Input should be a valid dictionary or"
        " instance of EVSEParking (got '2'); evses[1].parking[1]: Input should be a valid"
        " dictionary or instance of EVSEParking (got '3')",
    ),
    "location_example_parking_garage_opening_hours.json": (
        Location,
        "evses[0].parking[0]: Input should be a valid dictionary or instance of EVSEParking"
        " (got '000e3877-87bf-473e-8e71-70d3aa6d64ea')",
    ),
    "location_put_example_add_evse.json": (
        EVSE,
        "connectors[0].power_type: field required; connectors[0].max_voltage: field required;"
        " connectors[0].max_amperage: field required; connectors[0].last_updated: field"
        " required; physical_reference: Input should be a valid string (got 3)",
    ),
    "tariff_put_example.json": (Tariff, "last_updated: field required"),
    "cdr_example.json": (CDR, "tariffs[0].tax_included: field required"),
}

OTHER_HELPERS = ("payment_",)


def test_every_example_file_is_classified() -> None:
    """Each non-payment 2.3.0 example file has exactly one expectation here."""
    names = {p.name for p in example_files("2.3.0") if not p.name.startswith(OTHER_HELPERS)}
    assert names == set(CASES) | set(BROKEN)
    assert not set(CASES) & set(BROKEN)


@pytest.mark.parametrize("name", sorted(CASES))
def test_example_parses_and_round_trips(name: str) -> None:
    """A conformant example parses into its model and dumps back to the same JSON."""
    model, reach, many = CASES[name]
    value = reach(load_example("2.3.0", name))
    items = value if many else [value]
    assert items
    for item in items:
        parsed = parse(model, item)
        assert isinstance(parsed, model)
        assert dump(parsed) == item


def test_location_example_refused_for_string_evse_parking() -> None:
    """location_example.json writes EVSE.parking as strings, not EVSEParking (digest §7 item 6)."""
    _assert_refused("location_example.json")


def test_garage_example_refused_for_string_evse_parking() -> None:
    """The garage example repeats the EVSE.parking string bug of digest §7 item 6."""
    _assert_refused("location_example_parking_garage_opening_hours.json")


def test_add_evse_example_refused_for_incomplete_connector() -> None:
    """The add-EVSE PUT example lacks connector fields, numeric physical_reference (§7 item 6)."""
    _assert_refused("location_put_example_add_evse.json")


def test_tariff_put_example_refused_for_missing_last_updated() -> None:
    """tariff_put_example.json lacks the required last_updated (digest §7 item 6)."""
    _assert_refused("tariff_put_example.json")


def test_cdr_example_refused_for_embedded_tariff_without_tax_included() -> None:
    """cdr_example.json embeds a Tariff without the required tax_included (not yet in digest §7)."""
    _assert_refused("cdr_example.json")


def test_add_evse_example_keeps_unknown_floor_field() -> None:
    """Unknown JSON fields such as the example's ``floor`` are kept, never rejected."""
    data = load_example("2.3.0", "location_put_example_add_evse.json")
    data["physical_reference"] = str(data["physical_reference"])
    for connector in data["connectors"]:
        connector.update(
            power_type="AC_3_PHASE",
            max_voltage=230,
            max_amperage=16,
            last_updated=data["last_updated"],
        )
    assert dump(parse(EVSE, data)) == data


def _assert_refused(name: str) -> None:
    model, message = BROKEN[name]
    with pytest.raises(InvalidParameters) as info:
        parse(model, load_example("2.3.0", name))
    assert info.value.status_code == 2001
    assert info.value.message == message
