"""2.1.1 Tariffs models against the spec's examples and bad input."""

from __future__ import annotations

import pytest

from ocpihub.errors import InvalidParameters
from ocpihub.ocpi.fields import dump, parse
from ocpihub.ocpi.v2_1_1.tariffs import Tariff, TariffPatch


def _time_element(price, step_size, restrictions=None):
    element = {"price_components": [{"type": "TIME", "price": price, "step_size": step_size}]}
    if restrictions is not None:
        element["restrictions"] = restrictions
    return element


# Transcribed from the 2.1.1 mod_tariffs.md examples.
SIMPLE = {
    "id": "12",
    "currency": "EUR",
    "elements": [_time_element(2.00, 300)],
    "last_updated": "2015-06-29T20:39:09Z",
}
ALT_TEXT = {
    **SIMPLE,
    "tariff_alt_text": [
        {"language": "en", "text": "2 euro p/hour"},
        {"language": "nl", "text": "2 euro p/uur"},
    ],
}
ALT_URL = {**SIMPLE, "tariff_alt_url": "https://company.com/tariffs/12"}
WEEKDAYS = ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY"]
COMPLEX = {
    "id": "11",
    "currency": "EUR",
    "tariff_alt_url": "https://company.com/tariffs/11",
    "elements": [
        {"price_components": [{"type": "FLAT", "price": 2.50, "step_size": 1}]},
        _time_element(1.00, 900, {"max_power": 32.00}),
        _time_element(2.00, 600, {"min_power": 32.00, "day_of_week": WEEKDAYS}),
        _time_element(1.25, 600, {"min_power": 32.00, "day_of_week": ["SATURDAY", "SUNDAY"]}),
        {
            "price_components": [{"type": "PARKING_TIME", "price": 5.00, "step_size": 300}],
            "restrictions": {"start_time": "09:00", "end_time": "18:00", "day_of_week": WEEKDAYS},
        },
        {
            "price_components": [{"type": "PARKING_TIME", "price": 6.00, "step_size": 300}],
            "restrictions": {
                "start_time": "10:00",
                "end_time": "17:00",
                "day_of_week": ["SATURDAY"],
            },
        },
    ],
    "last_updated": "2015-06-29T20:39:09Z",
}
FREE = {
    "id": "12",
    "currency": "EUR",
    "elements": [{"price_components": [{"type": "FLAT", "price": 0.00, "step_size": 0}]}],
    "last_updated": "2015-06-29T20:39:09Z",
}


def refusal(model, data) -> str:
    with pytest.raises(InvalidParameters) as info:
        parse(model, data)
    assert info.value.status_code == 2001
    return info.value.message


@pytest.mark.parametrize("data", [SIMPLE, ALT_TEXT, ALT_URL, COMPLEX, FREE])
def test_tariff_examples_round_trip(data):
    """Every spec Tariff example parses and dumps unchanged."""
    assert dump(parse(Tariff, data)) == data


def test_spec_put_example_without_last_updated_is_refused():
    """The spec's PUT example omits the required last_updated: refused naming it."""
    data = {k: v for k, v in SIMPLE.items() if k != "last_updated"}
    assert refusal(Tariff, data) == "last_updated: field required"


def test_spec_patch_example_round_trips():
    """2.1.1 allows PATCH on tariffs: the spec's price-change body parses as TariffPatch."""
    body = {"elements": [_time_element(2.50, 300)]}
    assert dump(parse(TariffPatch, body)) == body


def test_tariff_without_elements_is_refused():
    """Tariff.elements is `+`: an empty list is refused."""
    message = refusal(Tariff, {**SIMPLE, "elements": []})
    assert message.startswith("elements:")
    assert "(got [])" in message


def test_element_without_price_components_is_refused():
    """TariffElement.price_components is `+`: an empty list is refused with its path."""
    message = refusal(Tariff, {**SIMPLE, "elements": [{"price_components": []}]})
    assert message.startswith("elements[0].price_components:")


def test_unknown_day_of_week_is_refused():
    """A DayOfWeek outside the enum is named with its full path and value."""
    data = {**SIMPLE, "elements": [_time_element(1.0, 60, {"day_of_week": ["MON"]})]}
    message = refusal(Tariff, data)
    assert message.startswith("elements[0].restrictions.day_of_week[0]:")
    assert "'MON'" in message


def test_2_2_restriction_fields_are_kept_as_unknown():
    """A 2.2 field such as min_current is not a 2.1.1 field but is kept, not refused."""
    data = {**SIMPLE, "elements": [_time_element(1.0, 60, {"min_current": 16})]}
    assert dump(parse(Tariff, data)) == data


def test_too_long_currency_is_refused():
    """currency is string(3)."""
    assert "'EURO'" in refusal(Tariff, {**SIMPLE, "currency": "EURO"})
