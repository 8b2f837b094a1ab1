"""Property tests of the 2.2.1 wire models: valid bodies round-trip, garbage yields only 2001."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ocpihub.errors import InvalidParameters
from ocpihub.ocpi.fields import dump, parse
from ocpihub.ocpi.v2_2_1 import MODELS
from tests.unit.ocpi import strategies_v2_2_1 as s

_SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _json(floats: st.SearchStrategy[float]) -> st.SearchStrategy[Any]:
    return st.recursive(
        st.none() | st.booleans() | st.integers() | floats | st.text(max_size=50),
        lambda children: (
            st.lists(children, max_size=4)
            | st.dictionaries(st.text(max_size=12), children, max_size=4)
        ),
        max_leaves=20,
    )


wire_json = _json(st.floats(allow_nan=False, allow_infinity=False))
"""Any JSON value a strict parser (orjson) can produce."""

json_values = _json(st.floats(allow_nan=False))
"""Any JSON value, infinities included (Python's json module accepts them as an extension)."""


def _refusal(name: str, body: Any) -> InvalidParameters | None:
    """Parse ``body`` into ``MODELS[name]``: None when accepted, the 2001 error when refused.

    Any other exception propagates and fails the test.
    """
    try:
        parse(MODELS[name], body)
    except InvalidParameters as exc:
        return exc
    return None


def test_every_model_has_a_strategy() -> None:
    """The strategies module knows how to build a valid body for every model in MODELS."""
    assert set(s.BY_MODEL) == set(MODELS)


@pytest.mark.parametrize("name", sorted(MODELS))
@_SETTINGS
@given(data=st.data())
def test_valid_bodies_round_trip(name: str, data: st.DataObject) -> None:
    """A generated valid body parses and dumps back to exactly the same JSON."""
    body = data.draw(s.BY_MODEL[name](), label=name)
    assert dump(parse(MODELS[name], body)) == body


@_SETTINGS
@given(body=s.locations(), extra=st.dictionaries(st.text("xyz_", min_size=3), wire_json))
def test_unknown_fields_survive_round_trip(body: dict[str, Any], extra: dict[str, Any]) -> None:
    """Unknown top-level fields of a valid Location are kept verbatim."""
    merged = {**extra, **body}
    assert dump(parse(MODELS["Location"], merged)) == merged


@pytest.mark.parametrize("name", sorted(MODELS))
@settings(max_examples=25, deadline=None)
@given(junk=json_values)
def test_garbage_raises_only_invalid_parameters(name: str, junk: Any) -> None:
    """Arbitrary JSON into any model either parses or raises InvalidParameters, nothing else."""
    error = _refusal(name, junk)
    assert error is None or (error.status_code == 2001 and error.message)


@pytest.mark.parametrize("name", sorted(MODELS))
@_SETTINGS
@given(data=st.data(), junk=json_values)
def test_one_junk_field_raises_only_invalid_parameters(
    name: str, data: st.DataObject, junk: Any
) -> None:
    """A valid body with one field replaced by junk parses or yields a 2001 naming that field."""
    body = data.draw(s.BY_MODEL[name](), label=name)
    field = data.draw(st.sampled_from(sorted(body)), label="field")
    body[field] = junk
    error = _refusal(name, body)
    assert error is None or (error.status_code == 2001 and error.message.startswith(field))
