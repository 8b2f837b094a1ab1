"""Every enumeration of OCPI 2.3.0, core edition plus the bookings edition (digest §4.4, §5).

Each enum is an :class:`enum.StrEnum` named as the spec names it and listing the spec's values.
The 2.3.0 package is the union of the two 2.3.0 editions, so enums the bookings edition extends
(``TokenType``, ``CdrDimensionType``, ``ReservationRestrictionType``) carry the extra values, and
the payments-only and bookings-only enums live here too.

2.3.0 declares thirteen enums *open* (digest §5): a receiver may meet values outside the list.
Those thirteen are written in ``ocpi/open_enums.py`` (importing nothing, so that the open-enum
registry and ``ocpihub enum list`` read them without loading the wire models) and exported from
here with the others. Fields of those types are typed with the ``...Field`` aliases below, which
accept the spec's values always and any other value only when the operator's enum registry
accepts it (the registry travels in the validation context, see
:func:`ocpihub.ocpi.fields.parse`). Closed enums are typed with the StrEnum itself: a value
outside the list is a 2001 error.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from ocpihub.ocpi.fields import OpenEnum
from ocpihub.ocpi.open_enums import (
    Capability,
    CommandType,
    ConnectorCapability,
    ConnectorType,
    EnvironmentalImpactCategory,
    Facility,
    ImageCategory,
    ModuleID,
    ParkingRestriction,
    ParkingType,
    TokenType,
    VehicleType,
    VersionNumber,
)

__all__ = [
    "AllowedType",
    "AuthMethod",
    "CanceledReason",
    "Capability",
    "CapabilityField",
    "CaptureStatusCode",
    "CdrDimensionType",
    "ChargingPreferencesResponse",
    "ChargingProfileResponseType",
    "ChargingProfileResultType",
    "ChargingRateUnit",
    "CommandResponseType",
    "CommandResultType",
    "CommandType",
    "CommandTypeField",
    "ConnectionStatus",
    "ConnectorCapability",
    "ConnectorCapabilityField",
    "ConnectorFormat",
    "ConnectorType",
    "ConnectorTypeField",
    "DayOfWeek",
    "EVSEPosition",
    "EnergySourceCategory",
    "EnvironmentalImpactCategory",
    "EnvironmentalImpactCategoryField",
    "Facility",
    "FacilityField",
    "ImageCategory",
    "ImageCategoryField",
    "InterfaceRole",
    "InvoiceCreator",
    "LocationAccess",
    "ModuleID",
    "ModuleIDField",
    "ParkingDirection",
    "ParkingRestriction",
    "ParkingRestrictionField",
    "ParkingType",
    "ParkingTypeField",
    "PowerType",
    "ProfileType",
    "ReservationRequestStatus",
    "ReservationRestrictionType",
    "ReservationStatus",
    "Role",
    "SessionStatus",
    "Status",
    "TariffDimensionType",
    "TariffType",
    "TaxIncluded",
    "TokenType",
    "TokenTypeField",
    "VehicleType",
    "VehicleTypeField",
    "VersionNumber",
    "VersionNumberField",
    "WhitelistType",
]


# --- versions and credentials ---------------------------------------------------------------


class InterfaceRole(StrEnum):
    """Which side of a module an endpoint implements."""

    SENDER = "SENDER"
    RECEIVER = "RECEIVER"


class Role(StrEnum):
    """Market role of a party; 2.3.0 has no ``HUB`` value (digest §1.5, §7 item 2)."""

    CPO = "CPO"
    EMSP = "EMSP"
    NAP = "NAP"
    NSP = "NSP"
    OTHER = "OTHER"
    SCSP = "SCSP"


# --- locations ------------------------------------------------------------------------------


class Status(StrEnum):
    """Status of an EVSE."""

    AVAILABLE = "AVAILABLE"
    BLOCKED = "BLOCKED"
    CHARGING = "CHARGING"
    INOPERATIVE = "INOPERATIVE"
    OUTOFORDER = "OUTOFORDER"
    PLANNED = "PLANNED"
    REMOVED = "REMOVED"
    RESERVED = "RESERVED"
    UNKNOWN = "UNKNOWN"


class ConnectorFormat(StrEnum):
    """Whether a Connector is a socket or a tethered cable."""

    SOCKET = "SOCKET"
    CABLE = "CABLE"


class PowerType(StrEnum):
    """Electrical supply of a Connector."""

    AC_1_PHASE = "AC_1_PHASE"
    AC_2_PHASE = "AC_2_PHASE"
    AC_2_PHASE_SPLIT = "AC_2_PHASE_SPLIT"
    AC_3_PHASE = "AC_3_PHASE"
    DC = "DC"


class ParkingDirection(StrEnum):
    """How a parking place is laid out against the driving direction."""

    PARALLEL = "PARALLEL"
    PERPENDICULAR = "PERPENDICULAR"
    ANGLE = "ANGLE"


class EVSEPosition(StrEnum):
    """Where an EVSE stands relative to its parking place."""

    LEFT = "LEFT"
    RIGHT = "RIGHT"
    CENTER = "CENTER"


class EnergySourceCategory(StrEnum):
    """Kinds of energy source in an EnergyMix."""

    NUCLEAR = "NUCLEAR"
    GENERAL_FOSSIL = "GENERAL_FOSSIL"
    COAL = "COAL"
    GAS = "GAS"
    GENERAL_GREEN = "GENERAL_GREEN"
    SOLAR = "SOLAR"
    WIND = "WIND"
    WATER = "WATER"


# --- sessions and CDRs ----------------------------------------------------------------------


class SessionStatus(StrEnum):
    """Status of a Session; reservations are ``RESERVATION`` (digest §7 item 5)."""

    ACTIVE = "ACTIVE"
    COMPLETED = "COMPLETED"
    INVALID = "INVALID"
    PENDING = "PENDING"
    RESERVATION = "RESERVATION"


class ProfileType(StrEnum):
    """Charging preference profile of a driver."""

    CHEAP = "CHEAP"
    FAST = "FAST"
    GREEN = "GREEN"
    REGULAR = "REGULAR"


class ChargingPreferencesResponse(StrEnum):
    """Answer of a CPO to ChargingPreferences."""

    ACCEPTED = "ACCEPTED"
    DEPARTURE_REQUIRED = "DEPARTURE_REQUIRED"
    ENERGY_NEED_REQUIRED = "ENERGY_NEED_REQUIRED"
    NOT_POSSIBLE = "NOT_POSSIBLE"
    PROFILE_TYPE_NOT_SUPPORTED = "PROFILE_TYPE_NOT_SUPPORTED"


class AuthMethod(StrEnum):
    """How a Session was authorised."""

    AUTH_REQUEST = "AUTH_REQUEST"
    COMMAND = "COMMAND"
    WHITELIST = "WHITELIST"


class CdrDimensionType(StrEnum):
    """Dimensions of a charging period; the last two come from the bookings edition."""

    CURRENT = "CURRENT"
    ENERGY = "ENERGY"
    ENERGY_EXPORT = "ENERGY_EXPORT"
    ENERGY_IMPORT = "ENERGY_IMPORT"
    MAX_CURRENT = "MAX_CURRENT"
    MIN_CURRENT = "MIN_CURRENT"
    MAX_POWER = "MAX_POWER"
    MIN_POWER = "MIN_POWER"
    PARKING_TIME = "PARKING_TIME"
    POWER = "POWER"
    RESERVATION_TIME = "RESERVATION_TIME"
    STATE_OF_CHARGE = "STATE_OF_CHARGE"
    TIME = "TIME"
    RESERVATION_EXPIRES = "RESERVATION_EXPIRES"
    RESERVATION_OVERTIME = "RESERVATION_OVERTIME"


# --- tariffs --------------------------------------------------------------------------------


class TariffDimensionType(StrEnum):
    """What a PriceComponent prices."""

    ENERGY = "ENERGY"
    FLAT = "FLAT"
    PARKING_TIME = "PARKING_TIME"
    TIME = "TIME"


class TariffType(StrEnum):
    """Kind of Tariff."""

    AD_HOC_PAYMENT = "AD_HOC_PAYMENT"
    PROFILE_CHEAP = "PROFILE_CHEAP"
    PROFILE_FAST = "PROFILE_FAST"
    PROFILE_GREEN = "PROFILE_GREEN"
    REGULAR = "REGULAR"


class DayOfWeek(StrEnum):
    """Days of the week in TariffRestrictions."""

    MONDAY = "MONDAY"
    TUESDAY = "TUESDAY"
    WEDNESDAY = "WEDNESDAY"
    THURSDAY = "THURSDAY"
    FRIDAY = "FRIDAY"
    SATURDAY = "SATURDAY"
    SUNDAY = "SUNDAY"


class ReservationRestrictionType(StrEnum):
    """Reservation restriction of a TariffElement; the last two come from the bookings edition."""

    RESERVATION = "RESERVATION"
    RESERVATION_EXPIRES = "RESERVATION_EXPIRES"
    RESERVATION_CANCELLATION_FEES = "RESERVATION_CANCELLATION_FEES"
    RESERVATION_OVERTIME = "RESERVATION_OVERTIME"


class TaxIncluded(StrEnum):
    """Whether a Tariff's prices include taxes (new in 2.3.0)."""

    YES = "YES"
    NO = "NO"
    NA = "N/A"


# --- tokens ---------------------------------------------------------------------------------


class AllowedType(StrEnum):
    """Outcome of a real-time authorisation."""

    ALLOWED = "ALLOWED"
    BLOCKED = "BLOCKED"
    EXPIRED = "EXPIRED"
    NO_CREDIT = "NO_CREDIT"
    NOT_ALLOWED = "NOT_ALLOWED"


class WhitelistType(StrEnum):
    """Whether a CPO may authorise a Token without asking the eMSP."""

    ALWAYS = "ALWAYS"
    ALLOWED = "ALLOWED"
    ALLOWED_OFFLINE = "ALLOWED_OFFLINE"
    NEVER = "NEVER"


# --- commands, charging profiles, hub client info -------------------------------------------


class CommandResponseType(StrEnum):
    """Synchronous answer of a CPO to a command request."""

    NOT_SUPPORTED = "NOT_SUPPORTED"
    REJECTED = "REJECTED"
    ACCEPTED = "ACCEPTED"
    UNKNOWN_SESSION = "UNKNOWN_SESSION"


class CommandResultType(StrEnum):
    """Asynchronous outcome of a command."""

    ACCEPTED = "ACCEPTED"
    CANCELED_RESERVATION = "CANCELED_RESERVATION"
    EVSE_OCCUPIED = "EVSE_OCCUPIED"
    EVSE_INOPERATIVE = "EVSE_INOPERATIVE"
    FAILED = "FAILED"
    NOT_SUPPORTED = "NOT_SUPPORTED"
    REJECTED = "REJECTED"
    TIMEOUT = "TIMEOUT"
    UNKNOWN_RESERVATION = "UNKNOWN_RESERVATION"


class ChargingRateUnit(StrEnum):
    """Unit of charging profile limits: watts or amperes."""

    W = "W"
    A = "A"


class ChargingProfileResponseType(StrEnum):
    """Synchronous answer to a charging profile request."""

    ACCEPTED = "ACCEPTED"
    NOT_SUPPORTED = "NOT_SUPPORTED"
    REJECTED = "REJECTED"
    TOO_OFTEN = "TOO_OFTEN"
    UNKNOWN_SESSION = "UNKNOWN_SESSION"


class ChargingProfileResultType(StrEnum):
    """Asynchronous outcome of a charging profile request."""

    ACCEPTED = "ACCEPTED"
    REJECTED = "REJECTED"
    UNKNOWN = "UNKNOWN"


class ConnectionStatus(StrEnum):
    """Connection status of a party behind a hub."""

    CONNECTED = "CONNECTED"
    OFFLINE = "OFFLINE"
    PLANNED = "PLANNED"
    SUSPENDED = "SUSPENDED"


# --- payments (core edition) ----------------------------------------------------------------


class InvoiceCreator(StrEnum):
    """Who issues the invoice of a terminal payment."""

    CPO = "CPO"
    PTP = "PTP"


class CaptureStatusCode(StrEnum):
    """Outcome of a payment capture."""

    SUCCESS = "SUCCESS"
    PARTIAL_SUCCESS = "PARTIAL_SUCCESS"
    FAILED = "FAILED"


# --- bookings (bookings edition) ------------------------------------------------------------


class LocationAccess(StrEnum):
    """Ways a driver gets into a booked location."""

    OPEN = "OPEN"
    TOKEN = "TOKEN"
    LICENSE_PLATE = "LICENSE_PLATE"
    ACCESS_CODE = "ACCESS_CODE"
    INTERCOM = "INTERCOM"
    PARKING_TICKET = "PARKING_TICKET"


class ReservationStatus(StrEnum):
    """Lifecycle state of a Booking."""

    PENDING = "PENDING"
    RESERVED = "RESERVED"
    CANCELED = "CANCELED"
    FAILED = "FAILED"
    NO_SHOW = "NO_SHOW"
    FULFILLED = "FULFILLED"
    REJECTED = "REJECTED"
    UNKNOWN = "UNKNOWN"


class ReservationRequestStatus(StrEnum):
    """State of one BookingRequest within a Booking."""

    PENDING = "PENDING"
    ACCEPTED = "ACCEPTED"
    DECLINED = "DECLINED"
    FAILED = "FAILED"


class CanceledReason(StrEnum):
    """Why a Booking was canceled."""

    POWER_OUTAGE = "POWER_OUTAGE"
    BROKEN_CHARGER = "BROKEN_CHARGER"
    FULL = "FULL"
    BLOCKED = "BLOCKED"
    TRAFFIC = "TRAFFIC"
    BROKEN_VEHICLE = "BROKEN_VEHICLE"
    NO_CANCELED = "NO_CANCELED"
    UNKNOWN = "UNKNOWN"


# --- open-enum field types ------------------------------------------------------------------

ModuleIDField = Annotated[str, OpenEnum("ModuleID", ModuleID)]
VersionNumberField = Annotated[str, OpenEnum("VersionNumber", VersionNumber)]
CapabilityField = Annotated[str, OpenEnum("Capability", Capability)]
ConnectorCapabilityField = Annotated[str, OpenEnum("ConnectorCapability", ConnectorCapability)]
ConnectorTypeField = Annotated[str, OpenEnum("ConnectorType", ConnectorType)]
EnvironmentalImpactCategoryField = Annotated[
    str, OpenEnum("EnvironmentalImpactCategory", EnvironmentalImpactCategory)
]
FacilityField = Annotated[str, OpenEnum("Facility", Facility)]
ImageCategoryField = Annotated[str, OpenEnum("ImageCategory", ImageCategory)]
ParkingRestrictionField = Annotated[str, OpenEnum("ParkingRestriction", ParkingRestriction)]
ParkingTypeField = Annotated[str, OpenEnum("ParkingType", ParkingType)]
VehicleTypeField = Annotated[str, OpenEnum("VehicleType", VehicleType)]
CommandTypeField = Annotated[str, OpenEnum("CommandType", CommandType)]
TokenTypeField = Annotated[str, OpenEnum("TokenType", TokenType)]
