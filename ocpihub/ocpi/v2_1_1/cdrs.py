"""OCPI 2.1.1 CDRs module: CDR, ChargingPeriod, CdrDimension.

A 2.1.1 CDR embeds the whole Location (with only the EVSE and connector used), refers to the
token by ``auth_id``, ends at ``stop_date_time``, and has a single ``total_cost`` number
excluding VAT (digest §4.3 CDRs). ChargingPeriod and CdrDimension are also used by Sessions.
CDRs are only ever POSTed whole, so there is no PATCH model.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from ocpihub.ocpi.fields import CiString, CurrencyCode, DateTime, Number, OcpiModel, String
from ocpihub.ocpi.v2_1_1.enums import AuthMethod, CdrDimensionType
from ocpihub.ocpi.v2_1_1.locations import Location
from ocpihub.ocpi.v2_1_1.tariffs import Tariff

__all__ = ["CDR", "CdrDimension", "ChargingPeriod"]


class CdrDimension(OcpiModel):
    """A measured volume of one dimension in a charging period."""

    type: CdrDimensionType
    volume: Number


class ChargingPeriod(OcpiModel):
    """A period of a session with its measured dimensions; it ends where the next begins."""

    start_date_time: DateTime
    dimensions: Annotated[list[CdrDimension], Field(min_length=1)]


class CDR(OcpiModel):
    """The final record of a charging session and its cost."""

    id: Annotated[str, CiString(36)]
    start_date_time: DateTime
    stop_date_time: DateTime
    auth_id: Annotated[str, String(36)]
    auth_method: AuthMethod
    location: Location
    meter_id: Annotated[str, String(255)] | None = None
    currency: CurrencyCode
    tariffs: list[Tariff] | None = None
    charging_periods: Annotated[list[ChargingPeriod], Field(min_length=1)]
    total_cost: Number
    total_energy: Number
    total_time: Number
    total_parking_time: Number | None = None
    remark: Annotated[str, String(255)] | None = None
    last_updated: DateTime
