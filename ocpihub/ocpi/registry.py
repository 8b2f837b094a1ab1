"""Wire models by version and object name, for code that is generic over versions, and the
open enums the versions declare with the rule for an operator's own values.

Code outside ``ocpi/`` and ``translate/`` reaches a version's models through here, never by
importing a ``v2_x_x`` package (tests/unit/test_version_edges.py).
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

from ocpihub.errors import InvalidParameters, NotFound
from ocpihub.ocpi.modules import SUPPORTED_VERSIONS
from ocpihub.ocpi.open_enums import OPEN_ENUMS

if TYPE_CHECKING:
    from ocpihub.ocpi.fields import OcpiModel

__all__ = [
    "check_custom_value",
    "model",
    "models",
    "open_enum_names",
    "open_enums",
    "validate_custom_values",
]

_PACKAGES = {v: "v" + v.replace(".", "_") for v in SUPPORTED_VERSIONS}


def models(version: str) -> dict[str, type[OcpiModel]]:
    """Every body model of ``version`` by object name (``Location``, ``EVSEPatch``, ...)."""
    package = importlib.import_module(f"ocpihub.ocpi.{_PACKAGES[version]}")
    found: dict[str, type[OcpiModel]] = package.MODELS
    return found


def model(version: str, name: str) -> type[OcpiModel]:
    """One body model; KeyError when ``version`` has no such object."""
    return models(version)[name]


def open_enums() -> Mapping[str, frozenset[str]]:
    """Every open enum a version declares (2.3.0's OpenEnums, digest §5) by name: the spec's
    values. Read from ``ocpi/open_enums.py``, which imports nothing: no wire model is loaded
    (the versions' wire enums type their open fields with the same classes,
    tests/unit/ocpi/test_open_enums.py)."""
    return OPEN_ENUMS


def open_enum_names() -> list[str]:
    """The open enums, by name."""
    return sorted(open_enums())


_VALUE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,254}$")


def check_custom_value(enum_name: str, value: str) -> None:
    """Raise NotFound when ``enum_name`` is no open enum, InvalidParameters when ``value``
    cannot be one of its values (the operator's own values, ``hub/enums.py``)."""
    if enum_name not in open_enums():
        raise NotFound(
            f"{enum_name!r} is not an open enum; open enums are: {', '.join(open_enum_names())}"
        )
    if not isinstance(value, str) or not _VALUE.match(value):
        raise InvalidParameters(
            f"value {value!r} for {enum_name}: use 1-255 letters, digits, '_', '-' or '.', "
            "starting with a letter or digit"
        )


def validate_custom_values(values: Mapping[str, list[str]]) -> None:
    """Raise InvalidParameters/NotFound for a configured enum name or value that cannot be
    (the ``custom_enum_values`` setting)."""
    for name, listed in values.items():
        for value in listed:
            check_custom_value(name, value)
