"""Strict partner input, fuzzed: a number, integer or boolean sent as another JSON type is
refused with 2001 naming the field, in every version's wire models (issue 15.15, 16).

Each case draws a valid body from the version's strategies, picks one number or boolean leaf
anywhere in it, and replaces it with what lenient servers accept: the number as a string, a
boolean for a number, a number or string for a boolean.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ocpihub.errors import InvalidParameters
from ocpihub.ocpi import v2_1_1, v2_2_1, v2_3_0
from ocpihub.ocpi.fields import parse
from tests.unit.ocpi import strategies_v2_1_1, strategies_v2_2_1, strategies_v2_3_0

_SETTINGS = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])

VERSIONS: dict[str, tuple[dict[str, Any], dict[str, Callable[[], Any]]]] = {
    "2.1.1": (v2_1_1.MODELS, strategies_v2_1_1.VALID),
    "2.2.1": (v2_2_1.MODELS, strategies_v2_2_1.BY_MODEL),
    "2.3.0": (v2_3_0.MODELS, strategies_v2_3_0.VALID),
}
CASES = [(version, name) for version, (_, valid) in VERSIONS.items() for name in sorted(valid)]

Path = tuple[str | int, ...]


def typed_leaves(value: Any, path: Path = ()) -> Iterator[tuple[Path, Any]]:
    """Every number and boolean in a JSON value, with its path."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from typed_leaves(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from typed_leaves(item, (*path, index))
    elif isinstance(value, bool | int | float):
        yield path, value


def replaced(body: Any, path: Path, new: Any) -> Any:
    """A copy of ``body`` with the value at ``path`` replaced."""
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(body, dict):
        return {k: replaced(v, rest, new) if k == head else v for k, v in body.items()}
    return [replaced(v, rest, new) if i == head else v for i, v in enumerate(body)]


def lenient_forms(value: bool | int | float) -> list[Any]:
    """What a lenient server would take in place of ``value``."""
    if isinstance(value, bool):
        return [int(value), str(value).lower(), "1" if value else "0"]
    return [str(value), True, False]


def spelled(path: Path) -> str:
    """A path as the hub's messages spell it: ``evses[0].connectors[1].amperage``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


@pytest.mark.parametrize(("version", "name"), CASES)
@_SETTINGS
@given(data=st.data())
def test_numbers_and_booleans_are_never_coerced(
    version: str, name: str, data: st.DataObject
) -> None:
    models, valid = VERSIONS[version]
    body = data.draw(valid[name](), label=name)
    leaves = list(typed_leaves(body))
    if not leaves:  # this body has no number or boolean (many models have none at all)
        return
    path, value = data.draw(st.sampled_from(leaves), label="leaf")
    wrong = data.draw(st.sampled_from(lenient_forms(value)), label="sent")
    with pytest.raises(InvalidParameters) as refused:
        parse(models[name], replaced(body, path, wrong))
    assert refused.value.status_code == 2001
    assert spelled(path) in refused.value.message, refused.value.message
