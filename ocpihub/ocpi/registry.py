"""Wire models by version and object name, for code that is generic over versions."""

from __future__ import annotations

import importlib

from ocpihub.ocpi.fields import OcpiModel

__all__ = ["model", "models"]

_PACKAGES = {"2.1.1": "v2_1_1", "2.2.1": "v2_2_1", "2.3.0": "v2_3_0"}


def models(version: str) -> dict[str, type[OcpiModel]]:
    """Every body model of ``version`` by object name (``Location``, ``EVSEPatch``, ...)."""
    package = importlib.import_module(f"ocpihub.ocpi.{_PACKAGES[version]}")
    found: dict[str, type[OcpiModel]] = package.MODELS
    return found


def model(version: str, name: str) -> type[OcpiModel]:
    """One body model; KeyError when ``version`` has no such object."""
    return models(version)[name]
