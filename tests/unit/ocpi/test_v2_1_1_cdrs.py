"""2.1.1 CDR model against the spec's example, its known bugs, and bad input."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from ocpihub.errors import InvalidParameters
from ocpihub.ocpi.fields import dump, parse
from ocpihub.ocpi.v2_1_1.cdrs import CDR
from tests.unit.ocpi.test_v2_1_1_sessions import gent_zuid

# Transcribed from the 2.1.1 mod_cdrs.md example. Our fixes of the spec's bugs: location type
# "on_street" -> "ON_STREET", EVSE key "STATUS" -> "status", the embedded tariff's
# last_updated moved from its element to the tariff, and its price "2.00" (a string) written as
# the number 2.00 (the literal forms are tested below).
CDR_EXAMPLE: dict[str, Any] = {
    "id": "12345",
    "start_date_time": "2015-06-29T21:39:09Z",
    "stop_date_time": "2015-06-29T23:37:32Z",
    "auth_id": "DE8ACC12E46L89",
    "auth_method": "WHITELIST",
    "location": gent_zuid("2015-06-29T21:39:01Z"),
    "currency": "EUR",
    "tariffs": [
        {
            "id": "12",
            "currency": "EUR",
            "elements": [{"price_components": [{"type": "TIME", "price": 2.00, "step_size": 300}]}],
            "last_updated": "2015-02-02T14:15:01Z",
        }
    ],
    "charging_periods": [
        {
            "start_date_time": "2015-06-29T21:39:09Z",
            "dimensions": [{"type": "TIME", "volume": 1.973}],
        }
    ],
    "total_cost": 4.00,
    "total_energy": 15.342,
    "total_time": 1.973,
    "last_updated": "2015-06-29T22:01:13Z",
}


def refusal(data) -> str:
    with pytest.raises(InvalidParameters) as info:
        parse(CDR, data)
    assert info.value.status_code == 2001
    return info.value.message


def cdr(**changes):
    data = copy.deepcopy(CDR_EXAMPLE)
    data.update(changes)
    return data


def test_cdr_example_round_trips():
    """The spec's CDR example (fixed as noted) with its embedded tariff round-trips unchanged."""
    assert dump(parse(CDR, CDR_EXAMPLE)) == CDR_EXAMPLE


def test_cdr_with_flat_dimension_and_remark_round_trips():
    """FLAT (a 2.1.1-only CdrDimensionType) and the optional fields round-trip."""
    period = {
        "start_date_time": "2015-06-29T21:39:09Z",
        "dimensions": [{"type": "FLAT", "volume": 1}],
    }
    data = cdr(
        charging_periods=[period, *CDR_EXAMPLE["charging_periods"]],
        meter_id="M-1",
        total_parking_time=0.25,
        remark="Stopped by the driver",
    )
    assert dump(parse(CDR, data)) == data


def test_literal_spec_cdr_example_is_refused_for_its_bugs():
    """The literal spec example is refused: its embedded tariff lacks last_updated."""
    data = copy.deepcopy(CDR_EXAMPLE)
    tariff = data["tariffs"][0]
    tariff["elements"][0]["last_updated"] = tariff.pop("last_updated")
    tariff["elements"][0]["price_components"][0]["price"] = "2.00"
    data["location"]["type"] = "on_street"
    message = refusal(data)
    assert "tariffs[0].last_updated: field required" in message
    assert "location.type:" in message


def test_cdr_without_charging_periods_is_refused():
    """CDR.charging_periods is `+`: an empty list is refused naming the field."""
    message = refusal(cdr(charging_periods=[]))
    assert message.startswith("charging_periods:")
    assert "(got [])" in message


def test_cdr_id_is_a_36_character_cistring():
    """CDR.id is CiString(36): 37 characters or non-ASCII text are refused with the value."""
    long_id = "C" * 37
    assert long_id in refusal(cdr(id=long_id))
    assert refusal(cdr(id="cdr-é")).startswith("id:")


def test_cdr_without_stop_date_time_is_refused():
    """2.1.1 calls the end stop_date_time; a 2.2 end_date_time does not replace it."""
    data = cdr(end_date_time=CDR_EXAMPLE["stop_date_time"])
    del data["stop_date_time"]
    assert refusal(data) == "stop_date_time: field required"


def test_command_auth_method_is_refused():
    """COMMAND is a 2.2+ AuthMethod."""
    assert "'COMMAND'" in refusal(cdr(auth_method="COMMAND"))


def test_total_cost_must_be_a_number():
    """2.1.1 total_cost is a number: a 2.2 Price object is refused."""
    assert refusal(cdr(total_cost={"excl_vat": 4.0})).startswith("total_cost:")
