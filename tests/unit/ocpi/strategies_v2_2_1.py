"""Hypothesis strategies for VALID OCPI 2.2.1 JSON bodies (plain dicts, as on the wire).

Every public function returns a strategy of JSON-ready dicts that the matching wire model in
``ocpihub.ocpi.v2_2_1`` accepts and dumps back unchanged. Optional fields are drawn present or
absent (and, for ``?`` fields, sometimes explicitly ``null``). :data:`BY_MODEL` maps each name of
``ocpihub.ocpi.v2_2_1.MODELS`` to its strategy function, for tests that sweep every model.
Reused by the translator tests.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from hypothesis import strategies as st

from ocpihub.ocpi.v2_2_1 import enums

Json = dict[str, Any]
S = st.SearchStrategy

# --- primitives -------------------------------------------------------------------------------

_ASCII = st.characters(min_codepoint=0x20, max_codepoint=0x7E)
_TEXT = st.characters(blacklist_categories=("Cs", "Cc"))


def ci_string(max_size: int, min_size: int = 1) -> S[str]:
    """A CiString(n): printable ASCII, at most ``max_size`` characters."""
    return st.text(alphabet=_ASCII, min_size=min_size, max_size=max_size)


def string(max_size: int, min_size: int = 1) -> S[str]:
    """A string(n): printable UTF-8 (no control characters), at most ``max_size`` characters."""
    return st.text(alphabet=_TEXT, min_size=min_size, max_size=max_size)


def date_times() -> S[str]:
    """An OCPI DateTime in the canonical ``Z`` form, with 0–6 fractional digits."""
    moments = st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31), timezones=st.just(UTC)
    )
    fractions = st.one_of(st.just(""), st.text(alphabet="0123456789", min_size=1, max_size=6))
    return st.builds(
        lambda moment, frac: (
            moment.strftime("%Y-%m-%dT%H:%M:%S") + (f".{frac}" if frac else "") + "Z"
        ),
        moments,
        fractions,
    )


def numbers() -> S[float]:
    """A finite JSON number as OCPI uses it (4 decimals are typical, any finite float is fine)."""
    return st.floats(min_value=-1e9, max_value=1e9, allow_nan=False, allow_infinity=False)


def ints(min_value: int = 0, max_value: int = 10**6) -> S[int]:
    """A JSON integer."""
    return st.integers(min_value=min_value, max_value=max_value)


def urls() -> S[str]:
    """A URL, string(255)."""
    return st.builds(
        lambda host, path: f"https://{host}.example.com/{path}",
        st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=20),
        st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789/-_", max_size=100),
    )


def enum_values(enum: type[StrEnum]) -> S[str]:
    """Any value the spec lists for ``enum``."""
    return st.sampled_from([member.value for member in enum])


def opt(strategy: S[Any]) -> S[Any]:
    """Value for a ``?`` field that is present: mostly a value, sometimes an explicit null."""
    return st.one_of(strategy, st.none())


def many(strategy: S[Any], max_size: int = 3) -> S[list[Any]]:
    """A ``*`` list."""
    return st.lists(strategy, max_size=max_size)


def some(strategy: S[Any], max_size: int = 3) -> S[list[Any]]:
    """A ``+`` list (never empty)."""
    return st.lists(strategy, min_size=1, max_size=max_size)


def obj(required: dict[str, S[Any]], optional: dict[str, S[Any]] | None = None) -> S[Json]:
    """A JSON object with all ``required`` keys and any subset of ``optional`` keys."""
    return st.fixed_dictionaries(required, optional=optional or {})


def patch_of(full: S[Json], keep: tuple[str, ...] = ("last_updated",)) -> S[Json]:
    """A PATCH body drawn from a full object: a random subset of its fields plus ``keep``."""

    @st.composite
    def build(draw: st.DrawFn) -> Json:
        whole = draw(full)
        names = sorted(k for k in whole if k not in keep)
        chosen = draw(st.lists(st.sampled_from(names), unique=True)) if names else []
        return {k: v for k, v in whole.items() if k in chosen or k in keep}

    return build()


# --- common -----------------------------------------------------------------------------------


def country_codes() -> S[str]:
    """CiString(2)."""
    return ci_string(2, min_size=2)


def party_ids() -> S[str]:
    """CiString(3)."""
    return ci_string(3, min_size=3)


def ids() -> S[str]:
    """CiString(36)."""
    return ci_string(36)


def display_texts() -> S[Json]:
    """DisplayText."""
    return obj({"language": st.sampled_from(["en", "nl", "de", "fr"]), "text": string(512)})


def prices() -> S[Json]:
    """Price (2.2.1 shape)."""
    return obj({"excl_vat": numbers()}, {"incl_vat": opt(numbers())})


def images() -> S[Json]:
    """Image."""
    return obj(
        {
            "url": urls(),
            "category": enum_values(enums.ImageCategory),
            "type": ci_string(4),
        },
        {
            "thumbnail": opt(urls()),
            "width": opt(ints(0, 99999)),
            "height": opt(ints(0, 99999)),
        },
    )


def business_details() -> S[Json]:
    """BusinessDetails."""
    return obj({"name": string(100)}, {"website": opt(urls()), "logo": opt(images())})


# --- versions and credentials -----------------------------------------------------------------


def versions() -> S[Json]:
    """Version."""
    return obj({"version": enum_values(enums.VersionNumber), "url": urls()})


def endpoints() -> S[Json]:
    """Endpoint."""
    return obj(
        {
            "identifier": enum_values(enums.ModuleID),
            "role": enum_values(enums.InterfaceRole),
            "url": urls(),
        }
    )


def version_details() -> S[Json]:
    """VersionDetails (``{version, endpoints}``)."""
    return obj({"version": enum_values(enums.VersionNumber), "endpoints": some(endpoints())})


def credentials_roles() -> S[Json]:
    """CredentialsRole."""
    return obj(
        {
            "role": enum_values(enums.Role),
            "business_details": business_details(),
            "party_id": party_ids(),
            "country_code": country_codes(),
        }
    )


def credentials() -> S[Json]:
    """Credentials."""
    return obj({"token": string(64), "url": urls(), "roles": some(credentials_roles())})


# --- locations --------------------------------------------------------------------------------


def geo_locations() -> S[Json]:
    """GeoLocation."""
    return obj({"latitude": string(10), "longitude": string(11)})


def hours() -> S[Json]:
    """Hours."""
    regular = obj({"weekday": ints(1, 7), "period_begin": string(5), "period_end": string(5)})
    period = obj({"period_begin": date_times(), "period_end": date_times()})
    return obj(
        {"twentyfourseven": st.booleans()},
        {
            "regular_hours": many(regular),
            "exceptional_openings": many(period),
            "exceptional_closings": many(period),
        },
    )


def energy_mixes() -> S[Json]:
    """EnergyMix."""
    source = obj({"source": enum_values(enums.EnergySourceCategory), "percentage": numbers()})
    impact = obj({"category": enum_values(enums.EnvironmentalImpactCategory), "amount": numbers()})
    return obj(
        {"is_green_energy": st.booleans()},
        {
            "energy_sources": many(source),
            "environ_impact": many(impact),
            "supplier_name": opt(string(64)),
            "energy_product_name": opt(string(64)),
        },
    )


def connectors() -> S[Json]:
    """Connector."""
    return obj(
        {
            "id": ids(),
            "standard": enum_values(enums.ConnectorType),
            "format": enum_values(enums.ConnectorFormat),
            "power_type": enum_values(enums.PowerType),
            "max_voltage": ints(),
            "max_amperage": ints(),
            "last_updated": date_times(),
        },
        {
            "max_electric_power": opt(ints()),
            "tariff_ids": many(ids()),
            "terms_and_conditions": opt(urls()),
        },
    )


def evses() -> S[Json]:
    """EVSE."""
    schedule = obj(
        {"period_begin": date_times(), "status": enum_values(enums.Status)},
        {"period_end": opt(date_times())},
    )
    return obj(
        {
            "uid": ids(),
            "status": enum_values(enums.Status),
            "connectors": some(connectors(), max_size=2),
            "last_updated": date_times(),
        },
        {
            "evse_id": opt(ci_string(48)),
            "status_schedule": many(schedule),
            "capabilities": many(enum_values(enums.Capability)),
            "floor_level": opt(string(4)),
            "coordinates": opt(geo_locations()),
            "physical_reference": opt(string(16)),
            "directions": many(display_texts()),
            "parking_restrictions": many(enum_values(enums.ParkingRestriction)),
            "images": many(images(), max_size=1),
        },
    )


def publish_token_types() -> S[Json]:
    """PublishTokenType."""
    return obj(
        {},
        {
            "uid": opt(ids()),
            "type": opt(enum_values(enums.TokenType)),
            "visual_number": opt(string(64)),
            "issuer": opt(string(64)),
            "group_id": opt(ids()),
        },
    )


def locations() -> S[Json]:
    """Location."""
    related = obj({"latitude": string(10), "longitude": string(11)}, {"name": opt(display_texts())})
    return obj(
        {
            "country_code": country_codes(),
            "party_id": party_ids(),
            "id": ids(),
            "publish": st.booleans(),
            "address": string(45),
            "city": string(45),
            "country": st.sampled_from(["NLD", "DEU", "BEL", "FRA"]),
            "coordinates": geo_locations(),
            "time_zone": string(255),
            "last_updated": date_times(),
        },
        {
            "publish_allowed_to": many(publish_token_types()),
            "name": opt(string(255)),
            "postal_code": opt(string(10)),
            "state": opt(string(20)),
            "related_locations": many(related),
            "parking_type": opt(enum_values(enums.ParkingType)),
            "evses": many(evses(), max_size=2),
            "directions": many(display_texts()),
            "operator": opt(business_details()),
            "suboperator": opt(business_details()),
            "owner": opt(business_details()),
            "facilities": many(enum_values(enums.Facility)),
            "opening_times": opt(hours()),
            "charging_when_closed": opt(st.booleans()),
            "images": many(images(), max_size=1),
            "energy_mix": opt(energy_mixes()),
        },
    )


def location_patches() -> S[Json]:
    """Location PATCH body."""
    return patch_of(locations())


def evse_patches() -> S[Json]:
    """EVSE PATCH body."""
    return patch_of(evses())


def connector_patches() -> S[Json]:
    """Connector PATCH body."""
    return patch_of(connectors())


# --- tariffs ----------------------------------------------------------------------------------


def tariff_restrictions() -> S[Json]:
    """TariffRestrictions."""
    return obj(
        {},
        {
            "start_time": opt(string(5)),
            "end_time": opt(string(5)),
            "start_date": opt(string(10)),
            "end_date": opt(string(10)),
            "min_kwh": opt(numbers()),
            "max_kwh": opt(numbers()),
            "min_current": opt(numbers()),
            "max_current": opt(numbers()),
            "min_power": opt(numbers()),
            "max_power": opt(numbers()),
            "min_duration": opt(ints()),
            "max_duration": opt(ints()),
            "day_of_week": many(enum_values(enums.DayOfWeek), max_size=7),
            "reservation": opt(enum_values(enums.ReservationRestrictionType)),
        },
    )


def tariffs() -> S[Json]:
    """Tariff."""
    component = obj(
        {
            "type": enum_values(enums.TariffDimensionType),
            "price": numbers(),
            "step_size": ints(),
        },
        {"vat": opt(numbers())},
    )
    element = obj(
        {"price_components": some(component)}, {"restrictions": opt(tariff_restrictions())}
    )
    return obj(
        {
            "country_code": country_codes(),
            "party_id": party_ids(),
            "id": ids(),
            "currency": st.sampled_from(["EUR", "USD", "CHF"]),
            "elements": some(element),
            "last_updated": date_times(),
        },
        {
            "type": opt(enum_values(enums.TariffType)),
            "tariff_alt_text": many(display_texts()),
            "tariff_alt_url": opt(urls()),
            "min_price": opt(prices()),
            "max_price": opt(prices()),
            "start_date_time": opt(date_times()),
            "end_date_time": opt(date_times()),
            "energy_mix": opt(energy_mixes()),
        },
    )


# --- tokens -----------------------------------------------------------------------------------


def tokens() -> S[Json]:
    """Token."""
    contract = obj({"supplier_name": string(64)}, {"contract_id": opt(string(64))})
    return obj(
        {
            "country_code": country_codes(),
            "party_id": party_ids(),
            "uid": ids(),
            "type": enum_values(enums.TokenType),
            "contract_id": ids(),
            "issuer": string(64),
            "valid": st.booleans(),
            "whitelist": enum_values(enums.WhitelistType),
            "last_updated": date_times(),
        },
        {
            "visual_number": opt(string(64)),
            "group_id": opt(ids()),
            "language": opt(st.sampled_from(["en", "nl", "de", "fr"])),
            "default_profile_type": opt(enum_values(enums.ProfileType)),
            "energy_contract": opt(contract),
        },
    )


def token_patches() -> S[Json]:
    """Token PATCH body."""
    return patch_of(tokens())


def location_references() -> S[Json]:
    """LocationReferences."""
    return obj({"location_id": ids()}, {"evse_uids": many(ids())})


def authorization_infos() -> S[Json]:
    """AuthorizationInfo."""
    return obj(
        {"allowed": enum_values(enums.AllowedType), "token": tokens()},
        {
            "location": opt(location_references()),
            "authorization_reference": opt(ids()),
            "info": opt(display_texts()),
        },
    )


# --- sessions and CDRs ------------------------------------------------------------------------


def cdr_tokens() -> S[Json]:
    """CdrToken."""
    return obj(
        {
            "country_code": country_codes(),
            "party_id": party_ids(),
            "uid": ids(),
            "type": enum_values(enums.TokenType),
            "contract_id": ids(),
        }
    )


def charging_periods() -> S[Json]:
    """ChargingPeriod."""
    dimension = obj({"type": enum_values(enums.CdrDimensionType), "volume": numbers()})
    return obj(
        {"start_date_time": date_times(), "dimensions": some(dimension)},
        {"tariff_id": opt(ids())},
    )


def sessions() -> S[Json]:
    """Session."""
    return obj(
        {
            "country_code": country_codes(),
            "party_id": party_ids(),
            "id": ids(),
            "start_date_time": date_times(),
            "kwh": numbers(),
            "cdr_token": cdr_tokens(),
            "auth_method": enum_values(enums.AuthMethod),
            "location_id": ids(),
            "evse_uid": ids(),
            "connector_id": ids(),
            "currency": st.sampled_from(["EUR", "USD", "CHF"]),
            "status": enum_values(enums.SessionStatus),
            "last_updated": date_times(),
        },
        {
            "end_date_time": opt(date_times()),
            "authorization_reference": opt(ids()),
            "meter_id": opt(string(255)),
            "charging_periods": many(charging_periods()),
            "total_cost": opt(prices()),
        },
    )


def session_patches() -> S[Json]:
    """Session PATCH body."""
    return patch_of(sessions())


def charging_preferences() -> S[Json]:
    """ChargingPreferences."""
    return obj(
        {"profile_type": enum_values(enums.ProfileType)},
        {
            "departure_time": opt(date_times()),
            "energy_need": opt(numbers()),
            "discharge_allowed": opt(st.booleans()),
        },
    )


def cdr_locations() -> S[Json]:
    """CdrLocation."""
    return obj(
        {
            "id": ids(),
            "address": string(45),
            "city": string(45),
            "country": st.sampled_from(["NLD", "DEU", "BEL", "FRA"]),
            "coordinates": geo_locations(),
            "evse_uid": ids(),
            "evse_id": ci_string(48),
            "connector_id": ids(),
            "connector_standard": enum_values(enums.ConnectorType),
            "connector_format": enum_values(enums.ConnectorFormat),
            "connector_power_type": enum_values(enums.PowerType),
        },
        {"name": opt(string(255)), "postal_code": opt(string(10)), "state": opt(string(20))},
    )


def signed_data() -> S[Json]:
    """SignedData."""
    value = obj({"nature": ci_string(32), "plain_data": string(512), "signed_data": string(5000)})
    return obj(
        {"encoding_method": ci_string(36), "signed_values": some(value, max_size=2)},
        {
            "encoding_method_version": opt(ints()),
            "public_key": opt(string(512)),
            "url": opt(string(512)),
        },
    )


def cdrs() -> S[Json]:
    """CDR."""
    return obj(
        {
            "country_code": country_codes(),
            "party_id": party_ids(),
            "id": ci_string(39),
            "start_date_time": date_times(),
            "end_date_time": date_times(),
            "cdr_token": cdr_tokens(),
            "auth_method": enum_values(enums.AuthMethod),
            "cdr_location": cdr_locations(),
            "currency": st.sampled_from(["EUR", "USD", "CHF"]),
            "charging_periods": some(charging_periods()),
            "total_cost": prices(),
            "total_energy": numbers(),
            "total_time": numbers(),
            "last_updated": date_times(),
        },
        {
            "session_id": opt(ids()),
            "authorization_reference": opt(ids()),
            "meter_id": opt(string(255)),
            "tariffs": many(tariffs(), max_size=2),
            "signed_data": opt(signed_data()),
            "total_fixed_cost": opt(prices()),
            "total_energy_cost": opt(prices()),
            "total_time_cost": opt(prices()),
            "total_parking_time": opt(numbers()),
            "total_parking_cost": opt(prices()),
            "total_reservation_cost": opt(prices()),
            "remark": opt(string(255)),
            "invoice_reference_id": opt(ci_string(39)),
            "credit": opt(st.booleans()),
            "credit_reference_id": opt(ci_string(39)),
            "home_charging_compensation": opt(st.booleans()),
        },
    )


# --- commands ---------------------------------------------------------------------------------


def start_sessions() -> S[Json]:
    """StartSession."""
    return obj(
        {"response_url": urls(), "token": tokens(), "location_id": ids()},
        {
            "evse_uid": opt(ids()),
            "connector_id": opt(ids()),
            "authorization_reference": opt(ids()),
        },
    )


def stop_sessions() -> S[Json]:
    """StopSession."""
    return obj({"response_url": urls(), "session_id": ids()})


def reserve_nows() -> S[Json]:
    """ReserveNow."""
    return obj(
        {
            "response_url": urls(),
            "token": tokens(),
            "expiry_date": date_times(),
            "reservation_id": ids(),
            "location_id": ids(),
        },
        {"evse_uid": opt(ids()), "authorization_reference": opt(ids())},
    )


def cancel_reservations() -> S[Json]:
    """CancelReservation."""
    return obj({"response_url": urls(), "reservation_id": ids()})


def unlock_connectors() -> S[Json]:
    """UnlockConnector."""
    return obj(
        {"response_url": urls(), "location_id": ids(), "evse_uid": ids(), "connector_id": ids()}
    )


def command_responses() -> S[Json]:
    """CommandResponse."""
    return obj(
        {"result": enum_values(enums.CommandResponseType), "timeout": ints()},
        {"message": many(display_texts())},
    )


def command_results() -> S[Json]:
    """CommandResult."""
    return obj({"result": enum_values(enums.CommandResultType)}, {"message": many(display_texts())})


# --- charging profiles ------------------------------------------------------------------------


def charging_profiles() -> S[Json]:
    """ChargingProfile."""
    period = obj({"start_period": ints(), "limit": numbers()})
    return obj(
        {"charging_rate_unit": enum_values(enums.ChargingRateUnit)},
        {
            "start_date_time": opt(date_times()),
            "duration": opt(ints()),
            "min_charging_rate": opt(numbers()),
            "charging_profile_period": many(period),
        },
    )


def active_charging_profiles() -> S[Json]:
    """ActiveChargingProfile."""
    return obj({"start_date_time": date_times(), "charging_profile": charging_profiles()})


def set_charging_profiles() -> S[Json]:
    """SetChargingProfile."""
    return obj({"charging_profile": charging_profiles(), "response_url": urls()})


def charging_profile_responses() -> S[Json]:
    """ChargingProfileResponse."""
    return obj({"result": enum_values(enums.ChargingProfileResponseType), "timeout": ints()})


def active_charging_profile_results() -> S[Json]:
    """ActiveChargingProfileResult."""
    return obj(
        {"result": enum_values(enums.ChargingProfileResultType)},
        {"profile": opt(active_charging_profiles())},
    )


def charging_profile_results() -> S[Json]:
    """ChargingProfileResult (same shape as ClearProfileResult)."""
    return obj({"result": enum_values(enums.ChargingProfileResultType)})


# --- hub client info --------------------------------------------------------------------------


def client_infos() -> S[Json]:
    """ClientInfo."""
    return obj(
        {
            "party_id": party_ids(),
            "country_code": country_codes(),
            "role": enum_values(enums.Role),
            "status": enum_values(enums.ConnectionStatus),
            "last_updated": date_times(),
        }
    )


BY_MODEL: dict[str, Callable[[], S[Json]]] = {
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
    "CancelReservation": cancel_reservations,
    "ReserveNow": reserve_nows,
    "StartSession": start_sessions,
    "StopSession": stop_sessions,
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
"""Strategy of valid bodies for every name in ``ocpihub.ocpi.v2_2_1.MODELS``."""
