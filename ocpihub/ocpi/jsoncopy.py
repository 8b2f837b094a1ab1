"""Copying JSON trees (dicts, lists and scalars), several times faster than ``copy.deepcopy``.

Translators and merges rewrite private copies of JSON documents. ``copy.deepcopy`` pays for
generality they never need (a memo of every object, dispatch per type, ``__deepcopy__``
lookups); a JSON tree has only dicts, lists and immutable scalars. Anything else is shared as
it is, like an atom (documents decoded from JSON hold nothing else).
"""

from __future__ import annotations

from typing import Any, TypeVar

__all__ = ["json_copy"]

T = TypeVar("T")


def json_copy(value: T) -> T:
    """A copy of the JSON tree ``value``: new dicts and lists all the way down."""
    kind = type(value)
    if kind is dict:
        return {key: _copy(item) for key, item in value.items()}  # type: ignore[attr-defined,return-value]
    if kind is list:
        return [_copy(item) for item in value]  # type: ignore[attr-defined,return-value]
    return value


def _copy(value: Any) -> Any:
    kind = type(value)
    if kind is dict:
        return {key: _copy(item) for key, item in value.items()}
    if kind is list:
        return [_copy(item) for item in value]
    return value
