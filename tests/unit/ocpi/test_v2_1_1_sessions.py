"""2.1.1 Sessions models against the spec's examples, their known bugs, and bad input."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from ocpihub.errors import InvalidParameters
from ocpihub.ocpi.fields import dump, parse
from ocpihub.ocpi.v2_1_1.sessions import Session, SessionPatch


def gent_zuid(last_updated: str) -> dict[str, Any]:
    """The spec sessions' embedded Location, with only the EVSE and connector in use."""
    return {
        "id": "LOC1",
        "type": "ON_STREET",
        "name": "Gent Zuid",
        "address": "F.Rooseveltlaan 3A",
        "city": "Gent",
        "postal_code": "9000",
        # the spec's example writes "BE"; the field is ISO 3166 alpha-3, which the hub enforces
        "country": "BEL",
        "coordinates": {"latitude": "3.72994", "longitude": "51.04759"},
        "evses": [
            {
                "uid": "3256",
                "evse_id": "BE-BEC-E041503003",
                "status": "AVAILABLE",
                "connectors": [
                    {
                        "id": "1",
                        "standard": "IEC_62196_T2",
                        "format": "SOCKET",
                        "power_type": "AC_1_PHASE",
                        "voltage": 230,
                        "amperage": 64,
                        "tariff_id": "11",
                        "last_updated": last_updated,
                    }
                ],
                "last_updated": last_updated,
            }
        ],
        "last_updated": last_updated,
    }


# Transcribed from the 2.1.1 mod_sessions.md examples. Our fixes of the spec's bugs: location
# type "on_street" -> "ON_STREET", EVSE key "STATUS" -> "status", the missing required
# auth_method added, dimension type "energy" -> "ENERGY" (the literal forms are tested below).
STARTING: dict[str, Any] = {
    "id": "101",
    "start_datetime": "2015-06-29T22:39:09Z",
    "kwh": 0.00,
    "auth_id": "DE8ACC12E46L89",
    "auth_method": "WHITELIST",
    "location": gent_zuid("2015-06-29T22:39:09Z"),
    "currency": "EUR",
    "total_cost": 2.50,
    "status": "PENDING",
    "last_updated": "2015-06-29T22:39:09Z",
}
FINISHED: dict[str, Any] = {
    "id": "101",
    "start_datetime": "2015-06-29T22:39:09Z",
    "end_datetime": "2015-06-29T23:50:16Z",
    "kwh": 41.00,
    "auth_id": "DE8ACC12E46L89",
    "auth_method": "WHITELIST",
    "location": gent_zuid("2015-06-29T23:09:10Z"),
    "currency": "EUR",
    "charging_periods": [
        {
            "start_date_time": "2015-06-29T22:39:09Z",
            "dimensions": [
                {"type": "ENERGY", "volume": 120},
                {"type": "MAX_CURRENT", "volume": 30},
            ],
        },
        {
            "start_date_time": "2015-06-29T22:40:54Z",
            "dimensions": [
                {"type": "ENERGY", "volume": 41000},
                {"type": "MIN_CURRENT", "volume": 34},
            ],
        },
        {
            "start_date_time": "2015-06-29T23:07:09Z",
            "dimensions": [{"type": "PARKING_TIME", "volume": 0.718}],
        },
    ],
    "total_cost": 8.50,
    "status": "COMPLETED",
    "last_updated": "2015-06-29T23:09:10Z",
}


def refusal(model, data) -> str:
    with pytest.raises(InvalidParameters) as info:
        parse(model, data)
    assert info.value.status_code == 2001
    return info.value.message


@pytest.mark.parametrize("data", [STARTING, FINISHED])
def test_session_examples_round_trip(data):
    """The spec's Session examples (fixed as noted) parse and dump unchanged."""
    assert dump(parse(Session, data)) == data


def test_spec_patch_example_round_trips():
    """The spec's total_cost PATCH parses without last_updated and dumps unchanged."""
    assert dump(parse(SessionPatch, {"total_cost": 0.60})) == {"total_cost": 0.60}


def test_literal_spec_session_example_is_refused_for_its_bugs():
    """The literal spec example is refused, and the message names each of its bugs."""
    data = copy.deepcopy(FINISHED)
    del data["auth_method"]
    data["location"]["type"] = "on_street"
    evse = data["location"]["evses"][0]
    evse["STATUS"] = evse.pop("status")
    data["charging_periods"][1]["dimensions"][0]["type"] = "energy"
    message = refusal(Session, data)
    assert "auth_method: field required" in message
    assert "location.type:" in message
    assert "'on_street'" in message
    assert "location.evses[0].status: field required" in message
    assert "charging_periods[1].dimensions[0].type:" in message
    assert "'energy'" in message


def test_2_2_field_names_do_not_stand_in_for_2_1_1_ones():
    """A 2.2-shaped session (start_date_time, no location) is refused naming the 2.1.1 fields."""
    data = {k: v for k, v in STARTING.items() if k not in ("start_datetime", "location")}
    data["start_date_time"] = STARTING["start_datetime"]
    message = refusal(Session, data)
    assert "start_datetime: field required" in message
    assert "location: field required" in message


def test_reservation_status_is_refused():
    """RESERVATION is a 2.2+ SessionStatus."""
    assert "'RESERVATION'" in refusal(Session, {**STARTING, "status": "RESERVATION"})


def test_charging_period_without_dimensions_is_refused():
    """ChargingPeriod.dimensions is `+`."""
    data = {**STARTING, "charging_periods": [{"start_date_time": "2015-06-29T22:39:09Z"}]}
    assert refusal(Session, data) == "charging_periods[0].dimensions: field required"


def test_bad_end_datetime_is_refused():
    """An impossible date is refused naming field and value."""
    message = refusal(SessionPatch, {"end_datetime": "2015-02-30T10:00:00Z"})
    assert message.startswith("end_datetime:")
