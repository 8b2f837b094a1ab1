"""The tolerant parsers of partner profiles (``ocpi/tolerant.py``), fuzzed: spec-exact data
parses exactly as strictly; the tolerated deviations, and only those, are repaired where they
are; anything else is a 2001 naming the field; the partner's data is never changed."""

from __future__ import annotations

import contextlib
import copy
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ocpihub.errors import InvalidParameters
from ocpihub.ocpi.fields import dump, parse
from ocpihub.ocpi.registry import model
from ocpihub.ocpi.tolerant import envelope_status, parse_tolerant, unwrap_single
from ocpihub.testing import payloads
from tests.unit.ocpi import strategies_v2_3_0 as v230

ALL = ("numbers_as_strings", "lowercase_enums")
CONNECTOR = model("2.3.0", "Connector")
LOCATION = model("2.3.0", "Location")
TARIFF = model("2.3.0", "Tariff")
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=12,
)


@SETTINGS
@given(v230.locations())
def test_spec_exact_data_parses_as_strictly(location: dict[str, Any]) -> None:
    """With every tolerance on, valid data gives what strict parsing gives, and no repair."""
    parsed, repairs = parse_tolerant(LOCATION, location, tolerate=ALL)
    assert repairs == []
    assert dump(parsed) == dump(parse(LOCATION, location))


@SETTINGS
@given(v230.connectors(), st.data())
def test_tolerated_deviations_are_repaired_where_they_are(
    connector: dict[str, Any], data: st.DataObject
) -> None:
    """Enum values in another case and numbers as strings are repaired to the value a strict
    sender would have sent, one repair per deviating field; the input stays as it was."""
    deviating = copy.deepcopy(connector)
    changed = set()
    for key in ("standard", "format", "power_type"):
        if data.draw(st.booleans()) and deviating[key] != deviating[key].lower():
            deviating[key] = deviating[key].lower()
            changed.add(key)
    for key in ("max_voltage", "max_amperage", "max_electric_power"):
        if isinstance(deviating.get(key), int) and data.draw(st.booleans()):
            deviating[key] = str(deviating[key])
            changed.add(key)
    before = copy.deepcopy(deviating)
    parsed, repairs = parse_tolerant(CONNECTOR, deviating, tolerate=ALL)
    assert deviating == before
    assert dump(parsed) == dump(parse(CONNECTOR, connector))
    assert {r.path for r in repairs} == changed
    if changed:
        with pytest.raises(InvalidParameters) as refused:
            parse_tolerant(CONNECTOR, deviating, tolerate=())
        assert sorted(changed)[0] in refused.value.message


@SETTINGS
@given(st.dictionaries(st.sampled_from(sorted(CONNECTOR.model_fields)), _JSON, max_size=8))
def test_anything_else_is_a_2001_and_never_changed(junk: dict[str, Any]) -> None:
    """Arbitrary JSON either parses or is refused with InvalidParameters; never another
    error, never a change to the given data."""
    before = copy.deepcopy(junk)
    with contextlib.suppress(InvalidParameters):  # a 2001: the one refusal allowed
        parse_tolerant(CONNECTOR, junk, tolerate=ALL)
    assert junk == before


def test_a_deviation_not_tolerated_is_refused() -> None:
    """Only the named deviations are repaired; ambiguous or non-numeric strings never are."""
    connector = {
        "id": "1",
        "standard": "iec_62196_t2",
        "format": "SOCKET",
        "power_type": "AC_3_PHASE",
        "max_voltage": "230",
        "max_amperage": "lots",
        "last_updated": "2024-01-01T00:00:00Z",
    }
    with pytest.raises(InvalidParameters) as refused:
        parse_tolerant(CONNECTOR, connector, tolerate=["lowercase_enums"])
    assert "max_voltage" in refused.value.message and "standard" not in refused.value.message
    with pytest.raises(InvalidParameters) as refused:
        parse_tolerant(CONNECTOR, connector, tolerate=ALL)
    assert refused.value.message.startswith("max_amperage")


@SETTINGS
@given(_JSON, st.sampled_from([(), ("status_code_as_string",)]))
def test_envelope_status(envelope: Any, tolerate: tuple[str, ...]) -> None:
    """A status_code is an integer, or with the tolerance a four-digit string; else None."""
    code, used = envelope_status(envelope, tolerate)
    if used:
        assert tolerate and isinstance(envelope["status_code"], str)
        assert code == int(envelope["status_code"])
    elif code is not None:
        assert envelope["status_code"] == code and isinstance(code, int)


def test_envelope_status_examples() -> None:
    """ "1000" is read only with the tolerance; booleans and other strings never."""
    assert envelope_status({"status_code": 1000}, ()) == (1000, False)
    assert envelope_status({"status_code": "1000"}, ()) == (None, False)
    assert envelope_status({"status_code": "1000"}, ["status_code_as_string"]) == (1000, True)
    assert envelope_status({"status_code": "ok"}, ["status_code_as_string"]) == (None, False)
    assert envelope_status({"status_code": True}, ["status_code_as_string"]) == (None, False)


@SETTINGS
@given(_JSON)
def test_unwrap_single(data: Any) -> None:
    """Only a one-element list holding an object gives that object."""
    got = unwrap_single(data)
    if got is not None:
        assert isinstance(data, list) and data == [got] and isinstance(got, dict)
    else:
        assert not (isinstance(data, list) and len(data) == 1 and isinstance(data[0], dict))


@pytest.mark.parametrize(("sent", "read"), [("0.25", 0.25), ("-3", -3), ("21", 21)])
def test_decimal_numbers_as_strings(sent: str, read: float) -> None:
    """A `number` sent as a decimal string is read as that number; "1e3" or "0x10" never."""
    tariff = payloads.tariff("NL", "CPO", "T1", 0.25)
    tariff["elements"][0]["price_components"][0]["price"] = sent
    parsed, repairs = parse_tolerant(TARIFF, tariff, tolerate=ALL)
    assert dump(parsed)["elements"][0]["price_components"][0]["price"] == read
    assert [r.path for r in repairs] == ["elements[0].price_components[0].price"]
    for odd in ("1e3", "0x10", " ", "NaN", "1,5"):
        tariff["elements"][0]["price_components"][0]["price"] = odd
        with pytest.raises(InvalidParameters):
            parse_tolerant(TARIFF, tariff, tolerate=ALL)
