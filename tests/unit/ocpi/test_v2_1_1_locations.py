"""2.1.1 Locations models against the spec's examples, its known example bugs, and bad input."""

from __future__ import annotations

import copy

import pytest

from ocpihub.errors import InvalidParameters
from ocpihub.ocpi.fields import dump, parse
from ocpihub.ocpi.v2_1_1.locations import (
    EVSE,
    ConnectorPatch,
    EVSEPatch,
    Hours,
    Location,
    LocationPatch,
)

# Transcribed from the 2.1.1 mod_locations.md Location example. Our one fix: the spec's second
# EVSE's connector lacks the required last_updated; we add one (the literal form is tested below).
# The spec's EVSE "id" key (instead of evse_id) and connector "status" key are unknown fields
# and are kept as they are.
LOCATION = {
    "id": "LOC1",
    "type": "ON_STREET",
    "name": "Gent Zuid",
    "address": "F.Rooseveltlaan 3A",
    "city": "Gent",
    "postal_code": "9000",
    "country": "BEL",
    "coordinates": {"latitude": "51.04759", "longitude": "3.72994"},
    "evses": [
        {
            "uid": "3256",
            "id": "BE-BEC-E041503001",
            "status": "AVAILABLE",
            "status_schedule": [],
            "capabilities": ["RESERVABLE"],
            "connectors": [
                {
                    "id": "1",
                    "standard": "IEC_62196_T2",
                    "format": "CABLE",
                    "power_type": "AC_3_PHASE",
                    "voltage": 220,
                    "amperage": 16,
                    "tariff_id": "11",
                    "last_updated": "2015-03-16T10:10:02Z",
                },
                {
                    "id": "2",
                    "standard": "IEC_62196_T2",
                    "format": "SOCKET",
                    "power_type": "AC_3_PHASE",
                    "voltage": 220,
                    "amperage": 16,
                    "tariff_id": "11",
                    "last_updated": "2015-03-18T08:12:01Z",
                },
            ],
            "physical_reference": "1",
            "floor_level": "-1",
            "last_updated": "2015-06-28T08:12:01Z",
        },
        {
            "uid": "3257",
            "id": "BE-BEC-E041503002",
            "status": "RESERVED",
            "capabilities": ["RESERVABLE"],
            "connectors": [
                {
                    "id": "1",
                    "status": "RESERVED",
                    "standard": "IEC_62196_T2",
                    "format": "SOCKET",
                    "power_type": "AC_3_PHASE",
                    "voltage": 220,
                    "amperage": 16,
                    "tariff_id": "12",
                    "last_updated": "2015-06-29T20:39:09Z",
                }
            ],
            "physical_reference": "2",
            "floor_level": "-2",
            "last_updated": "2015-06-29T20:39:09Z",
        },
    ],
    "operator": {"name": "BeCharged"},
    "last_updated": "2015-06-29T20:39:09Z",
}

# The "complete" EnergyMix example of mod_locations.md (trailing commas removed).
ENERGY_MIX = {
    "is_green_energy": False,
    "energy_sources": [
        {"source": "GENERAL_GREEN", "percentage": 35.9},
        {"source": "GAS", "percentage": 6.3},
        {"source": "COAL", "percentage": 33.2},
        {"source": "GENERAL_FOSSIL", "percentage": 2.9},
        {"source": "NUCLEAR", "percentage": 21.7},
    ],
    "environ_impact": [
        {"source": "NUCLEAR_WASTE", "amount": 0.00006},
        {"source": "CARBON_DIOXIDE", "amount": 372},
    ],
    "supplier_name": "E.ON Energy Deutschland",
    "energy_product_name": "E.ON DirektStrom eco",
}

# The RegularHours example of mod_locations.md, shortened to two weekdays.
OPENING_TIMES = {
    "regular_hours": [
        {"weekday": 1, "period_begin": "08:00", "period_end": "20:00"},
        {"weekday": 2, "period_begin": "08:00", "period_end": "20:00"},
    ],
    "twentyfourseven": False,
    "exceptional_openings": [
        {"period_begin": "2014-06-21T09:00:00+02:00", "period_end": "2014-06-21T12:00:00+02:00"}
    ],
    "exceptional_closings": [
        {"period_begin": "2014-06-24T00:00:00+02:00", "period_end": "2014-06-25T00:00:00+02:00"}
    ],
}


def refusal(model, data) -> str:
    with pytest.raises(InvalidParameters) as info:
        parse(model, data)
    assert info.value.status_code == 2001
    return info.value.message


def location(**changes):
    data = copy.deepcopy(LOCATION)
    data.update(changes)
    return data


def test_location_example_round_trips():
    """The spec's Location example (with EVSEs and connectors) parses and dumps unchanged."""
    parsed = parse(Location, LOCATION)
    assert dump(parsed) == LOCATION
    assert parsed.evses is not None
    assert parsed.evses[0].connectors[1].tariff_id == "11"


def test_location_with_energy_mix_and_hours_round_trips():
    """A Location with the spec's full energy mix and Z-normalised opening times round-trips."""
    hours = copy.deepcopy(OPENING_TIMES)
    hours["exceptional_openings"] = [
        {"period_begin": "2014-06-21T07:00:00Z", "period_end": "2014-06-21T10:00:00Z"}
    ]
    hours["exceptional_closings"] = [
        {"period_begin": "2014-06-23T22:00:00Z", "period_end": "2014-06-24T22:00:00Z"}
    ]
    data = location(energy_mix=ENERGY_MIX, opening_times=hours, time_zone="Europe/Brussels")
    assert dump(parse(Location, data)) == data


def test_opening_hours_offsets_are_normalised_to_utc():
    """The spec example's +02:00 times are held as the same instant in UTC with Z."""
    hours = parse(Hours, OPENING_TIMES)
    assert hours.exceptional_openings is not None
    assert hours.exceptional_openings[0].period_begin == "2014-06-21T07:00:00Z"


def test_hours_need_regular_hours_or_twentyfourseven():
    """Hours with neither choice is refused; either one alone is fine."""
    assert "opening_times" in refusal(Location, location(opening_times={}))
    assert parse(Hours, {"twentyfourseven": True}).twentyfourseven is True
    assert parse(Hours, {"regular_hours": []}).regular_hours == []


def test_spec_example_connector_without_last_updated_is_refused():
    """The literal spec example (a connector lacking last_updated) is refused naming the path."""
    data = location()
    del data["evses"][1]["connectors"][0]["last_updated"]
    assert refusal(Location, data) == "evses[1].connectors[0].last_updated: field required"


def test_spec_add_evse_example_is_refused():
    """The spec's "add an EVSE" PUT body (numeric physical_reference, bare connector) is refused."""
    data = {
        "uid": "3256",
        "evse_id": "BE-BEC-E041503003",
        "status": "AVAILABLE",
        "capabilities": ["RESERVABLE"],
        "connectors": [
            {"id": "1", "standard": "IEC_62196_T2", "format": "SOCKET", "tariff_id": "14"}
        ],
        "physical_reference": 3,
        "floor": -1,
    }
    message = refusal(EVSE, data)
    assert "connectors[0].power_type: field required" in message
    assert "physical_reference: Input should be a valid string (got 3)" in message
    assert "last_updated: field required" in message


@pytest.mark.parametrize(
    ("model", "body"),
    [
        (EVSEPatch, {"status": "CHARGING"}),
        (LocationPatch, {"name": "Interparking Gent Zuid"}),
        (ConnectorPatch, {"tariff_id": "15"}),
        (EVSEPatch, {"status": "REMOVED"}),
    ],
)
def test_spec_patch_examples_round_trip(model, body):
    """The spec's PATCH bodies parse without last_updated and dump unchanged."""
    assert dump(parse(model, body)) == body


def test_patch_with_bad_enum_is_refused():
    """A PATCH body still validates the fields it carries."""
    assert refusal(EVSEPatch, {"status": "BUSY"}).startswith("status:")


def test_wrong_enum_value_is_named():
    """A value outside the closed LocationType enum (spec example's lowercase) gives 2001."""
    message = refusal(Location, location(type="on_street"))
    assert message.startswith("type:")
    assert "'on_street'" in message


def test_parking_type_value_from_2_2_is_refused():
    """ALONG_MOTORWAY is 2.2+ only: not a 2.1.1 LocationType."""
    assert "'ALONG_MOTORWAY'" in refusal(Location, location(type="ALONG_MOTORWAY"))


def test_connector_type_from_later_versions_is_refused():
    """A ConnectorType added after 2.1.1 is refused with its full path."""
    data = location()
    data["evses"][0]["connectors"][0]["standard"] = "GBT_DC"
    message = refusal(Location, data)
    assert message.startswith("evses[0].connectors[0].standard:")
    assert "'GBT_DC'" in message


def test_too_long_id_is_refused():
    """Location.id is string(39): 40 characters are refused naming field and value."""
    message = refusal(Location, location(id="L" * 40))
    assert message.startswith("id: String should have at most 39 characters")
    assert "L" * 40 in message


def test_id_of_39_characters_is_accepted():
    """2.1.1 allows 39-character location ids (2.2+ allows only 36)."""
    assert parse(Location, location(id="L" * 39)).id == "L" * 39


def test_evse_without_connectors_is_refused():
    """EVSE.connectors is `+`: an empty list is refused."""
    data = location()
    data["evses"][0]["connectors"] = []
    message = refusal(Location, data)
    assert message.startswith("evses[0].connectors:")
    assert "(got [])" in message


def test_bad_last_updated_is_refused():
    """A DateTime that is not ISO 8601 is refused naming field and value."""
    message = refusal(Location, location(last_updated="29-06-2015 20:39"))
    assert message.startswith("last_updated:")
    assert "'29-06-2015 20:39'" in message


def test_missing_required_fields_are_all_named():
    """Every missing required field appears in the one 2001 message."""
    data = location()
    del data["address"]
    del data["coordinates"]
    message = refusal(Location, data)
    assert "address: field required" in message
    assert "coordinates: field required" in message


def test_weekday_outside_1_to_7_is_refused():
    """RegularHours.weekday counts Monday (1) to Sunday (7)."""
    hours = {"regular_hours": [{"weekday": 8, "period_begin": "08:00", "period_end": "20:00"}]}
    assert refusal(Hours, hours).startswith("regular_hours[0].weekday:")
