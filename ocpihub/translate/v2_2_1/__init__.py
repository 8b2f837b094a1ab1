"""The OCPI 2.2.1 ↔ canonical (2.3.0) bridge: :data:`UP` and :data:`DOWN` by object name.

One module per OCPI module; :mod:`.common` holds the machinery (translation state, JSON paths,
legacy values, money) and :mod:`.enums` the value tables with every documented fallback.

Policies that hold for every object (details in each module's docstring):

- UP output validates as the 2.3.0 model of the same name; what 2.2.1 says and 2.3.0 cannot
  hold goes to ``_ocpihub.legacy["2.2.1"]`` (JSON path → value) and DOWN restores it, so
  ``DOWN(UP(x)) == x`` with no loss for every valid 2.2.1 ``x`` — except a 2.2-style
  ``cdr_token`` without owner, which UP completes and DOWN always emits complete.
- DOWN output validates as the 2.2.1 model; everything 2.2.1 cannot express is named in the
  loss report (JSON path, value, reason). Null and empty values carry nothing and are no loss.
- Fields neither version defines (a sender's extensions) are kept both ways: 2.3.0 requires
  receivers to accept them, and older partners ignore them in practice.
- DOWN never emits ``_ocpihub``; UP drops one that a partner sent.
"""

from __future__ import annotations

from ocpihub.translate import Down, Up

from . import (
    cdrs,
    charging_profiles,
    commands,
    credentials,
    hub_client_info,
    locations,
    sessions,
    tariffs,
    tokens,
    versions,
)

__all__ = ["DOWN", "UP"]

_MODULES = (
    versions,
    credentials,
    locations,
    sessions,
    cdrs,
    tariffs,
    tokens,
    commands,
    charging_profiles,
    hub_client_info,
)

UP: dict[str, Up] = {name: fn for module in _MODULES for name, fn in module.UP.items()}
"""2.2.1 wire JSON → canonical JSON, by object name."""
DOWN: dict[str, Down] = {name: fn for module in _MODULES for name, fn in module.DOWN.items()}
"""Canonical JSON → (2.2.1 wire JSON, loss report), by object name."""
