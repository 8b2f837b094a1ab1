"""The open enums of OCPI 2.3.0 (digest §5) and their spec values, importing nothing but ``enum``.

2.3.0 declares thirteen enums *open*: a receiver may meet values outside the list, and the hub
accepts those an operator registered (``hub/enums.py``, docs/open-enums.md). OCPI 2.1.1 and
2.2.1 declare none. The thirteen :class:`enum.StrEnum` classes are written here, once: the 2.3.0
wire enums (``ocpi/v2_3_0/enums.py``) export them and type their fields with them, and
:data:`OPEN_ENUMS`, derived from them, is what the open-enum registry lists and checks names
against (``ocpi/registry.open_enums``). Kept apart from the version package so that reading the
open enums (``ocpihub enum list``, the ``custom_enum_values`` setting) loads no wire model
(tests/unit/ocpi/test_open_enums.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType

__all__ = [
    "OPEN_ENUMS",
    "Capability",
    "CommandType",
    "ConnectorCapability",
    "ConnectorType",
    "EnvironmentalImpactCategory",
    "Facility",
    "ImageCategory",
    "ModuleID",
    "ParkingRestriction",
    "ParkingType",
    "TokenType",
    "VehicleType",
    "VersionNumber",
]


# --- versions and credentials ---------------------------------------------------------------


class ModuleID(StrEnum):
    """Module identifiers (open). ``payments`` and ``Booking`` are absent from the spec's ModuleID
    table but declared in their module chapters (digest §1.1, §7 item 4); the hub offers both, so
    they are listed here rather than left to the registry."""

    CDRS = "cdrs"
    CHARGING_PROFILES = "chargingprofiles"
    COMMANDS = "commands"
    CREDENTIALS = "credentials"
    HUB_CLIENT_INFO = "hubclientinfo"
    LOCATIONS = "locations"
    SESSIONS = "sessions"
    TARIFFS = "tariffs"
    TOKENS = "tokens"
    PAYMENTS = "payments"
    BOOKING = "Booking"


class VersionNumber(StrEnum):
    """OCPI version numbers (open)."""

    V2_0 = "2.0"
    V2_1 = "2.1"
    V2_1_1 = "2.1.1"
    V2_2 = "2.2"
    V2_2_1 = "2.2.1"
    V2_3_0 = "2.3.0"


# --- locations ------------------------------------------------------------------------------


class Capability(StrEnum):
    """Capabilities of an EVSE (open)."""

    CHARGING_PROFILE_CAPABLE = "CHARGING_PROFILE_CAPABLE"
    CHARGING_PREFERENCES_CAPABLE = "CHARGING_PREFERENCES_CAPABLE"
    CHIP_CARD_SUPPORT = "CHIP_CARD_SUPPORT"
    CONTACTLESS_CARD_SUPPORT = "CONTACTLESS_CARD_SUPPORT"
    CREDIT_CARD_PAYABLE = "CREDIT_CARD_PAYABLE"
    DEBIT_CARD_PAYABLE = "DEBIT_CARD_PAYABLE"
    PED_TERMINAL = "PED_TERMINAL"
    REMOTE_START_STOP_CAPABLE = "REMOTE_START_STOP_CAPABLE"
    RESERVABLE = "RESERVABLE"
    RFID_READER = "RFID_READER"
    START_SESSION_CONNECTOR_REQUIRED = "START_SESSION_CONNECTOR_REQUIRED"
    TOKEN_GROUP_CAPABLE = "TOKEN_GROUP_CAPABLE"
    UNLOCK_CAPABLE = "UNLOCK_CAPABLE"


class ConnectorCapability(StrEnum):
    """Capabilities of a Connector (open, new in 2.3.0)."""

    ISO_15118_2_PLUG_AND_CHARGE = "ISO_15118_2_PLUG_AND_CHARGE"
    ISO_15118_20_PLUG_AND_CHARGE = "ISO_15118_20_PLUG_AND_CHARGE"


class ConnectorType(StrEnum):
    """Connector standards (open)."""

    CHADEMO = "CHADEMO"
    CHAOJI = "CHAOJI"
    DOMESTIC_A = "DOMESTIC_A"
    DOMESTIC_B = "DOMESTIC_B"
    DOMESTIC_C = "DOMESTIC_C"
    DOMESTIC_D = "DOMESTIC_D"
    DOMESTIC_E = "DOMESTIC_E"
    DOMESTIC_F = "DOMESTIC_F"
    DOMESTIC_G = "DOMESTIC_G"
    DOMESTIC_H = "DOMESTIC_H"
    DOMESTIC_I = "DOMESTIC_I"
    DOMESTIC_J = "DOMESTIC_J"
    DOMESTIC_K = "DOMESTIC_K"
    DOMESTIC_L = "DOMESTIC_L"
    DOMESTIC_M = "DOMESTIC_M"
    DOMESTIC_N = "DOMESTIC_N"
    DOMESTIC_O = "DOMESTIC_O"
    GBT_AC = "GBT_AC"
    GBT_DC = "GBT_DC"
    IEC_60309_2_SINGLE_16 = "IEC_60309_2_single_16"
    IEC_60309_2_THREE_16 = "IEC_60309_2_three_16"
    IEC_60309_2_THREE_32 = "IEC_60309_2_three_32"
    IEC_60309_2_THREE_64 = "IEC_60309_2_three_64"
    IEC_62196_T1 = "IEC_62196_T1"
    IEC_62196_T1_COMBO = "IEC_62196_T1_COMBO"
    IEC_62196_T2 = "IEC_62196_T2"
    IEC_62196_T2_COMBO = "IEC_62196_T2_COMBO"
    IEC_62196_T3A = "IEC_62196_T3A"
    IEC_62196_T3C = "IEC_62196_T3C"
    MCS = "MCS"
    NEMA_5_20 = "NEMA_5_20"
    NEMA_6_30 = "NEMA_6_30"
    NEMA_6_50 = "NEMA_6_50"
    NEMA_10_30 = "NEMA_10_30"
    NEMA_10_50 = "NEMA_10_50"
    NEMA_14_30 = "NEMA_14_30"
    NEMA_14_50 = "NEMA_14_50"
    PANTOGRAPH_BOTTOM_UP = "PANTOGRAPH_BOTTOM_UP"
    PANTOGRAPH_TOP_DOWN = "PANTOGRAPH_TOP_DOWN"
    SAE_J3400 = "SAE_J3400"
    TESLA_R = "TESLA_R"
    TESLA_S = "TESLA_S"


class ParkingType(StrEnum):
    """General kind of parking at a Location (open)."""

    ALONG_MOTORWAY = "ALONG_MOTORWAY"
    PARKING_GARAGE = "PARKING_GARAGE"
    PARKING_LOT = "PARKING_LOT"
    ON_DRIVEWAY = "ON_DRIVEWAY"
    ON_STREET = "ON_STREET"
    UNDERGROUND_GARAGE = "UNDERGROUND_GARAGE"


class ParkingRestriction(StrEnum):
    """Who may park at an EVSE (open)."""

    EV_ONLY = "EV_ONLY"
    PLUGGED = "PLUGGED"
    DISABLED = "DISABLED"
    CUSTOMERS = "CUSTOMERS"
    MOTORCYCLES = "MOTORCYCLES"
    EMPLOYEES = "EMPLOYEES"
    TAXIS = "TAXIS"
    TENANTS = "TENANTS"


class VehicleType(StrEnum):
    """Vehicle kinds a parking place suits (open, new in 2.3.0)."""

    MOTORCYCLE = "MOTORCYCLE"
    PERSONAL_VEHICLE = "PERSONAL_VEHICLE"
    PERSONAL_VEHICLE_WITH_TRAILER = "PERSONAL_VEHICLE_WITH_TRAILER"
    VAN = "VAN"
    SEMI_TRACTOR = "SEMI_TRACTOR"
    RIGID = "RIGID"
    TRUCK_WITH_TRAILER = "TRUCK_WITH_TRAILER"
    BUS = "BUS"
    DISABLED = "DISABLED"


class Facility(StrEnum):
    """Facilities near a Location (open)."""

    HOTEL = "HOTEL"
    RESTAURANT = "RESTAURANT"
    CAFE = "CAFE"
    MALL = "MALL"
    SUPERMARKET = "SUPERMARKET"
    SPORT = "SPORT"
    RECREATION_AREA = "RECREATION_AREA"
    NATURE = "NATURE"
    MUSEUM = "MUSEUM"
    BIKE_SHARING = "BIKE_SHARING"
    BUS_STOP = "BUS_STOP"
    TAXI_STAND = "TAXI_STAND"
    TRAM_STOP = "TRAM_STOP"
    METRO_STATION = "METRO_STATION"
    TRAIN_STATION = "TRAIN_STATION"
    AIRPORT = "AIRPORT"
    PARKING_LOT = "PARKING_LOT"
    CARPOOL_PARKING = "CARPOOL_PARKING"
    FUEL_STATION = "FUEL_STATION"
    WIFI = "WIFI"


class ImageCategory(StrEnum):
    """What an Image shows (open)."""

    CHARGER = "CHARGER"
    ENTRANCE = "ENTRANCE"
    LOCATION = "LOCATION"
    NETWORK = "NETWORK"
    OPERATOR = "OPERATOR"
    OTHER = "OTHER"
    OWNER = "OWNER"


class EnvironmentalImpactCategory(StrEnum):
    """Kinds of environmental impact in an EnergyMix (open)."""

    NUCLEAR_WASTE = "NUCLEAR_WASTE"
    CARBON_DIOXIDE = "CARBON_DIOXIDE"


# --- tokens ---------------------------------------------------------------------------------


class TokenType(StrEnum):
    """Kinds of Token (open); ``LICENSE_PLATE`` comes from the bookings edition."""

    AD_HOC_USER = "AD_HOC_USER"
    APP_USER = "APP_USER"
    EMAID = "EMAID"
    OTHER = "OTHER"
    RFID = "RFID"
    LICENSE_PLATE = "LICENSE_PLATE"


# --- commands -------------------------------------------------------------------------------


class CommandType(StrEnum):
    """Commands a CPO can be asked to carry out (open)."""

    CANCEL_RESERVATION = "CANCEL_RESERVATION"
    RESERVE_NOW = "RESERVE_NOW"
    START_SESSION = "START_SESSION"
    STOP_SESSION = "STOP_SESSION"
    UNLOCK_CONNECTOR = "UNLOCK_CONNECTOR"


# --- by name --------------------------------------------------------------------------------

OPEN_ENUMS: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        enum.__name__: frozenset(member.value for member in enum)
        for enum in (
            ModuleID,
            VersionNumber,
            Capability,
            ConnectorCapability,
            ConnectorType,
            ParkingType,
            ParkingRestriction,
            VehicleType,
            Facility,
            ImageCategory,
            EnvironmentalImpactCategory,
            TokenType,
            CommandType,
        )
    }
)
"""Every open enum by name (``"ConnectorType"``): the spec's values."""
