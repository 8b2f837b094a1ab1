"""Property tests of the 2.3.0 wire models: valid bodies round-trip, garbage only gives 2001."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from ocpihub.errors import InvalidParameters
from ocpihub.ocpi.fields import dump, parse
from ocpihub.ocpi.v2_3_0 import MODELS
from tests.unit.ocpi import strategies_v2_3_0 as s

_SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])

_UNICODE = st.characters(blacklist_categories=("Cs",))
json_values: st.SearchStrategy[Any] = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(_UNICODE, max_size=30)
    | st.sampled_from(["2024-13-01T00:00:00Z", "9999-12-31T23:59:59Z", "", "#NA", "RFID"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner),
    max_leaves=15,
)


@st.composite
def _one_field_replaced(draw: st.DrawFn, name: str) -> dict[str, Any]:
    body: dict[str, Any] = dict(draw(s.VALID[name]()))
    key = draw(st.sampled_from(sorted(body)))
    body[key] = draw(json_values)
    return body


def _refusal(model: type[BaseModel], body: Any) -> InvalidParameters | None:
    """Parse and dump ``body``; the InvalidParameters raised, or None if it was accepted."""
    try:
        dump(parse(model, body))
    except InvalidParameters as exc:
        return exc
    return None


def test_every_own_model_has_a_strategy() -> None:
    """Each model of the package's own modules has a valid-body strategy."""
    own = {n for n, m in MODELS.items() if not m.__module__.endswith(("payments", "bookings"))}
    assert own == set(s.VALID)


@pytest.mark.parametrize("name", sorted(s.VALID))
@_SETTINGS
@given(data=st.data())
def test_valid_bodies_parse_and_round_trip(name: str, data: st.DataObject) -> None:
    """A generated valid body parses into its model and dumps back to the same JSON."""
    body = data.draw(s.VALID[name](), label=name)
    assert dump(parse(MODELS[name], body)) == body


@pytest.mark.parametrize("name", sorted(MODELS))
@_SETTINGS
@given(garbage=json_values)
def test_garbage_gives_only_invalid_parameters(name: str, garbage: Any) -> None:
    """Arbitrary JSON into any 2.3.0 model either parses or raises InvalidParameters."""
    error = _refusal(MODELS[name], garbage)
    assert error is None or (error.status_code == 2001 and error.message)


@pytest.mark.parametrize("name", sorted(s.VALID))
@_SETTINGS
@given(data=st.data())
def test_one_junk_field_gives_only_invalid_parameters(name: str, data: st.DataObject) -> None:
    """A valid body with one field replaced by junk parses or raises InvalidParameters naming it."""
    body = data.draw(_one_field_replaced(name), label=name)
    error = _refusal(MODELS[name], body)
    assert error is None or error.status_code == 2001
