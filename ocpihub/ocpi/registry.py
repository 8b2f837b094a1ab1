"""Wire models by version and object name, for code that is generic over versions.

Code outside ``ocpi/`` and ``translate/`` reaches a version's models through here, never by
importing a ``v2_x_x`` package (tests/unit/test_version_edges.py).
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping

from ocpihub.ocpi.fields import OPEN_ENUM_VALUES, OcpiModel
from ocpihub.ocpi.modules import SUPPORTED_VERSIONS

__all__ = ["model", "models", "open_enums"]

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
    values. Importing a version's enums declares its open enums."""
    for package in _PACKAGES.values():
        importlib.import_module(f"ocpihub.ocpi.{package}.enums")
    return OPEN_ENUM_VALUES
