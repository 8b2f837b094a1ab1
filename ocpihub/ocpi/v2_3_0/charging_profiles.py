"""OCPI 2.3.0 ChargingProfiles module (digest §3.7, §4.4 "ChargingProfiles").

Request bodies: :class:`SetChargingProfile` (PUT to the CPO) and :class:`ActiveChargingProfile`
(PUT by the CPO to the Sender). Answers: :class:`ChargingProfileResponse` at once, then one of
:class:`ActiveChargingProfileResult`, :class:`ChargingProfileResult`, :class:`ClearProfileResult`
POSTed to the ``response_url``. No object of this module is PATCHed.
"""

from __future__ import annotations

from ocpihub.ocpi.fields import DateTime, Integer, Number, OcpiModel, Url
from ocpihub.ocpi.v2_3_0.enums import (
    ChargingProfileResponseType,
    ChargingProfileResultType,
    ChargingRateUnit,
)

__all__ = [
    "ActiveChargingProfile",
    "ActiveChargingProfileResult",
    "ChargingProfile",
    "ChargingProfilePeriod",
    "ChargingProfileResponse",
    "ChargingProfileResult",
    "ClearProfileResult",
    "SetChargingProfile",
]


class ChargingProfilePeriod(OcpiModel):
    """A power or current limit from ``start_period`` seconds after the profile start."""

    start_period: Integer
    limit: Number


class ChargingProfile(OcpiModel):
    """A schedule of charging limits for one session."""

    start_date_time: DateTime | None = None
    duration: Integer | None = None
    charging_rate_unit: ChargingRateUnit
    min_charging_rate: Number | None = None
    charging_profile_period: list[ChargingProfilePeriod] | None = None


class ActiveChargingProfile(OcpiModel):
    """The profile a charge point currently applies, as computed at ``start_date_time``."""

    start_date_time: DateTime
    charging_profile: ChargingProfile


class SetChargingProfile(OcpiModel):
    """Request to set a charging profile on a session."""

    charging_profile: ChargingProfile
    response_url: Url


class ChargingProfileResponse(OcpiModel):
    """A CPO's immediate answer to a charging profile request."""

    result: ChargingProfileResponseType
    timeout: Integer


class ActiveChargingProfileResult(OcpiModel):
    """Asynchronous answer to a GET of the active profile."""

    result: ChargingProfileResultType
    profile: ActiveChargingProfile | None = None


class ChargingProfileResult(OcpiModel):
    """Asynchronous answer to a SetChargingProfile."""

    result: ChargingProfileResultType


class ClearProfileResult(OcpiModel):
    """Asynchronous answer to a profile DELETE."""

    result: ChargingProfileResultType
