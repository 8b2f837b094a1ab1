"""json_copy: a deep copy of JSON trees, independent of the original."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from ocpihub.ocpi.jsoncopy import json_copy

scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
trees = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=30,
)


@given(trees)
def test_equal_to_deepcopy(tree: Any) -> None:
    """The copy equals what ``copy.deepcopy`` gives."""
    assert json_copy(tree) == copy.deepcopy(tree)


def test_nested_containers_are_new() -> None:
    """Changing the copy at any depth leaves the original as it was."""
    original = {"evses": [{"connectors": [{"id": "1"}]}], "name": "x"}
    copied = json_copy(original)
    copied["evses"][0]["connectors"][0]["id"] = "2"
    copied["evses"].append({})
    copied["name"] = "y"
    assert original == {"evses": [{"connectors": [{"id": "1"}]}], "name": "x"}
    assert copied["evses"] is not original["evses"]
