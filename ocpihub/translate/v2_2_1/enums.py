"""Enum values on the 2.2.1 bridge: what 2.2.1 knows, and the fallback tables for the rest.

Going up, every 2.2.1 value exists in 2.3.0 except ``Role.HUB`` (mapped to ``OTHER``, the
original kept as legacy). Going down, a canonical value 2.2.1 lacks is either a value new in
2.3.0 (or in the bookings edition) or an operator-registered custom value of a 2.3.0 open enum
(digest §5). Each is mapped with the tables below, or dropped by the caller, always with a loss
entry (digest §4.3, §5):

==========================  ==================================  ==================================
enum                        canonical value                     2.2.1
==========================  ==================================  ==================================
ConnectorType               ``SAE_J3400``                       ``TESLA_S`` (same plug)
ConnectorType               ``MCS``, custom                     connector dropped from its EVSE;
                                                                where the object must survive (a
                                                                CDR, a lone Connector/EVSE body):
                                                                ``IEC_62196_T2_COMBO`` for DC,
                                                                ``IEC_62196_T2`` otherwise
TokenType                   ``EMAID``, ``LICENSE_PLATE``, custom ``OTHER``
ImageCategory               custom                              ``OTHER``
CdrDimensionType            ``RESERVATION_EXPIRES``,            ``RESERVATION_TIME``
                            ``RESERVATION_OVERTIME``
ReservationRestrictionType  ``RESERVATION_CANCELLATION_FEES``,  tariff element dropped; if no
                            ``RESERVATION_OVERTIME``            element is left: ``RESERVATION``
Capability, Facility,       ``EMPLOYEES``/``TAXIS``/            value dropped from the list
ParkingRestriction          ``TENANTS``, custom
ParkingType                 custom                              field dropped (it is optional)
EnvironmentalImpactCategory custom                              impact dropped from the list
VersionNumber               ``2.3.0``, custom                   cannot be said: MissingContext
ModuleID                    ``payments``, ``Booking``, custom   kept (2.2.1 has custom modules)
==========================  ==================================  ==================================
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from ocpihub.ocpi.v2_2_1 import enums as wire

if TYPE_CHECKING:
    from .common import DownState

__all__ = [
    "CDR_DIMENSION_TYPE",
    "CONNECTOR_TYPE",
    "CONNECTOR_TYPE_FALLBACK",
    "CONNECTOR_TYPE_FALLBACK_DC",
    "IMAGE_CATEGORY_FALLBACK",
    "RESERVATION_RESTRICTION_FALLBACK",
    "ROLE_UP",
    "TOKEN_TYPE",
    "TOKEN_TYPE_FALLBACK",
    "cdr_dimension_type_down",
    "connector_type_down",
    "image_category_down",
    "keep_known",
    "known",
    "token_type_down",
]

_ENUMS: dict[str, type[StrEnum]] = {
    "Capability": wire.Capability,
    "CdrDimensionType": wire.CdrDimensionType,
    "ConnectorType": wire.ConnectorType,
    "EnvironmentalImpactCategory": wire.EnvironmentalImpactCategory,
    "Facility": wire.Facility,
    "ImageCategory": wire.ImageCategory,
    "ModuleID": wire.ModuleID,
    "ParkingRestriction": wire.ParkingRestriction,
    "ParkingType": wire.ParkingType,
    "ReservationRestrictionType": wire.ReservationRestrictionType,
    "Role": wire.Role,
    "TokenType": wire.TokenType,
    "VersionNumber": wire.VersionNumber,
}
_VALUES: dict[str, frozenset[str]] = {
    name: frozenset(member.value for member in enum) for name, enum in _ENUMS.items()
}

CONNECTOR_TYPE: dict[str, str] = {"SAE_J3400": "TESLA_S"}
"""ConnectorType values new in 2.3.0 that have a mechanically compatible 2.2.1 value."""
CONNECTOR_TYPE_FALLBACK_DC = "IEC_62196_T2_COMBO"
CONNECTOR_TYPE_FALLBACK = "IEC_62196_T2"
"""Last resort for a ConnectorType that must be sent (CDR, lone Connector): by power type."""
TOKEN_TYPE: dict[str, str] = {"EMAID": "OTHER", "LICENSE_PLATE": "OTHER"}
TOKEN_TYPE_FALLBACK = "OTHER"
IMAGE_CATEGORY_FALLBACK = "OTHER"
CDR_DIMENSION_TYPE: dict[str, str] = {
    "RESERVATION_EXPIRES": "RESERVATION_TIME",
    "RESERVATION_OVERTIME": "RESERVATION_TIME",
}
RESERVATION_RESTRICTION_FALLBACK = "RESERVATION"
ROLE_UP: dict[str, str] = {"HUB": "OTHER"}
"""2.2.1 Role values 2.3.0 lacks (the original is kept as legacy and restored going down)."""


def known(enum_name: str, value: object) -> bool:
    """Whether ``value`` is a value of the 2.2.1 enum ``enum_name``."""
    return isinstance(value, str) and value in _VALUES[enum_name]


def _mapped(state: DownState, path: str, enum_name: str, value: str, to: str) -> str:
    state.lose(path, value, f"{enum_name} {value!r} does not exist in 2.2.1; sent as {to!r}")
    return to


def token_type_down(value: str, path: str, state: DownState) -> str:
    """A TokenType 2.2.1 knows (``EMAID``, ``LICENSE_PLATE`` and custom values → ``OTHER``)."""
    if known("TokenType", value):
        return value
    return _mapped(state, path, "TokenType", value, TOKEN_TYPE.get(value, TOKEN_TYPE_FALLBACK))


def image_category_down(value: str, path: str, state: DownState) -> str:
    """An ImageCategory 2.2.1 knows (custom values → ``OTHER``)."""
    if known("ImageCategory", value):
        return value
    return _mapped(state, path, "ImageCategory", value, IMAGE_CATEGORY_FALLBACK)


def cdr_dimension_type_down(value: str, path: str, state: DownState) -> str:
    """A CdrDimensionType 2.2.1 knows (the bookings reservation dimensions → RESERVATION_TIME)."""
    if known("CdrDimensionType", value):
        return value
    return _mapped(state, path, "CdrDimensionType", value, CDR_DIMENSION_TYPE[value])


def connector_type_down(
    value: str, path: str, state: DownState, *, power_type: object, must_keep: bool
) -> str | None:
    """A ConnectorType 2.2.1 knows, or None when the caller should drop the connector.

    With ``must_keep`` (the object cannot be dropped) a value without table entry falls back to
    the common plug of its power type.
    """
    if known("ConnectorType", value):
        return value
    if value in CONNECTOR_TYPE:
        return _mapped(state, path, "ConnectorType", value, CONNECTOR_TYPE[value])
    if must_keep:
        fallback = CONNECTOR_TYPE_FALLBACK_DC if power_type == "DC" else CONNECTOR_TYPE_FALLBACK
        return _mapped(state, path, "ConnectorType", value, fallback)
    return None


def keep_known(values: object, enum_name: str, path: str, state: DownState) -> object:
    """A list of enum values without those 2.2.1 lacks (each dropped value is a loss)."""
    if not isinstance(values, list):
        return values
    kept = []
    for i, value in enumerate(values):
        if known(enum_name, value):
            kept.append(value)
        else:
            state.lose(f"{path}[{i}]", value, f"{enum_name} {value!r} does not exist in 2.2.1")
    return kept
