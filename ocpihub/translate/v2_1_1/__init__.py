"""OCPI 2.1.1 ↔ canonical (2.3.0): the translators, one table per direction.

:data:`UP` turns validated 2.1.1 wire JSON into canonical JSON, :data:`DOWN` canonical JSON
into 2.1.1 wire JSON plus a loss report; both are keyed by object name. ``CommandResponse`` is
the synchronous answer to a command and ``CommandResult`` the asynchronous result, which 2.1.1
sends as a ``CommandResponse`` body too (digest §7 item 15). ``TariffPatch`` exists only in
2.1.1; its canonical twin is a partial Tariff.

The rules (legacy keys for exact round trips, ids, money, dates, unknown fields) are described
in :mod:`.common`, the enum fallbacks in :mod:`.enums`, and each module's own rules in its
docstring.
"""

from __future__ import annotations

from ocpihub.translate import Down, Up
from ocpihub.translate.v2_1_1 import (
    cdrs,
    commands,
    credentials,
    locations,
    sessions,
    tariffs,
    tokens,
    versions,
)

__all__ = ["DOWN", "UP"]

_MODULES = (locations, sessions, cdrs, tariffs, tokens, commands, credentials, versions)

UP: dict[str, Up] = {name: up for module in _MODULES for name, up in module.UP.items()}
"""2.1.1 wire JSON → canonical JSON, by object name."""

DOWN: dict[str, Down] = {name: down for module in _MODULES for name, down in module.DOWN.items()}
"""Canonical JSON → (2.1.1 wire JSON, loss report), by object name."""
