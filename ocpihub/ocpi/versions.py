"""The version × module matrix, as the rest of the hub reads it from the module table.

What each version contains, who offers which interface and how a 2.1.1 partner (whose endpoints
carry no role) sees the hub are declared once, in ``ocpi/modules.py``; this module derives the
matrix from it and keeps the names older code imports. The hub's URLs are the same in every
version: ``/ocpi/{version}/{module}/{sender|receiver}``.
"""

from __future__ import annotations

from ocpihub.ocpi.modules import (
    SUPPORTED_VERSIONS,
    InterfaceRole,
    ModuleId,
    hub_interface_for_211,
    modules_of,
)

__all__ = [
    "MODULES",
    "SUPPORTED_VERSIONS",
    "InterfaceRole",
    "ModuleId",
    "hub_interface_for_211",
    "parse_version",
]

MODULES: dict[str, frozenset[ModuleId]] = {
    version: frozenset(m.id for m in modules_of(version)) for version in SUPPORTED_VERSIONS
}
"""Modules each version defines (payments and bookings: 2.3.0 only, digest §1.1, §7 item 3)."""


def parse_version(value: str) -> tuple[int, ...]:
    """A sortable key for a version number such as ``2.2.1`` (``2.2`` sorts just below it)."""
    parts = []
    for piece in value.split("."):
        if not piece.isdigit():
            raise ValueError(f"not a version number: {value!r}")
        parts.append(int(piece))
    return tuple(parts)
