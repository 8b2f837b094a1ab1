"""Behaviour of the 2.3.0 wire models: 2001 messages, open enums, PATCH twins, MODELS."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from ocpihub.errors import InvalidParameters
from ocpihub.ocpi.fields import OcpiModel, dump, parse
from ocpihub.ocpi.v2_3_0 import MODELS, VERSION
from ocpihub.ocpi.v2_3_0.cdrs import CDR
from ocpihub.ocpi.v2_3_0.commands import COMMAND_REQUESTS, StartSession
from ocpihub.ocpi.v2_3_0.credentials import Credentials
from ocpihub.ocpi.v2_3_0.enums import CommandType, ConnectorType, TokenType
from ocpihub.ocpi.v2_3_0.hub_client_info import ClientInfo
from ocpihub.ocpi.v2_3_0.locations import EVSE, Connector, Location, LocationPatch
from ocpihub.ocpi.v2_3_0.sessions import SessionPatch
from ocpihub.ocpi.v2_3_0.tariffs import Tariff
from ocpihub.ocpi.v2_3_0.tokens import Token, TokenPatch
from ocpihub.ocpi.v2_3_0.versions import Endpoint, VersionDetails
from tests.examples import load_example


class Registry:
    """A tiny enum registry: accepts exactly the (enum name, value) pairs it was given."""

    def __init__(self, *pairs: tuple[str, str]) -> None:
        self.pairs = set(pairs)

    def accepts(self, enum_name: str, value: str) -> bool:
        return (enum_name, value) in self.pairs


def _location() -> dict[str, Any]:
    data = load_example("2.3.0", "location_example_uc2_destination_charger.json")
    assert isinstance(data, dict)
    return data


def _token() -> dict[str, Any]:
    data = load_example("2.3.0", "token_example_2_full_rfid.json")
    assert isinstance(data, dict)
    return data


def _refusal(model: type[OcpiModel], data: object, **kwargs: Any) -> str:
    with pytest.raises(InvalidParameters) as info:
        parse(model, data, **kwargs)
    assert info.value.status_code == 2001
    return info.value.message


# --- 2001 messages --------------------------------------------------------------------------


def test_wrong_closed_enum_value_names_path_and_value() -> None:
    """A value outside a closed enum (EVSE status) is refused, naming the path and value."""
    data = _location()
    data["evses"][0]["status"] = "BROKEN"
    message = _refusal(Location, data)
    assert message.startswith("evses[0].status: Input should be ")
    assert message.endswith("(got 'BROKEN')")


def test_too_long_cistring_names_path_and_value() -> None:
    """A CiString(36) id of 37 characters is refused, naming the field and the value."""
    data = _token()
    data["uid"] = "X" * 37
    message = _refusal(Token, data)
    assert message == f"uid: String should have at most 36 characters (got '{'X' * 37}')"


def test_non_ascii_cistring_is_refused() -> None:
    """CiString is printable ASCII only: a non-ASCII party id is refused."""
    data = _token()
    data["party_id"] = "TNé"
    assert _refusal(Token, data) == "party_id: must be printable ASCII: 'TNé' (got 'TNé')"


def test_missing_required_field_is_named() -> None:
    """A missing required field is reported as ``<path>: field required``."""
    data = _location()
    del data["evses"][0]["connectors"][0]["power_type"]
    assert _refusal(Location, data) == "evses[0].connectors[0].power_type: field required"


def test_bad_datetime_names_path_and_value() -> None:
    """A DateTime that is not one is refused with the field path and the offending text."""
    data = _token()
    data["last_updated"] = "yesterday"
    assert _refusal(Token, data) == (
        "last_updated: not an OCPI DateTime: 'yesterday' (got 'yesterday')"
    )


def test_empty_plus_list_is_refused() -> None:
    """A ``+`` list (EVSE.connectors) may not be empty."""
    data = _location()["evses"][0]
    data["connectors"] = []
    assert _refusal(EVSE, data) == (
        "connectors: List should have at least 1 item after validation, not 0 (got [])"
    )


def test_every_problem_is_reported_in_one_error() -> None:
    """Several bad fields give one 2001 naming each of them, in field order."""
    data = _token()
    data["valid"] = "perhaps"
    data["whitelist"] = "SOMETIMES"
    message = _refusal(Token, data)
    assert message.index("valid:") < message.index("whitelist:")
    assert "(got 'perhaps')" in message
    assert "(got 'SOMETIMES')" in message


def test_non_object_body_is_refused() -> None:
    """A JSON array where an object is expected is a 2001, not a crash."""
    assert _refusal(ClientInfo, [1, 2]).startswith("(body): Input should be a valid dictionary")


# --- open enums -----------------------------------------------------------------------------


def test_unknown_open_enum_value_refused_without_registry() -> None:
    """Without a registry an unknown ConnectorType is refused, naming field and value."""
    data = _location()
    data["evses"][0]["connectors"][0]["standard"] = "NACS_V2"
    assert _refusal(Location, data) == (
        "evses[0].connectors[0].standard: 'NACS_V2' is not a known or registered"
        " ConnectorType value (got 'NACS_V2')"
    )


def test_unknown_open_enum_value_accepted_by_registry() -> None:
    """A registry that knows the value lets it through, and it dumps back unchanged."""
    data = _location()
    data["evses"][0]["connectors"][0]["standard"] = "NACS_V2"
    parsed = parse(Location, data, enums=Registry(("ConnectorType", "NACS_V2")))
    assert dump(parsed) == data


def test_registry_is_asked_per_enum_name() -> None:
    """A value registered for another enum does not open this one."""
    data = _token()
    data["type"] = "NFC_WATCH"
    message = _refusal(Token, data, enums=Registry(("ConnectorType", "NFC_WATCH")))
    assert (
        message
        == "type: 'NFC_WATCH' is not a known or registered TokenType value (got 'NFC_WATCH')"
    )
    assert dump(parse(Token, data, enums=Registry(("TokenType", "NFC_WATCH")))) == data


def test_registry_opens_open_enums_only() -> None:
    """A registry cannot widen a closed enum (WhitelistType)."""
    data = _token()
    data["whitelist"] = "SOMETIMES"
    message = _refusal(Token, data, enums=Registry(("WhitelistType", "SOMETIMES")))
    assert message.startswith("whitelist: Input should be ")


def test_open_enum_in_list_and_nested_objects() -> None:
    """Open enums inside lists (capabilities, facilities) and nested objects use the registry."""
    data = _location()
    data["facilities"] = ["HOTEL", "EV_WASH"]
    data["evses"][0]["capabilities"] = ["RFID_READER", "V2G"]
    assert "facilities[1]: 'EV_WASH'" in _refusal(Location, data)
    registry = Registry(("Facility", "EV_WASH"), ("Capability", "V2G"))
    assert dump(parse(Location, data, enums=registry)) == data


def test_custom_module_id_needs_registry() -> None:
    """A partner's custom ModuleID passes only once registered (digest §1.1, §5)."""
    data = load_example("2.3.0", "version_details_example.json")
    data["endpoints"].append({"identifier": "nltnm-tokens", "role": "SENDER", "url": "https://x"})
    assert "endpoints[2].identifier" in _refusal(VersionDetails, data)
    parsed = parse(VersionDetails, data, enums=Registry(("ModuleID", "nltnm-tokens")))
    assert dump(parsed) == data


def test_payments_and_booking_module_ids_are_known() -> None:
    """``payments`` and ``Booking`` are listed ModuleIDs (digest §1.1, §7 item 4)."""
    for identifier in ("payments", "Booking"):
        endpoint = {"identifier": identifier, "role": "RECEIVER", "url": "https://x"}
        assert dump(parse(Endpoint, endpoint)) == endpoint


def test_bookings_edition_enum_values_are_accepted() -> None:
    """LICENSE_PLATE and the two extra CdrDimensionType values come from the bookings edition."""
    token = _token()
    token["type"] = TokenType.LICENSE_PLATE
    assert parse(Token, token).type == "LICENSE_PLATE"
    cdr = load_example("2.3.0", "cdr_example.json")
    cdr["tariffs"][0]["tax_included"] = "NO"
    cdr["booking_id"] = "BOOKING-1"
    cdr["charging_periods"][0]["dimensions"].append({"type": "RESERVATION_OVERTIME", "volume": 1})
    assert dump(parse(CDR, cdr)) == cdr


def test_spec_values_are_listed_in_the_strenum() -> None:
    """The open enums still list the spec's values (SAE_J3400, MCS are new in 2.3.0)."""
    assert {"SAE_J3400", "MCS", "IEC_60309_2_single_16"} <= set(ConnectorType)


# --- PATCH twins ----------------------------------------------------------------------------


def test_patch_requires_last_updated() -> None:
    """Location, Session and Token PATCH bodies must carry last_updated (digest §1.3)."""
    for model in (LocationPatch, SessionPatch, TokenPatch):
        assert _refusal(model, {"valid": False}) == "last_updated: field required"


def test_patch_accepts_any_subset_and_dumps_only_what_was_sent() -> None:
    """A PATCH body keeps exactly the fields it was given."""
    body = {"name": "Gent Zuid", "last_updated": "2019-06-24T12:39:09Z"}
    assert dump(parse(LocationPatch, body)) == body


def test_patch_still_validates_given_fields() -> None:
    """Fields present in a PATCH body are validated as in the full object."""
    body = {"status": "FLYING", "last_updated": "2019-06-24T12:39:09Z"}
    assert _refusal(MODELS["EVSEPatch"], body).startswith("status: Input should be ")


def test_tariffs_have_no_patch_twin() -> None:
    """2.3.0 has no Tariff or ClientInfo PATCH (spec: n/a)."""
    assert "TariffPatch" not in MODELS
    assert "ClientInfoPatch" not in MODELS


# --- package surface ------------------------------------------------------------------------


def test_models_registry_names_match_classes() -> None:
    """MODELS maps each object name to the class of that name, for all 2.3.0 modules."""
    assert VERSION == "2.3.0"
    for name, model in MODELS.items():
        assert model.__name__ == name
        assert issubclass(model, OcpiModel)
    expected = {"Location", "EVSE", "Connector", "Session", "CDR", "Tariff", "Token"}
    expected |= {"Credentials", "VersionDetails", "StartSession", "ClientInfo"}
    expected |= {"Terminal", "FinancialAdviceConfirmation", "Booking", "BookingLocation"}
    assert expected <= set(MODELS)


def test_command_requests_cover_every_command_type() -> None:
    """Each spec CommandType has a request body model, e.g. START_SESSION → StartSession."""
    assert set(COMMAND_REQUESTS) == set(CommandType)
    assert COMMAND_REQUESTS[CommandType.START_SESSION] is StartSession


def test_unknown_fields_are_kept_through_a_round_trip() -> None:
    """Non-specified JSON fields are never rejected and are relayed as received."""
    data = _location()
    data["x_vendor"] = {"anything": [1, 2]}
    data["evses"][0]["connectors"][0]["vendor_flag"] = True
    assert dump(parse(Location, data)) == data


def test_datetime_offsets_normalise_to_utc() -> None:
    """A DateTime with an offset is held as UTC ``Z``; ``Z`` strings stay unchanged."""
    data = _token()
    data["last_updated"] = "2015-06-29T22:39:09+02:00"
    assert parse(Token, data).last_updated == "2015-06-29T20:39:09Z"


def test_credentials_hub_party_id_is_five_characters_max() -> None:
    """hub_party_id is CiString(5): cc + party id of the hub."""
    data = load_example("2.3.0", "credentials_example.json")
    data["hub_party_id"] = "NLHUB"
    assert dump(parse(Credentials, data)) == data
    data["hub_party_id"] = "NL-HUB"
    assert _refusal(Credentials, data).startswith("hub_party_id: String should have at most 5")


def test_connector_ints_stay_ints() -> None:
    """``int`` fields (max_voltage) refuse fractional numbers."""
    data = copy.deepcopy(_location()["evses"][0]["connectors"][0])
    data["max_voltage"] = 230.5
    assert _refusal(Connector, data).startswith("max_voltage: Input should be a valid integer")


def test_tariff_requires_tax_included() -> None:
    """2.3.0 Tariffs must say whether prices include taxes (digest §7 item 16)."""
    data = load_example("2.3.0", "tariff_1_simple_2hour.json")
    del data["tax_included"]
    assert _refusal(Tariff, data) == "tax_included: field required"


def test_datetime_out_of_range_after_offset_is_a_2001() -> None:
    """A DateTime whose UTC form overflows year 9999 is a 2001, not an OverflowError."""
    data = _token()
    data["last_updated"] = "9999-12-31T23:59:59-10:00"
    assert "not a valid OCPI DateTime" in _refusal(Token, data)
