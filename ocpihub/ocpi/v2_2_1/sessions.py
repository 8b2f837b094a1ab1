"""Sessions module of OCPI 2.2.1: Session and charging preferences.

A Session PATCH must carry ``last_updated`` (digest §1.3); a PATCH carrying
``charging_periods`` appends to the stored list (applying that is the hub's job, the body shape
is the same). The answer to PUT ``charging_preferences`` is a bare
:class:`~.enums.ChargingPreferencesResponse` value, not an object.
"""

from __future__ import annotations

from typing import Annotated

from ocpihub.ocpi.fields import (
    Boolean,
    CurrencyCode,
    DateTime,
    Number,
    OcpiModel,
    String,
    partial_model,
)

from .cdrs import CdrToken, ChargingPeriod
from .common import CountryCode, Id36, PartyId, Price
from .enums import AuthMethod, ProfileType, SessionStatus

__all__ = ["ChargingPreferences", "Session", "SessionPatch"]


class Session(OcpiModel):
    """A charging session in progress (or just finished), as the CPO reports it."""

    country_code: CountryCode
    party_id: PartyId
    id: Id36
    start_date_time: DateTime
    end_date_time: DateTime | None = None
    kwh: Number
    cdr_token: CdrToken
    auth_method: AuthMethod
    authorization_reference: Id36 | None = None
    location_id: Id36
    evse_uid: Id36
    connector_id: Id36
    meter_id: Annotated[str, String(255)] | None = None
    currency: CurrencyCode
    charging_periods: list[ChargingPeriod] | None = None
    total_cost: Price | None = None
    status: SessionStatus
    last_updated: DateTime


SessionPatch = partial_model(Session, required=["last_updated"])
"""PATCH body of a Session: any subset of fields, ``last_updated`` always present."""


class ChargingPreferences(OcpiModel):
    """A driver's smart-charging wishes for one session (PUT by the eMSP)."""

    profile_type: ProfileType
    departure_time: DateTime | None = None
    energy_need: Number | None = None
    discharge_allowed: Boolean | None = None
