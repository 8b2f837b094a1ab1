"""Property tests over every 2.1.1 body model: valid objects round-trip, garbage gives 2001."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ocpihub.errors import InvalidParameters
from ocpihub.ocpi import v2_1_1
from ocpihub.ocpi.fields import dump, parse
from tests.unit.ocpi.strategies_v2_1_1 import VALID

NAMES = sorted(v2_1_1.MODELS)
FUZZ = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])

junk = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=300),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=12,
)


@st.composite
def with_one_junk_value(draw: st.DrawFn, data: Any) -> Any:
    """``data`` with the value at one random path (any depth) replaced by junk."""
    if isinstance(data, dict) and data and draw(st.booleans()):
        key = draw(st.sampled_from(sorted(data)))
        return {**data, key: draw(with_one_junk_value(data[key]))}
    if isinstance(data, list) and data and draw(st.booleans()):
        index = draw(st.integers(0, len(data) - 1))
        copy = list(data)
        copy[index] = draw(with_one_junk_value(data[index]))
        return copy
    return draw(junk)


def parse_or_error(model, data) -> InvalidParameters | None:
    """Parse and dump ``data``; the InvalidParameters raised on the way, if any."""
    try:
        dump(parse(model, data))
    except InvalidParameters as exc:
        return exc
    return None


def test_models_cover_every_strategy():
    """Every body model has a valid-object strategy, and nothing else does."""
    assert set(VALID) == set(v2_1_1.MODELS)
    assert v2_1_1.VERSION == "2.1.1"


def test_model_names_are_class_names():
    """MODELS keys are the spec object names, equal to the class names."""
    assert all(cls.__name__ == name for name, cls in v2_1_1.MODELS.items())


@pytest.mark.parametrize("name", NAMES)
def test_valid_objects_round_trip(name):
    """Generated valid objects parse and dump back to exactly the same JSON."""
    model = v2_1_1.MODELS[name]

    @FUZZ
    @given(VALID[name]())
    def check(data):
        assert dump(parse(model, data)) == data

    check()


@pytest.mark.parametrize("name", NAMES)
def test_garbage_is_refused_with_2001_only(name):
    """Arbitrary JSON values either parse or raise InvalidParameters, never anything else."""
    model = v2_1_1.MODELS[name]

    @FUZZ
    @given(junk)
    def check(data):
        error = parse_or_error(model, data)
        assert error is None or (error.status_code == 2001 and error.message)

    check()


@pytest.mark.parametrize("name", NAMES)
def test_valid_objects_with_one_junk_field(name):
    """A valid object with one value replaced by junk parses or raises only InvalidParameters."""
    model = v2_1_1.MODELS[name]

    @FUZZ
    @given(VALID[name]().flatmap(with_one_junk_value))
    def check(data):
        error = parse_or_error(model, data)
        assert error is None or (error.status_code == 2001 and error.message)

    check()
