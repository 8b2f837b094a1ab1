"""Hypothesis strategies producing VALID OCPI 2.3.0 JSON objects (plain dicts).

Built by hand from the 2.3.0 tables (digest §4.4): required keys always present, optional keys
sometimes (and then sometimes ``null``), strings within their limits, enum values from the
spec's lists, DateTimes in the ``Z`` form. Parsing and dumping such a body gives it back
unchanged. Translator tests reuse these: every public function takes no argument and returns
a fresh strategy. Payments and bookings bodies live in ``strategies_v2_3_0_pb``.

:data:`VALID` maps the name of every model this package's own modules put in
``ocpihub.ocpi.v2_3_0.MODELS`` to its strategy.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from hypothesis import strategies as st

from ocpihub.ocpi.fields import format_datetime
from ocpihub.ocpi.v2_3_0 import enums as e

Json = dict[str, Any]

_ASCII = st.characters(min_codepoint=0x20, max_codepoint=0x7E)
# 2.2+ string: printable UTF-8, no control characters (digest §1.5)
_UNICODE = st.characters(blacklist_categories=("Cs", "Cc"))


def cistring(max_size: int, *, min_size: int = 0) -> st.SearchStrategy[str]:
    """A printable-ASCII ``CiString(n)``."""
    return st.text(_ASCII, min_size=min_size, max_size=max_size)


def string(max_size: int, *, min_size: int = 0) -> st.SearchStrategy[str]:
    """A printable UTF-8 ``string(n)``."""
    return st.text(_UNICODE, min_size=min_size, max_size=max_size)


def ident() -> st.SearchStrategy[str]:
    """A non-empty ``CiString(36)`` id."""
    return st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.", min_size=1, max_size=36)


def url() -> st.SearchStrategy[str]:
    """An https URL within the 255 characters of the URL type."""
    return ident().map(lambda path: f"https://example.com/ocpi/{path}")


def date_time() -> st.SearchStrategy[str]:
    """A UTC DateTime ending in ``Z``, with fractional seconds only when non-zero."""
    return st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31), timezones=st.just(UTC)
    ).map(format_datetime)


def number() -> st.SearchStrategy[float]:
    """A finite JSON number with up to four decimals."""
    return st.integers(min_value=-(10**9), max_value=10**9).map(lambda n: n / 10_000)


def integer() -> st.SearchStrategy[int]:
    """A JSON integer."""
    return st.integers(min_value=0, max_value=10**6)


def enum(cls: type[StrEnum]) -> st.SearchStrategy[str]:
    """One of the spec's values of an enum, as the JSON string."""
    return st.sampled_from([member.value for member in cls])


def _opt(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.none() | strategy


def _obj(required: dict[str, Any], optional: dict[str, Any] | None = None) -> Any:
    """All ``required`` keys, any subset of ``optional`` keys (each possibly ``null``)."""
    return st.fixed_dictionaries(
        required, optional={key: _opt(value) for key, value in (optional or {}).items()}
    )


def _list(elements: st.SearchStrategy[Any], *, min_size: int = 0) -> Any:
    return st.lists(elements, min_size=min_size, max_size=3)


def _hh_mm() -> st.SearchStrategy[str]:
    return st.tuples(st.integers(0, 23), st.integers(0, 59)).map(lambda t: f"{t[0]:02d}:{t[1]:02d}")


def _lat() -> st.SearchStrategy[str]:
    return st.integers(-90_000_000, 90_000_000).map(lambda n: f"{n / 1_000_000:.6f}")


def _lon() -> st.SearchStrategy[str]:
    return st.integers(-180_000_000, 180_000_000).map(lambda n: f"{n / 1_000_000:.6f}")


# --- shared types ---------------------------------------------------------------------------


def display_texts() -> Any:
    """DisplayText."""
    return _obj({"language": st.sampled_from(["en", "nl", "de", "fr"]), "text": string(512)})


def prices() -> Any:
    """2.3.0 Price (before_taxes + taxes)."""
    tax = _obj(
        {"name": string(20), "amount": number()},
        {"account_number": string(20), "percentage": number()},
    )
    return _obj({"before_taxes": number()}, {"taxes": _list(tax)})


def price_limits() -> Any:
    """PriceLimit."""
    return _obj({"before_taxes": number()}, {"after_taxes": number()})


def geo_locations() -> Any:
    """GeoLocation."""
    return _obj({"latitude": _lat(), "longitude": _lon()})


def images() -> Any:
    """Image."""
    return _obj(
        {"url": url(), "category": enum(e.ImageCategory), "type": cistring(4, min_size=3)},
        {"thumbnail": url(), "width": st.integers(0, 99999), "height": st.integers(0, 99999)},
    )


def business_details() -> Any:
    """BusinessDetails."""
    return _obj({"name": string(100)}, {"website": url(), "logo": images()})


def energy_mixes() -> Any:
    """EnergyMix."""
    source = _obj({"source": enum(e.EnergySourceCategory), "percentage": number()})
    impact = _obj({"category": enum(e.EnvironmentalImpactCategory), "amount": number()})
    return _obj(
        {"is_green_energy": st.booleans()},
        {
            "energy_sources": _list(source),
            "environ_impact": _list(impact),
            "supplier_name": string(64),
            "energy_product_name": string(64),
        },
    )


def cdr_tokens() -> Any:
    """CdrToken."""
    return _obj(
        {
            "country_code": cistring(2, min_size=2),
            "party_id": cistring(3, min_size=3),
            "uid": ident(),
            "type": enum(e.TokenType),
            "contract_id": ident(),
        }
    )


def charging_periods() -> Any:
    """ChargingPeriod."""
    dimension = _obj({"type": enum(e.CdrDimensionType), "volume": number()})
    return _obj(
        {"start_date_time": date_time(), "dimensions": _list(dimension, min_size=1)},
        {"tariff_id": ident()},
    )


# --- versions and credentials ---------------------------------------------------------------


def versions() -> Any:
    """Version."""
    return _obj({"version": enum(e.VersionNumber), "url": url()})


def version_details() -> Any:
    """VersionDetails ({version, endpoints})."""
    endpoint = _obj({"identifier": enum(e.ModuleID), "role": enum(e.InterfaceRole), "url": url()})
    return _obj({"version": enum(e.VersionNumber), "endpoints": _list(endpoint, min_size=1)})


def credentials() -> Any:
    """Credentials."""
    role = _obj(
        {
            "role": enum(e.Role),
            "business_details": business_details(),
            "party_id": cistring(3, min_size=3),
            "country_code": cistring(2, min_size=2),
        }
    )
    return _obj(
        {
            "token": st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), max_size=64),
            "url": url(),
            "roles": _list(role, min_size=1),
        },
        {"hub_party_id": cistring(5, min_size=5)},
    )


# --- locations ------------------------------------------------------------------------------


def connectors() -> Any:
    """Connector."""
    return _obj(
        {
            "id": ident(),
            "standard": enum(e.ConnectorType),
            "format": enum(e.ConnectorFormat),
            "power_type": enum(e.PowerType),
            "max_voltage": integer(),
            "max_amperage": integer(),
            "last_updated": date_time(),
        },
        {
            "max_electric_power": integer(),
            "tariff_ids": _list(ident()),
            "terms_and_conditions": url(),
            "capabilities": _list(enum(e.ConnectorCapability)),
        },
    )


def evses() -> Any:
    """EVSE."""
    schedule = _obj(
        {"period_begin": date_time(), "status": enum(e.Status)}, {"period_end": date_time()}
    )
    parking = _obj({"parking_id": ident()}, {"evse_position": enum(e.EVSEPosition)})
    return _obj(
        {
            "uid": ident(),
            "status": enum(e.Status),
            "connectors": _list(connectors(), min_size=1),
            "last_updated": date_time(),
        },
        {
            "evse_id": cistring(48),
            "status_schedule": _list(schedule),
            "capabilities": _list(enum(e.Capability)),
            "floor_level": string(4),
            "coordinates": geo_locations(),
            "physical_reference": string(16),
            "directions": _list(display_texts()),
            "parking_restrictions": _list(enum(e.ParkingRestriction)),
            "parking": _list(parking),
            "images": _list(images()),
            "accepted_service_providers": _list(string(50)),
        },
    )


def parkings() -> Any:
    """Parking (a Location's parking place)."""
    maybe_number = {
        key: number()
        for key in (
            "max_vehicle_weight",
            "max_vehicle_height",
            "max_vehicle_length",
            "max_vehicle_width",
            "parking_space_length",
            "parking_space_width",
            "time_limit",
        )
    }
    maybe_bool = {
        key: st.booleans()
        for key in (
            "dangerous_goods_allowed",
            "drive_through",
            "roofed",
            "lighting",
            "refrigeration_outlet",
        )
    }
    return _obj(
        {
            "id": ident(),
            "vehicle_types": _list(enum(e.VehicleType), min_size=1),
            "restricted_to_type": st.booleans(),
            "reservation_required": st.booleans(),
        },
        {
            **maybe_number,
            **maybe_bool,
            "physical_reference": string(12),
            "direction": enum(e.ParkingDirection),
            "images": _list(images()),
            "standards": _list(cistring(36)),
            "apds_reference": cistring(40),
        },
    )


def hours() -> Any:
    """Hours."""
    regular = _obj({"weekday": st.integers(1, 7), "period_begin": _hh_mm(), "period_end": _hh_mm()})
    period = _obj({"period_begin": date_time(), "period_end": date_time()})
    return _obj(
        {"twentyfourseven": st.booleans()},
        {
            "regular_hours": _list(regular),
            "exceptional_openings": _list(period),
            "exceptional_closings": _list(period),
        },
    )


def locations() -> Any:
    """Location with EVSEs, parking places and every optional part."""
    publish_token = _obj(
        {},
        {
            "uid": ident(),
            "type": enum(e.TokenType),
            "visual_number": string(64),
            "issuer": string(64),
            "group_id": ident(),
        },
    )
    related = _obj({"latitude": _lat(), "longitude": _lon()}, {"name": display_texts()})
    return _obj(
        {
            "country_code": cistring(2, min_size=2),
            "party_id": cistring(3, min_size=3),
            "id": ident(),
            "publish": st.booleans(),
            "address": string(45),
            "city": string(45),
            "country": st.sampled_from(["NLD", "DEU", "BEL", "FRA"]),
            "coordinates": geo_locations(),
            "time_zone": st.sampled_from(["Europe/Amsterdam", "America/New_York", "UTC"]),
            "last_updated": date_time(),
        },
        {
            "publish_allowed_to": _list(publish_token),
            "name": string(255),
            "postal_code": string(10),
            "state": string(20),
            "related_locations": _list(related),
            "parking_type": enum(e.ParkingType),
            "evses": _list(evses()),
            "parking_places": _list(parkings()),
            "directions": _list(display_texts()),
            "operator": business_details(),
            "suboperator": business_details(),
            "owner": business_details(),
            "facilities": _list(enum(e.Facility)),
            "opening_times": hours(),
            "charging_when_closed": st.booleans(),
            "images": _list(images()),
            "energy_mix": energy_mixes(),
            "help_phone": cistring(25),
        },
    )


# --- sessions, CDRs, tariffs ----------------------------------------------------------------


def sessions() -> Any:
    """Session."""
    return _obj(
        {
            "country_code": cistring(2, min_size=2),
            "party_id": cistring(3, min_size=3),
            "id": ident(),
            "start_date_time": date_time(),
            "kwh": number(),
            "cdr_token": cdr_tokens(),
            "auth_method": enum(e.AuthMethod),
            "location_id": ident(),
            "evse_uid": ident(),
            "connector_id": ident(),
            "currency": st.sampled_from(["EUR", "USD", "CHF"]),
            "status": enum(e.SessionStatus),
            "last_updated": date_time(),
        },
        {
            "end_date_time": date_time(),
            "authorization_reference": ident(),
            "meter_id": string(255),
            "charging_periods": _list(charging_periods()),
            "total_cost": prices(),
        },
    )


def charging_preferences() -> Any:
    """ChargingPreferences."""
    return _obj(
        {"profile_type": enum(e.ProfileType)},
        {
            "departure_time": date_time(),
            "energy_need": number(),
            "discharge_allowed": st.booleans(),
        },
    )


def tariffs() -> Any:
    """Tariff."""
    component = _obj(
        {"type": enum(e.TariffDimensionType), "price": number(), "step_size": integer()},
        {"vat": number()},
    )
    restrictions = _obj(
        {},
        {
            "start_time": _hh_mm(),
            "end_time": _hh_mm(),
            "start_date": st.dates().map(lambda d: d.isoformat()),
            "end_date": st.dates().map(lambda d: d.isoformat()),
            "min_kwh": number(),
            "max_kwh": number(),
            "min_current": number(),
            "max_current": number(),
            "min_power": number(),
            "max_power": number(),
            "min_duration": integer(),
            "max_duration": integer(),
            "day_of_week": _list(enum(e.DayOfWeek)),
            "reservation": enum(e.ReservationRestrictionType),
        },
    )
    element = _obj(
        {"price_components": _list(component, min_size=1)}, {"restrictions": restrictions}
    )
    return _obj(
        {
            "country_code": cistring(2, min_size=2),
            "party_id": cistring(3, min_size=3),
            "id": ident(),
            "currency": st.sampled_from(["EUR", "USD", "CHF"]),
            "elements": _list(element, min_size=1),
            "tax_included": enum(e.TaxIncluded),
            "last_updated": date_time(),
        },
        {
            "type": enum(e.TariffType),
            "tariff_alt_text": _list(display_texts()),
            "tariff_alt_url": url(),
            "min_price": price_limits(),
            "max_price": price_limits(),
            "preauthorize_amount": number(),
            "start_date_time": date_time(),
            "end_date_time": date_time(),
            "energy_mix": energy_mixes(),
        },
    )


def cdrs() -> Any:
    """CDR, with embedded tariffs and signed data."""
    cdr_location = _obj(
        {
            "id": ident(),
            "address": string(45),
            "city": string(45),
            "country": st.sampled_from(["NLD", "DEU", "BEL", "FRA"]),
            "coordinates": geo_locations(),
            "evse_uid": ident(),
            "evse_id": cistring(48, min_size=1),
            "connector_id": ident(),
            "connector_standard": enum(e.ConnectorType),
            "connector_format": enum(e.ConnectorFormat),
            "connector_power_type": enum(e.PowerType),
        },
        {"name": string(255), "postal_code": string(10), "state": string(20)},
    )
    signed_value = _obj(
        {"nature": cistring(32), "plain_data": string(512), "signed_data": string(600)}
    )
    signed_data = _obj(
        {"encoding_method": ident(), "signed_values": _list(signed_value, min_size=1)},
        {"encoding_method_version": integer(), "public_key": string(512), "url": string(512)},
    )
    cost_fields = (
        "total_fixed_cost",
        "total_energy_cost",
        "total_time_cost",
        "total_parking_cost",
        "total_reservation_cost",
    )
    return _obj(
        {
            "country_code": cistring(2, min_size=2),
            "party_id": cistring(3, min_size=3),
            "id": cistring(39, min_size=1),
            "start_date_time": date_time(),
            "end_date_time": date_time(),
            "cdr_token": cdr_tokens(),
            "auth_method": enum(e.AuthMethod),
            "cdr_location": cdr_location,
            "currency": st.sampled_from(["EUR", "USD", "CHF"]),
            "charging_periods": _list(charging_periods(), min_size=1),
            "total_cost": prices(),
            "total_energy": number(),
            "total_time": number(),
            "last_updated": date_time(),
        },
        {
            **{key: prices() for key in cost_fields},
            "booking_id": ident(),
            "session_id": ident(),
            "authorization_reference": ident(),
            "meter_id": string(255),
            "tariffs": st.lists(tariffs(), max_size=1),
            "signed_data": signed_data,
            "total_parking_time": number(),
            "remark": string(255),
            "invoice_reference_id": cistring(39),
            "credit": st.booleans(),
            "credit_reference_id": cistring(39),
            "home_charging_compensation": st.booleans(),
        },
    )


# --- tokens ---------------------------------------------------------------------------------


def tokens() -> Any:
    """Token."""
    contract = _obj({"supplier_name": string(64)}, {"contract_id": string(64)})
    return _obj(
        {
            "country_code": cistring(2, min_size=2),
            "party_id": cistring(3, min_size=3),
            "uid": ident(),
            "type": enum(e.TokenType),
            "contract_id": ident(),
            "issuer": string(64),
            "valid": st.booleans(),
            "whitelist": enum(e.WhitelistType),
            "last_updated": date_time(),
        },
        {
            "visual_number": string(64),
            "group_id": ident(),
            "language": st.sampled_from(["en", "nl", "de"]),
            "default_profile_type": enum(e.ProfileType),
            "energy_contract": contract,
        },
    )


def location_references() -> Any:
    """LocationReferences."""
    return _obj({"location_id": ident()}, {"evse_uids": _list(ident())})


def authorization_infos() -> Any:
    """AuthorizationInfo."""
    return _obj(
        {"allowed": enum(e.AllowedType), "token": tokens()},
        {
            "location": location_references(),
            "authorization_reference": ident(),
            "info": display_texts(),
        },
    )


# --- commands -------------------------------------------------------------------------------


def start_sessions() -> Any:
    """StartSession."""
    return _obj(
        {"response_url": url(), "token": tokens(), "location_id": ident()},
        {"evse_uid": ident(), "connector_id": ident(), "authorization_reference": ident()},
    )


def stop_sessions() -> Any:
    """StopSession."""
    return _obj({"response_url": url(), "session_id": ident()})


def reserve_nows() -> Any:
    """ReserveNow."""
    return _obj(
        {
            "response_url": url(),
            "token": tokens(),
            "expiry_date": date_time(),
            "reservation_id": ident(),
            "location_id": ident(),
        },
        {"evse_uid": ident(), "authorization_reference": ident()},
    )


def cancel_reservations() -> Any:
    """CancelReservation."""
    return _obj({"response_url": url(), "reservation_id": ident()})


def unlock_connectors() -> Any:
    """UnlockConnector."""
    return _obj(
        {
            "response_url": url(),
            "location_id": ident(),
            "evse_uid": ident(),
            "connector_id": ident(),
        }
    )


def command_responses() -> Any:
    """CommandResponse."""
    return _obj(
        {"result": enum(e.CommandResponseType), "timeout": integer()},
        {"message": _list(display_texts())},
    )


def command_results() -> Any:
    """CommandResult."""
    return _obj({"result": enum(e.CommandResultType)}, {"message": _list(display_texts())})


# --- charging profiles, hub client info -----------------------------------------------------


def charging_profiles() -> Any:
    """ChargingProfile."""
    period = _obj({"start_period": integer(), "limit": number()})
    return _obj(
        {"charging_rate_unit": enum(e.ChargingRateUnit)},
        {
            "start_date_time": date_time(),
            "duration": integer(),
            "min_charging_rate": number(),
            "charging_profile_period": _list(period),
        },
    )


def active_charging_profiles() -> Any:
    """ActiveChargingProfile."""
    return _obj({"start_date_time": date_time(), "charging_profile": charging_profiles()})


def set_charging_profiles() -> Any:
    """SetChargingProfile."""
    return _obj({"charging_profile": charging_profiles(), "response_url": url()})


def charging_profile_responses() -> Any:
    """ChargingProfileResponse."""
    return _obj({"result": enum(e.ChargingProfileResponseType), "timeout": integer()})


def active_charging_profile_results() -> Any:
    """ActiveChargingProfileResult."""
    return _obj(
        {"result": enum(e.ChargingProfileResultType)}, {"profile": active_charging_profiles()}
    )


def charging_profile_results() -> Any:
    """ChargingProfileResult / ClearProfileResult (same shape)."""
    return _obj({"result": enum(e.ChargingProfileResultType)})


def client_infos() -> Any:
    """ClientInfo."""
    return _obj(
        {
            "party_id": cistring(3, min_size=3),
            "country_code": cistring(2, min_size=2),
            "role": enum(e.Role),
            "status": enum(e.ConnectionStatus),
            "last_updated": date_time(),
        }
    )


# --- PATCH bodies ---------------------------------------------------------------------------


def patch_of(full: Callable[[], Any]) -> Callable[[], Any]:
    """PATCH bodies of an object: ``last_updated`` plus any subset of a valid object's fields."""

    def build() -> Any:
        @st.composite
        def draw_patch(draw: st.DrawFn) -> Json:
            body: Json = draw(full())
            keys = draw(st.sets(st.sampled_from(sorted(body))))
            return {k: v for k, v in body.items() if k in keys or k == "last_updated"}

        return draw_patch()

    build.__doc__ = f"PATCH body built from {full.__name__}()."
    return build


location_patches = patch_of(locations)
evse_patches = patch_of(evses)
connector_patches = patch_of(connectors)
session_patches = patch_of(sessions)
token_patches = patch_of(tokens)


VALID: dict[str, Callable[[], Any]] = {
    "Version": versions,
    "VersionDetails": version_details,
    "Credentials": credentials,
    "Location": locations,
    "EVSE": evses,
    "Connector": connectors,
    "LocationPatch": location_patches,
    "EVSEPatch": evse_patches,
    "ConnectorPatch": connector_patches,
    "Session": sessions,
    "SessionPatch": session_patches,
    "ChargingPreferences": charging_preferences,
    "CDR": cdrs,
    "Tariff": tariffs,
    "Token": tokens,
    "TokenPatch": token_patches,
    "AuthorizationInfo": authorization_infos,
    "LocationReferences": location_references,
    "StartSession": start_sessions,
    "StopSession": stop_sessions,
    "ReserveNow": reserve_nows,
    "CancelReservation": cancel_reservations,
    "UnlockConnector": unlock_connectors,
    "CommandResponse": command_responses,
    "CommandResult": command_results,
    "SetChargingProfile": set_charging_profiles,
    "ActiveChargingProfile": active_charging_profiles,
    "ChargingProfileResponse": charging_profile_responses,
    "ActiveChargingProfileResult": active_charging_profile_results,
    "ChargingProfileResult": charging_profile_results,
    "ClearProfileResult": charging_profile_results,
    "ClientInfo": client_infos,
}
"""Strategy factory per model name of the package's own modules."""
