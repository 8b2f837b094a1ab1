"""ChargingProfiles on the 2.2.1 bridge: the same objects and enums in 2.2.1 and 2.3.0
(digest §4.3 "ChargingProfiles, HubClientInfo": only a heading was renamed), so both ways copy.
"""

from __future__ import annotations

from ocpihub.translate import Down, Up

from .common import identity_down, identity_up

__all__ = ["DOWN", "UP"]

_NAMES = (
    "SetChargingProfile",
    "ActiveChargingProfile",
    "ChargingProfileResponse",
    "ActiveChargingProfileResult",
    "ChargingProfileResult",
    "ClearProfileResult",
)

UP: dict[str, Up] = {name: identity_up for name in _NAMES}
DOWN: dict[str, Down] = {name: identity_down for name in _NAMES}
