"""Behaviour of the 2.2.1 wire models beyond the spec examples: bad input, PATCH twins, enums."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from ocpihub.errors import InvalidParameters
from ocpihub.ocpi import v2_2_1
from ocpihub.ocpi.fields import dump, parse
from ocpihub.ocpi.v2_2_1 import enums
from ocpihub.ocpi.v2_2_1.commands import COMMAND_BODIES, StartSession
from ocpihub.ocpi.v2_2_1.credentials import Credentials
from ocpihub.ocpi.v2_2_1.hub_client_info import ClientInfo
from ocpihub.ocpi.v2_2_1.locations import ConnectorPatch, EVSEPatch, Location, LocationPatch
from ocpihub.ocpi.v2_2_1.sessions import SessionPatch
from ocpihub.ocpi.v2_2_1.tariffs import Tariff
from ocpihub.ocpi.v2_2_1.tokens import Token, TokenPatch
from ocpihub.ocpi.v2_2_1.versions import VersionDetails
from tests.examples import load_example

EDITION = "2.2.1"


def _location() -> dict[str, Any]:
    data: dict[str, Any] = load_example(EDITION, "location_example.json")
    return data


def _refusal(model: type, data: Any) -> InvalidParameters:
    with pytest.raises(InvalidParameters) as info:
        parse(model, data)
    assert info.value.status_code == 2001
    assert info.value.http_status == 400
    return info.value


def test_unknown_enum_value_names_path_and_value() -> None:
    """A value outside a closed enum is refused naming the nested path and the value."""
    data = _location()
    data["evses"][1]["connectors"][0]["standard"] = "SAE_J3400"
    error = _refusal(Location, data)
    assert error.message.startswith("evses[1].connectors[0].standard: Input should be 'CHADEMO'")
    assert error.message.endswith("(got 'SAE_J3400')")


def test_2_3_0_only_token_type_is_refused() -> None:
    """2.2.1 enums are closed: the 2.3.0 TokenType EMAID is not accepted."""
    data = load_example(EDITION, "token_example_2_full_rfid.json")
    data["type"] = "EMAID"
    assert "type: Input should be" in _refusal(Token, data).message
    assert "(got 'EMAID')" in _refusal(Token, data).message


def test_2_3_0_role_without_hub_still_has_hub_here() -> None:
    """Role HUB exists in 2.2.1 (removed in 2.3.0, digest §7 item 2)."""
    info = {
        "party_id": "HUB",
        "country_code": "NL",
        "role": "HUB",
        "status": "CONNECTED",
        "last_updated": "2020-01-01T00:00:00Z",
    }
    assert dump(parse(ClientInfo, info)) == info


def test_too_long_cistring_names_path_and_value() -> None:
    """An id longer than CiString(36) is refused with its path and value."""
    data = _location()
    data["id"] = "x" * 37
    assert _refusal(Location, data).message == (
        f"id: String should have at most 36 characters (got '{'x' * 37}')"
    )


def test_non_ascii_cistring_is_refused() -> None:
    """A CiString must be printable ASCII."""
    data = _location()
    data["party_id"] = "CPé"
    assert (
        _refusal(Location, data).message == "party_id: must be printable ASCII: 'CPé' (got 'CPé')"
    )


def test_non_ascii_string_is_accepted() -> None:
    """A plain string may be any printable UTF-8 (2.2+), e.g. a Swedish city name."""
    data = _location()
    data["city"] = "Malmö"
    assert dump(parse(Location, data))["city"] == "Malmö"


def test_missing_required_field_is_named() -> None:
    """A missing required field is reported as 'field required' at its path."""
    data = _location()
    del data["time_zone"]
    del data["evses"][0]["connectors"][0]["max_voltage"]
    assert _refusal(Location, data).message == (
        "evses[0].connectors[0].max_voltage: field required; time_zone: field required"
    )


def test_bad_datetime_names_path_and_value() -> None:
    """A malformed DateTime is refused naming the field and the value."""
    data = _location()
    data["last_updated"] = "yesterday"
    assert _refusal(Location, data).message == (
        "last_updated: not an OCPI DateTime: 'yesterday' (got 'yesterday')"
    )


def test_empty_plus_list_is_refused() -> None:
    """A '+' list (EVSE.connectors) must not be empty."""
    data = _location()
    data["evses"][0]["connectors"] = []
    assert _refusal(Location, data).message == (
        "evses[0].connectors: List should have at least 1 item after validation, not 0 (got [])"
    )


def test_empty_credentials_roles_are_refused() -> None:
    """Credentials.roles is '+': a platform hosts at least one party."""
    data = load_example(EDITION, "credentials_example.json")
    data["roles"] = []
    assert _refusal(Credentials, data).message.startswith("roles: List should have at least 1")


def test_wrong_json_type_is_refused() -> None:
    """A body that is not an object is refused as a whole."""
    assert _refusal(Tariff, ["not", "an", "object"]).message.startswith("(body): ")


def test_every_problem_is_reported_at_once() -> None:
    """All bad fields are named in one message, separated by semicolons."""
    data = load_example(EDITION, "token_example_2_full_rfid.json")
    data["whitelist"] = "SOMETIMES"
    data["uid"] = "u" * 40
    del data["issuer"]
    message = _refusal(Token, data).message
    assert message.count("; ") == 2
    assert "whitelist: " in message
    assert "uid: " in message
    assert "issuer: field required" in message


def test_unknown_fields_are_kept() -> None:
    """Unknown JSON fields are neither refused nor dropped, at any depth."""
    data = _location()
    data["x_vendor"] = {"a": 1}
    data["evses"][0]["connectors"][0]["vendor_flag"] = True
    assert dump(parse(Location, data)) == data


def test_datetime_with_offset_is_normalised_to_utc() -> None:
    """A DateTime given with an offset is held and written as UTC with 'Z'."""
    data = _location()
    data["last_updated"] = "2015-06-29T22:39:09+02:00"
    assert dump(parse(Location, data))["last_updated"] == "2015-06-29T20:39:09Z"


@pytest.mark.parametrize(
    ("patch_model", "body"),
    [
        (LocationPatch, {"name": "Gent Zuid"}),
        (EVSEPatch, {"status": "CHARGING"}),
        (ConnectorPatch, {"tariff_ids": ["15"]}),
        (SessionPatch, {"kwh": 12.5}),
        (TokenPatch, {"valid": False}),
    ],
)
def test_patch_bodies_require_last_updated(patch_model: type, body: dict[str, Any]) -> None:
    """2.2.1 PATCH bodies without last_updated are refused (digest §1.3)."""
    assert _refusal(patch_model, body).message == "last_updated: field required"
    with_stamp = {**body, "last_updated": "2019-06-23T08:11:00Z"}
    assert dump(parse(patch_model, with_stamp)) == with_stamp


def test_patch_body_still_validates_given_fields() -> None:
    """A PATCH body's fields keep their types: a bad status in an EVSE PATCH is refused."""
    body = {"status": "BROKEN", "last_updated": "2019-06-23T08:11:00Z"}
    assert "status: Input should be" in _refusal(EVSEPatch, body).message


def test_patch_body_does_not_fill_unset_fields() -> None:
    """Dumping a PATCH body writes only the fields that were sent."""
    body = {"valid": False, "last_updated": "2019-06-23T08:11:00Z"}
    assert dump(parse(TokenPatch, body)) == body


def test_models_registry_covers_the_top_level_objects() -> None:
    """MODELS lists every body object by its spec name; 2.2.1 has no Tariff or ClientInfo PATCH."""
    assert v2_2_1.VERSION == "2.2.1"
    for name, model in v2_2_1.MODELS.items():
        assert model.__name__ == name
    assert {"Location", "EVSE", "Connector", "Session", "CDR", "Tariff", "Token"} <= set(
        v2_2_1.MODELS
    )
    assert {"LocationPatch", "EVSEPatch", "ConnectorPatch", "SessionPatch", "TokenPatch"} <= set(
        v2_2_1.MODELS
    )
    assert "TariffPatch" not in v2_2_1.MODELS
    assert "ClientInfoPatch" not in v2_2_1.MODELS
    assert set(COMMAND_BODIES.values()) <= set(v2_2_1.MODELS.values())


def test_command_bodies_cover_every_command_type() -> None:
    """Each CommandType has a request body class."""
    assert set(COMMAND_BODIES) == set(enums.CommandType)


def test_start_session_embeds_a_full_token() -> None:
    """StartSession carries a complete 2.2.1 Token; a token missing contract_id is refused."""
    token = load_example(EDITION, "token_example_1_app_user.json")
    body = {"response_url": "https://e.example.com/r/1", "token": token, "location_id": "LOC1"}
    assert dump(parse(StartSession, body)) == body
    broken = copy.deepcopy(body)
    del broken["token"]["contract_id"]
    assert _refusal(StartSession, broken).message == "token.contract_id: field required"


def test_enum_members_equal_their_wire_values() -> None:
    """StrEnum members compare equal to the spec's strings, so models hold plain strings."""
    token = parse(Token, load_example(EDITION, "token_example_2_full_rfid.json"))
    assert token.type == enums.TokenType.RFID
    assert type(token.type) is str


def test_custom_module_ids_are_accepted_in_version_details() -> None:
    """Version details may list custom modules (2.2.1 'Custom Modules'); they are kept as given."""
    details = load_example(EDITION, "version_details_example.json")
    details["endpoints"].append(
        {"identifier": "nltnm-tokens", "role": "SENDER", "url": "https://x.example.com/t"}
    )
    assert dump(parse(VersionDetails, details)) == details


def test_endpoint_role_is_a_closed_enum() -> None:
    """An endpoint role other than SENDER/RECEIVER is refused with its path."""
    details = load_example(EDITION, "version_details_example.json")
    details["endpoints"][0]["role"] = "BOTH"
    message = _refusal(VersionDetails, details).message
    assert message.startswith("endpoints[0].role: Input should be 'SENDER' or 'RECEIVER'")
