"""Enum value tables between the canonical model (2.3.0) and OCPI 2.1.1.

Every 2.1.1 enum is closed, so a canonical value 2.1.1 lacks (a value added in 2.2/2.3.0, or an
operator-registered custom open-enum value, digest §5) must be mapped to a 2.1.1 value or its
field/element dropped, with a loss entry either way. The tables below are the whole policy;
each mapping is explicit so that the operator can read what a 2.1.1 partner will see.

Down (canonical → 2.1.1), value by value (digest §4.3, §5):

- ConnectorType: ``SAE_J3400`` → ``TESLA_S`` (same plug, NACS is Tesla's connector); any other
  value 2.1.1 lacks (GB/T, NEMA, ChaoJi, DOMESTIC_M/N/O, pantographs, MCS, custom) has no safe
  equivalent: the connector is dropped from Locations. CDRs are never dropped (digest §7 item
  18): there :data:`CDR_CONNECTOR_FALLBACK` picks the common European plug of the power type.
- PowerType: ``AC_2_PHASE`` and ``AC_2_PHASE_SPLIT`` → ``AC_1_PHASE`` (conservative: no more
  power is promised than two phases can give).
- ParkingType → LocationType: ``ALONG_MOTORWAY``, ``ON_DRIVEWAY`` and custom values → ``OTHER``;
  no parking type at all → ``UNKNOWN`` (not a loss: nothing was known).
- Capability, Facility, ParkingRestriction: values 2.1.1 lacks are dropped from the list.
- ImageCategory: custom values → ``OTHER``.
- EnvironmentalImpactCategory: custom values → the impact entry is dropped.
- TokenType: ``AD_HOC_USER``, ``APP_USER``, ``EMAID``, ``LICENSE_PLATE`` and custom → ``OTHER``.
- SessionStatus: ``RESERVATION`` → ``PENDING``.
- AuthMethod: ``COMMAND`` → ``AUTH_REQUEST``.
- CdrDimensionType: values 2.1.1 lacks are dropped from the charging period.
- CommandResultType → CommandResponseType: ``CANCELED_RESERVATION``, ``EVSE_OCCUPIED``,
  ``EVSE_INOPERATIVE``, ``FAILED``, ``UNKNOWN_RESERVATION`` → ``REJECTED``.
- ModuleID: modules 2.1.1 lacks (and custom ones) are dropped from version details.

Up (2.1.1 → canonical), the only values without a canonical twin: LocationType ``OTHER`` and
``UNKNOWN`` (no parking type), CdrDimensionType ``FLAT`` (dropped, kept as legacy), async
CommandResponseType ``UNKNOWN_SESSION`` → CommandResult ``FAILED``, and sync ``TIMEOUT`` →
CommandResponse ``REJECTED`` (both kept as legacy so a 2.1.1 round trip is exact).
"""

from __future__ import annotations

from enum import StrEnum

from ocpihub.ocpi.v2_1_1 import enums as v211

__all__ = [
    "ASYNC_RESULT_UP",
    "CDR_CONNECTOR_FALLBACK",
    "KNOWN",
    "LOCATION_TYPE_UP",
    "SYNC_RESPONSE_UP",
    "map_down",
]


def _values(cls: type[StrEnum]) -> frozenset[str]:
    return frozenset(member.value for member in cls)


KNOWN: dict[str, frozenset[str]] = {
    "AuthMethod": _values(v211.AuthMethod),
    "Capability": _values(v211.Capability),
    "CdrDimensionType": _values(v211.CdrDimensionType),
    "CommandResultType": _values(v211.CommandResponseType),
    "CommandResponseType": _values(v211.CommandResponseType),
    "ConnectorType": _values(v211.ConnectorType),
    "EnvironmentalImpactCategory": _values(v211.EnvironmentalImpactCategory),
    "Facility": _values(v211.Facility),
    "ImageCategory": _values(v211.ImageCategory),
    "ModuleID": _values(v211.ModuleID),
    "ParkingRestriction": _values(v211.ParkingRestriction),
    "ParkingType": _values(v211.LocationType),
    "PowerType": _values(v211.PowerType),
    "SessionStatus": _values(v211.SessionStatus),
    "TokenType": _values(v211.TokenType),
    "VersionNumber": _values(v211.VersionNumber),
}
"""The 2.1.1 values of each canonical enum (by its 2.3.0 name)."""

_MAPPED: dict[str, dict[str, str]] = {
    "ConnectorType": {"SAE_J3400": "TESLA_S"},
    "PowerType": {"AC_2_PHASE": "AC_1_PHASE", "AC_2_PHASE_SPLIT": "AC_1_PHASE"},
    "SessionStatus": {"RESERVATION": "PENDING"},
    "AuthMethod": {"COMMAND": "AUTH_REQUEST"},
}

_FALLBACK: dict[str, str] = {
    "ParkingType": "OTHER",
    "ImageCategory": "OTHER",
    "TokenType": "OTHER",
    "CommandResultType": "REJECTED",
    # async results new in 2.2 are all failures of some kind; UNKNOWN_SESSION would be wrong
    "CommandResponseType": "REJECTED",
}

CDR_CONNECTOR_FALLBACK: dict[str, str] = {
    "AC_1_PHASE": "IEC_62196_T2",
    "AC_3_PHASE": "IEC_62196_T2",
    "DC": "IEC_62196_T2_COMBO",
}
"""CDR-only fallback for a connector standard 2.1.1 lacks, by (2.1.1) power type."""

LOCATION_TYPE_UP: dict[str, str | None] = {
    "ON_STREET": "ON_STREET",
    "PARKING_GARAGE": "PARKING_GARAGE",
    "UNDERGROUND_GARAGE": "UNDERGROUND_GARAGE",
    "PARKING_LOT": "PARKING_LOT",
    "OTHER": None,
    "UNKNOWN": None,
}
"""2.1.1 LocationType → canonical ParkingType (``None``: no parking type)."""

ASYNC_RESULT_UP: dict[str, str] = {
    "ACCEPTED": "ACCEPTED",
    "REJECTED": "REJECTED",
    "NOT_SUPPORTED": "NOT_SUPPORTED",
    "TIMEOUT": "TIMEOUT",
    "UNKNOWN_SESSION": "FAILED",
}
"""2.1.1 async CommandResponse result → canonical CommandResult result (digest §4.3 Commands)."""

SYNC_RESPONSE_UP: dict[str, str] = {
    "ACCEPTED": "ACCEPTED",
    "REJECTED": "REJECTED",
    "NOT_SUPPORTED": "NOT_SUPPORTED",
    "UNKNOWN_SESSION": "UNKNOWN_SESSION",
    "TIMEOUT": "REJECTED",
}
"""2.1.1 sync CommandResponse result → canonical CommandResponse result (no TIMEOUT in 2.2+)."""


def map_down(enum: str, value: str) -> str | None:
    """The 2.1.1 value for canonical ``value`` of enum ``enum``; ``None`` when it has none."""
    if value in KNOWN[enum]:
        return value
    mapped = _MAPPED.get(enum, {}).get(value)
    if mapped is not None:
        return mapped
    return _FALLBACK.get(enum)
