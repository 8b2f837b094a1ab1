"""ChargingProfiles module of OCPI 2.2.1 (new in 2.2; absent from 2.1.1).

Request and answer bodies between a smart-charging party (SCSP or eMSP) and a CPO:
:class:`SetChargingProfile` (PUT to the CPO), :class:`ChargingProfileResponse` (the CPO's
synchronous answer to GET/PUT/DELETE), the asynchronous results posted to ``response_url``
(:class:`ActiveChargingProfileResult`, :class:`ChargingProfileResult`,
:class:`ClearProfileResult`), and :class:`ActiveChargingProfile` (PUT by the CPO when the
active profile changes). Charging-profile PATCH is not defined.
"""

from __future__ import annotations

from ocpihub.ocpi.fields import DateTime, Integer, Number, OcpiModel, Url

from .enums import ChargingProfileResponseType, ChargingProfileResultType, ChargingRateUnit

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
    """One step of a profile: from ``start_period`` seconds on, at most ``limit`` W or A."""

    start_period: Integer
    limit: Number


class ChargingProfile(OcpiModel):
    """A schedule of charging limits."""

    start_date_time: DateTime | None = None
    duration: Integer | None = None
    charging_rate_unit: ChargingRateUnit
    min_charging_rate: Number | None = None
    charging_profile_period: list[ChargingProfilePeriod] | None = None


class ActiveChargingProfile(OcpiModel):
    """The profile actually in force for a session, from ``start_date_time`` on."""

    start_date_time: DateTime
    charging_profile: ChargingProfile


class SetChargingProfile(OcpiModel):
    """Request to set a new charging profile on a session."""

    charging_profile: ChargingProfile
    response_url: Url


class ChargingProfileResponse(OcpiModel):
    """The CPO's synchronous answer to a charging-profile request; ``timeout`` in seconds."""

    result: ChargingProfileResponseType
    timeout: Integer


class ActiveChargingProfileResult(OcpiModel):
    """Asynchronous result of a GET of the active profile, with the profile when accepted."""

    result: ChargingProfileResultType
    profile: ActiveChargingProfile | None = None


class ChargingProfileResult(OcpiModel):
    """Asynchronous result of setting a charging profile."""

    result: ChargingProfileResultType


class ClearProfileResult(OcpiModel):
    """Asynchronous result of clearing a charging profile."""

    result: ChargingProfileResultType
