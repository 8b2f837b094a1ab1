"""OCPI 2.1.1 Sessions module: Session.

A 2.1.1 Session names its times ``start_datetime``/``end_datetime`` (no underscore between
date and time, unlike ChargingPeriod and CDR), refers to the token by ``auth_id``, embeds the
Location with only the EVSE and connector in use, and has ``total_cost`` as a number excluding
VAT (digest §4.3 Sessions). 2.1.1 defines no append rule for ``charging_periods`` in a PATCH.
"""

from __future__ import annotations

from typing import Annotated

from ocpihub.ocpi.fields import CurrencyCode, DateTime, Number, OcpiModel, String, partial_model
from ocpihub.ocpi.v2_1_1.cdrs import ChargingPeriod
from ocpihub.ocpi.v2_1_1.enums import AuthMethod, SessionStatus
from ocpihub.ocpi.v2_1_1.locations import Location

__all__ = ["Session", "SessionPatch"]


class Session(OcpiModel):
    """A charging session, pushed by the CPO while it runs."""

    id: Annotated[str, String(36)]
    start_datetime: DateTime
    end_datetime: DateTime | None = None
    kwh: Number
    auth_id: Annotated[str, String(36)]
    auth_method: AuthMethod
    location: Location
    meter_id: Annotated[str, String(255)] | None = None
    currency: CurrencyCode
    charging_periods: list[ChargingPeriod] | None = None
    total_cost: Number | None = None
    status: SessionStatus
    last_updated: DateTime


SessionPatch = partial_model(Session)
"""PATCH body for a Session (eMSP interface)."""
