"""OCPI 2.3.0 Sessions module (digest §3.2, §4.4 "Sessions").

A Receiver accepts PUT and PATCH of a Session; the PATCH twin :data:`SessionPatch` keeps
``last_updated`` required (digest §1.3). In a PATCH, ``charging_periods`` is appended to the
stored list rather than replacing it: that is a semantic of the receiver, not of the wire shape.
The Sender's charging-preferences PUT carries :class:`ChargingPreferences` and answers a bare
``ChargingPreferencesResponse`` enum string.
"""

from __future__ import annotations

from typing import Annotated

from ocpihub.ocpi.fields import Boolean, DateTime, Number, OcpiModel, String, partial_model
from ocpihub.ocpi.v2_3_0.common import (
    CdrToken,
    ChargingPeriod,
    CiString36,
    CountryCode,
    Currency,
    PartyId,
    Price,
)
from ocpihub.ocpi.v2_3_0.enums import AuthMethod, ProfileType, SessionStatus

__all__ = ["ChargingPreferences", "Session", "SessionPatch"]


class Session(OcpiModel):
    """A charging session (or reservation) at a CPO, reported to the token's eMSP."""

    country_code: CountryCode
    party_id: PartyId
    id: CiString36
    start_date_time: DateTime
    end_date_time: DateTime | None = None
    kwh: Number
    cdr_token: CdrToken
    auth_method: AuthMethod
    authorization_reference: CiString36 | None = None
    location_id: CiString36
    evse_uid: CiString36
    connector_id: CiString36
    meter_id: Annotated[str, String(255)] | None = None
    currency: Currency
    charging_periods: list[ChargingPeriod] | None = None
    total_cost: Price | None = None
    status: SessionStatus
    last_updated: DateTime


class ChargingPreferences(OcpiModel):
    """A driver's wishes for one session: profile, departure time, energy need."""

    profile_type: ProfileType
    departure_time: DateTime | None = None
    energy_need: Number | None = None
    discharge_allowed: Boolean | None = None


SessionPatch = partial_model(Session, required=["last_updated"])
"""PATCH body of a Session: any subset of fields, ``last_updated`` always present."""
