"""Hypothesis strategies producing VALID OCPI 2.1.1 JSON objects (plain dicts).

Built by hand from the 2.1.1 spec tables: required keys always present, optional keys
sometimes, string lengths within the spec limits, enum values from the 2.1.1 enums, DateTimes
as ``YYYY-MM-DDTHH:MM:SSZ`` (2.1.1 has no fractional seconds). Translator tests reuse these, so
each public function returns a fresh strategy and takes no arguments.

:data:`VALID` maps every name of ``ocpihub.ocpi.v2_1_1.MODELS`` to its strategy.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from hypothesis import strategies as st

from ocpihub.ocpi.v2_1_1 import enums

JsonDict = dict[str, Any]

_PRINTABLE = st.characters(min_codepoint=0x20, max_codepoint=0x7E)


def text(max_size: int, *, min_size: int = 0) -> st.SearchStrategy[str]:
    """A printable-ASCII string of at most ``max_size`` characters (2.1.1 ``string(n)``)."""
    return st.text(_PRINTABLE, min_size=min_size, max_size=max_size)


def ident(max_size: int) -> st.SearchStrategy[str]:
    """A non-empty id-like string of at most ``max_size`` characters."""
    return st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_", min_size=1, max_size=max_size)


def url() -> st.SearchStrategy[str]:
    """An https URL within the 255 characters of the URL type."""
    return ident(60).map(lambda path: f"https://example.com/{path}")


def date_time() -> st.SearchStrategy[str]:
    """A UTC DateTime in the 2.1.1 ``Z`` form without fractions."""
    return st.datetimes(
        min_value=datetime(2010, 1, 1), max_value=datetime(2040, 12, 31), timezones=st.just(UTC)
    ).map(lambda d: d.strftime("%Y-%m-%dT%H:%M:%SZ"))


def number() -> st.SearchStrategy[float]:
    """A finite JSON number with up to four decimals, as OCPI numbers have."""
    return st.integers(min_value=-(10**9), max_value=10**9).map(lambda n: n / 10_000)


def positive() -> st.SearchStrategy[float]:
    """A non-negative JSON number with up to four decimals."""
    return st.integers(min_value=0, max_value=10**9).map(lambda n: n / 10_000)


def enum(cls: type[StrEnum]) -> st.SearchStrategy[str]:
    """One value of a 2.1.1 enum, as the JSON string."""
    return st.sampled_from([member.value for member in cls])


def obj(required: dict[str, Any], optional: dict[str, Any] | None = None) -> Any:
    """A JSON object with all ``required`` keys and any subset of ``optional`` keys."""
    return st.fixed_dictionaries(required, optional=optional or {})


def lists(
    elements: st.SearchStrategy[Any], *, min_size: int = 0, max_size: int = 3
) -> st.SearchStrategy[list[Any]]:
    """A short JSON array."""
    return st.lists(elements, min_size=min_size, max_size=max_size)


def hh_mm() -> st.SearchStrategy[str]:
    """A ``HH:MM`` time of day."""
    return st.tuples(st.integers(0, 23), st.integers(0, 59)).map(lambda t: f"{t[0]:02d}:{t[1]:02d}")


def latitude() -> st.SearchStrategy[str]:
    """A latitude string with six decimals (spec regex)."""
    return st.integers(-90_000_000, 90_000_000).map(lambda n: f"{n / 1e6:.6f}")


def longitude() -> st.SearchStrategy[str]:
    """A longitude string with six decimals (spec regex)."""
    return st.integers(-180_000_000, 180_000_000).map(lambda n: f"{n / 1e6:.6f}")


# --- common ---------------------------------------------------------------------------------


def display_texts() -> Any:
    """DisplayText objects."""
    return obj({"language": st.sampled_from(["en", "nl", "de", "fr"]), "text": text(512)})


def images() -> Any:
    """Image objects."""
    return obj(
        {"url": url(), "category": enum(enums.ImageCategory), "type": text(4, min_size=1)},
        {
            "thumbnail": url(),
            "width": st.integers(0, 99999),
            "height": st.integers(0, 99999),
        },
    )


def business_details() -> Any:
    """BusinessDetails objects."""
    return obj({"name": text(100, min_size=1)}, {"website": url(), "logo": images()})


def energy_mixes() -> Any:
    """EnergyMix objects."""
    return obj(
        {"is_green_energy": st.booleans()},
        {
            "energy_sources": lists(
                obj({"source": enum(enums.EnergySourceCategory), "percentage": positive()})
            ),
            "environ_impact": lists(
                obj({"source": enum(enums.EnvironmentalImpactCategory), "amount": positive()})
            ),
            "supplier_name": text(64),
            "energy_product_name": text(64),
        },
    )


# --- versions and credentials ---------------------------------------------------------------


def versions() -> Any:
    """Version objects."""
    return obj({"version": enum(enums.VersionNumber), "url": url()})


def version_details() -> Any:
    """VersionDetails objects (custom module ids included)."""
    identifier = st.one_of(enum(enums.ModuleID), st.just("nltnm-tokens"))
    return obj(
        {
            "version": enum(enums.VersionNumber),
            "endpoints": lists(obj({"identifier": identifier, "url": url()}), min_size=1),
        }
    )


def credentials() -> Any:
    """Credentials objects."""
    token = st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=64)
    return obj(
        {
            "token": token,
            "url": url(),
            "business_details": business_details(),
            "party_id": ident(3),
            "country_code": ident(2),
        }
    )


# --- locations ------------------------------------------------------------------------------


def geo_locations() -> Any:
    """GeoLocation objects."""
    return obj({"latitude": latitude(), "longitude": longitude()})


def hours() -> Any:
    """Hours objects (regular hours, 24/7, or both, as the spec example does)."""
    regular = obj({"weekday": st.integers(1, 7), "period_begin": hh_mm(), "period_end": hh_mm()})
    period = obj({"period_begin": date_time(), "period_end": date_time()})
    exceptions = {"exceptional_openings": lists(period), "exceptional_closings": lists(period)}
    return st.one_of(
        obj({"regular_hours": lists(regular)}, {"twentyfourseven": st.just(False), **exceptions}),
        obj({"twentyfourseven": st.booleans()}, exceptions),
    )


def connectors() -> Any:
    """Connector objects."""
    return obj(
        {
            "id": ident(36),
            "standard": enum(enums.ConnectorType),
            "format": enum(enums.ConnectorFormat),
            "power_type": enum(enums.PowerType),
            "voltage": st.integers(0, 1000),
            "amperage": st.integers(0, 1000),
            "last_updated": date_time(),
        },
        {"tariff_id": ident(36), "terms_and_conditions": url()},
    )


def evses() -> Any:
    """EVSE objects."""
    schedule = obj(
        {"period_begin": date_time(), "status": enum(enums.Status)},
        {"period_end": date_time()},
    )
    return obj(
        {
            "uid": ident(39),
            "status": enum(enums.Status),
            "connectors": lists(connectors(), min_size=1, max_size=2),
            "last_updated": date_time(),
        },
        {
            "evse_id": ident(48),
            "status_schedule": lists(schedule),
            "capabilities": lists(enum(enums.Capability)),
            "floor_level": text(4),
            "coordinates": geo_locations(),
            "physical_reference": text(16),
            "directions": lists(display_texts()),
            "parking_restrictions": lists(enum(enums.ParkingRestriction)),
            "images": lists(images(), max_size=1),
        },
    )


def locations() -> Any:
    """Location objects with EVSEs and connectors."""
    related = obj({"latitude": latitude(), "longitude": longitude()}, {"name": display_texts()})
    return obj(
        {
            "id": ident(39),
            "type": enum(enums.LocationType),
            "address": text(45),
            "city": text(45),
            "postal_code": text(10),
            "country": st.sampled_from(["NLD", "DEU", "BEL", "FRA"]),
            "coordinates": geo_locations(),
            "last_updated": date_time(),
        },
        {
            "name": text(255),
            "related_locations": lists(related),
            "evses": lists(evses(), max_size=2),
            "directions": lists(display_texts()),
            "operator": business_details(),
            "suboperator": business_details(),
            "owner": business_details(),
            "facilities": lists(enum(enums.Facility)),
            "time_zone": st.sampled_from(["Europe/Amsterdam", "Europe/Oslo", "UTC"]),
            "opening_times": hours(),
            "charging_when_closed": st.booleans(),
            "images": lists(images(), max_size=1),
            "energy_mix": energy_mixes(),
        },
    )


# --- tariffs --------------------------------------------------------------------------------


def tariffs() -> Any:
    """Tariff objects."""
    component = obj(
        {
            "type": enum(enums.TariffDimensionType),
            "price": positive(),
            "step_size": st.integers(0, 3600),
        }
    )
    restrictions = obj(
        {},
        {
            "start_time": hh_mm(),
            "end_time": hh_mm(),
            "start_date": st.dates().map(lambda d: d.isoformat()).filter(lambda s: len(s) == 10),
            "end_date": st.dates().map(lambda d: d.isoformat()).filter(lambda s: len(s) == 10),
            "min_kwh": positive(),
            "max_kwh": positive(),
            "min_power": positive(),
            "max_power": positive(),
            "min_duration": st.integers(0, 86400),
            "max_duration": st.integers(0, 86400),
            "day_of_week": lists(enum(enums.DayOfWeek), max_size=7),
        },
    )
    element = obj(
        {"price_components": lists(component, min_size=1)}, {"restrictions": restrictions}
    )
    return obj(
        {
            "id": ident(36),
            "currency": st.sampled_from(["EUR", "USD", "SEK"]),
            "elements": lists(element, min_size=1),
            "last_updated": date_time(),
        },
        {
            "tariff_alt_text": lists(display_texts()),
            "tariff_alt_url": url(),
            "energy_mix": energy_mixes(),
        },
    )


# --- tokens ---------------------------------------------------------------------------------


def tokens() -> Any:
    """Token objects."""
    return obj(
        {
            "uid": ident(36),
            "type": enum(enums.TokenType),
            "auth_id": ident(36),
            "issuer": text(64),
            "valid": st.booleans(),
            "whitelist": enum(enums.WhitelistType),
            "last_updated": date_time(),
        },
        {"visual_number": text(64), "language": st.sampled_from(["en", "nl", "de", "fr"])},
    )


def location_references() -> Any:
    """LocationReferences objects."""
    return obj(
        {"location_id": ident(39)},
        {"evse_uids": lists(ident(39)), "connector_ids": lists(ident(36))},
    )


def authorization_infos() -> Any:
    """AuthorizationInfo objects."""
    return obj(
        {"allowed": enum(enums.Allowed)},
        {"location": location_references(), "info": display_texts()},
    )


# --- sessions and CDRs ----------------------------------------------------------------------


def charging_periods() -> Any:
    """ChargingPeriod objects."""
    dimension = obj({"type": enum(enums.CdrDimensionType), "volume": positive()})
    return obj({"start_date_time": date_time(), "dimensions": lists(dimension, min_size=1)})


def sessions() -> Any:
    """Session objects (embedded Location included)."""
    return obj(
        {
            "id": ident(36),
            "start_datetime": date_time(),
            "kwh": positive(),
            "auth_id": ident(36),
            "auth_method": enum(enums.AuthMethod),
            "location": locations(),
            "currency": st.sampled_from(["EUR", "USD"]),
            "status": enum(enums.SessionStatus),
            "last_updated": date_time(),
        },
        {
            "end_datetime": date_time(),
            "meter_id": text(255),
            "charging_periods": lists(charging_periods()),
            "total_cost": positive(),
        },
    )


def cdrs() -> Any:
    """CDR objects (embedded Location and Tariffs included)."""
    return obj(
        {
            "id": ident(36),
            "start_date_time": date_time(),
            "stop_date_time": date_time(),
            "auth_id": ident(36),
            "auth_method": enum(enums.AuthMethod),
            "location": locations(),
            "currency": st.sampled_from(["EUR", "USD"]),
            "charging_periods": lists(charging_periods(), min_size=1),
            "total_cost": number(),
            "total_energy": positive(),
            "total_time": positive(),
            "last_updated": date_time(),
        },
        {
            "meter_id": text(255),
            "tariffs": lists(tariffs(), max_size=2),
            "total_parking_time": positive(),
            "remark": text(255),
        },
    )


# --- commands -------------------------------------------------------------------------------


def command_responses() -> Any:
    """CommandResponse objects."""
    return obj({"result": enum(enums.CommandResponseType)})


def reserve_nows() -> Any:
    """ReserveNow command requests."""
    return obj(
        {
            "response_url": url(),
            "token": tokens(),
            "expiry_date": date_time(),
            "reservation_id": st.integers(0, 2**31 - 1),
            "location_id": ident(39),
        },
        {"evse_uid": ident(39)},
    )


def start_sessions() -> Any:
    """StartSession command requests."""
    return obj(
        {"response_url": url(), "token": tokens(), "location_id": ident(39)},
        {"evse_uid": ident(39)},
    )


def stop_sessions() -> Any:
    """StopSession command requests."""
    return obj({"response_url": url(), "session_id": ident(36)})


def unlock_connectors() -> Any:
    """UnlockConnector command requests."""
    return obj(
        {
            "response_url": url(),
            "location_id": ident(39),
            "evse_uid": ident(39),
            "connector_id": ident(36),
        }
    )


# --- PATCH bodies ---------------------------------------------------------------------------


def patch_of(full: Callable[[], Any]) -> Callable[[], Any]:
    """A strategy factory for PATCH bodies: any subset of the keys of a valid full object."""

    def patches() -> Any:
        return full().flatmap(
            lambda data: st.sets(st.sampled_from(sorted(data))).map(
                lambda keys: {k: v for k, v in data.items() if k in keys}
            )
        )

    return patches


VALID: dict[str, Callable[[], Any]] = {
    "Version": versions,
    "VersionDetails": version_details,
    "Credentials": credentials,
    "Location": locations,
    "EVSE": evses,
    "Connector": connectors,
    "LocationPatch": patch_of(locations),
    "EVSEPatch": patch_of(evses),
    "ConnectorPatch": patch_of(connectors),
    "Session": sessions,
    "SessionPatch": patch_of(sessions),
    "CDR": cdrs,
    "Tariff": tariffs,
    "TariffPatch": patch_of(tariffs),
    "Token": tokens,
    "TokenPatch": patch_of(tokens),
    "AuthorizationInfo": authorization_infos,
    "LocationReferences": location_references,
    "CommandResponse": command_responses,
    "ReserveNow": reserve_nows,
    "StartSession": start_sessions,
    "StopSession": stop_sessions,
    "UnlockConnector": unlock_connectors,
}
"""Valid-object strategy factory per name in ``ocpihub.ocpi.v2_1_1.MODELS``."""
