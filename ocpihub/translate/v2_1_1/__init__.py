"""OCPI 2.1.1 ↔ canonical (2.3.0) translators (provisional table while modules land)."""

from __future__ import annotations

from ocpihub.translate.v2_1_1 import cdrs, locations, sessions, tariffs

UP = {**locations.UP, **sessions.UP, **cdrs.UP, **tariffs.UP}
DOWN = {**locations.DOWN, **sessions.DOWN, **cdrs.DOWN, **tariffs.DOWN}
