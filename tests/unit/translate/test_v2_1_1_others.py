"""Rules of the 2.1.1 Tariffs, Tokens, Commands, Credentials and Versions translators."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from ocpihub.errors import InvalidParameters
from ocpihub.ocpi.fields import dump, parse
from ocpihub.translate import MissingContext
from ocpihub.translate.v2_1_1 import DOWN, UP
from tests.examples import load_example
from tests.unit.translate.test_v2_1_1_support import (
    MODELS_211,
    MODELS_230,
    canonical_only,
    context,
    token,
)

CTX = context()


def up_and_back(name: str, data: dict[str, Any], ctx: Any = CTX) -> dict[str, Any]:
    """UP (valid 2.3.0), then DOWN gives ``data`` back losslessly; the canonical doc."""
    wire = dump(parse(MODELS_211[name], data))
    doc = UP[name](wire, ctx)
    parse(MODELS_230[name], canonical_only(doc))
    back, report = DOWN[name](doc, ctx)
    assert (back, report.as_json()) == (wire, [])
    return doc


def down(name: str, doc: dict[str, Any], ctx: Any = CTX) -> tuple[dict[str, Any], dict[str, Any]]:
    """DOWN ``doc``: the valid 2.1.1 output and the losses by path."""
    out, report = DOWN[name](doc, ctx)
    assert dump(parse(MODELS_211[name], out)) == out
    return out, {loss.path: loss.value for loss in report.losses}


def example(name: str) -> dict[str, Any]:
    """A 2.3.0 example file's object."""
    return copy.deepcopy(load_example("2.3.0", name))


# --- tariffs --------------------------------------------------------------------------------

TARIFF_211 = {
    "id": "T1",
    "currency": "EUR",
    "elements": [{"price_components": [{"type": "ENERGY", "price": 0.25, "step_size": 1}]}],
    "last_updated": "2024-01-01T00:00:00Z",
}


def test_tariff_up_is_net_and_owned() -> None:
    """Up: 2.1.1 prices exclude VAT: tax_included NO, owner from context."""
    doc = up_and_back("Tariff", TARIFF_211)
    assert (doc["tax_included"], doc["country_code"]) == ("NO", "NL")


def test_tariff_patch_goes_up_as_a_partial_tariff() -> None:
    """Up: a 2.1.1 tariff PATCH translates only what it has, plus last_updated."""
    doc = up_and_back("TariffPatch", {"tariff_alt_url": "https://x.example/t"})
    assert set(canonical_only(doc)) == {"tariff_alt_url", "last_updated"}


def test_gross_tariff_with_vat_is_sent_net() -> None:
    """Down: tax_included YES with vat → net price (4 decimals), vat reported."""
    doc = dict(UP["Tariff"](TARIFF_211, CTX), tax_included="YES")
    doc["elements"][0]["price_components"][0].update(price=0.3, vat=20.0)
    out, losses = down("Tariff", doc)
    assert out["elements"][0]["price_components"][0]["price"] == 0.25
    assert losses["elements[0].price_components[0].vat"] == 20.0


def test_gross_tariff_without_vat_is_sent_gross_with_a_note() -> None:
    """Down: tax_included YES without vat cannot be made net: sent as is, noted, reported."""
    out, losses = down("Tariff", example("tariff_20_simple_north_american_inclusive.json"))
    assert out["tariff_alt_text"][-1] == {"language": "en", "text": "Prices include taxes."}
    assert losses["tax_included"] == "YES"


def test_new_tariff_fields_are_reported() -> None:
    """Down: min_price, end_date_time... are dropped with losses; owner fields silently."""
    out, losses = down("Tariff", example("tariff_6_025kwh_start_max_price.json"))
    assert {"max_price", "end_date_time"} <= set(losses)
    assert "country_code" not in out and "country_code" not in losses


def test_reservation_and_current_restrictions_drop_the_element() -> None:
    """Down: elements restricted by reservation or current are dropped whole (digest §4.3)."""
    out, losses = down("Tariff", example("tariff_4_complex.json"))
    assert len(out["elements"]) == 3 and {"elements[1]", "elements[2]", "elements[3]"} <= set(
        losses
    )


def test_tariff_with_no_expressible_element_is_missing_context() -> None:
    """Down: a reservation-only tariff has nothing 2.1.1 can say: MissingContext (Inexpressible)."""
    doc = example("tariff_15_reservation_5_euro_per_hour.json")
    doc["elements"] = doc["elements"][:1]
    with pytest.raises(MissingContext, match="no element"):
        DOWN["Tariff"](doc, CTX)


# --- tokens ---------------------------------------------------------------------------------

TOKEN_211 = {
    "uid": "012345678",
    "type": "RFID",
    "auth_id": "DE8ACC12E46L89",
    "issuer": "TheNewMotion",
    "valid": True,
    "whitelist": "ALLOWED",
    "last_updated": "2024-01-01T00:00:00Z",
}


def test_token_auth_id_is_contract_id() -> None:
    """Up: auth_id → contract_id, owner from the context; and back."""
    doc = up_and_back("Token", TOKEN_211)
    assert doc["contract_id"] == "DE8ACC12E46L89" and "auth_id" not in doc


@pytest.mark.parametrize("token_type", ["APP_USER", "AD_HOC_USER", "EMAID", "LICENSE_PLATE"])
def test_new_token_types_become_other(token_type: str) -> None:
    """Down: token types 2.1.1 lacks → OTHER, reported."""
    doc = dict(token("U1"), type=token_type)
    out, losses = down("Token", doc)
    assert out["type"] == "OTHER" and losses["type"] == token_type


def test_new_token_fields_are_reported() -> None:
    """Down: group_id, default_profile_type, energy_contract are dropped with losses."""
    out, losses = down("Token", example("token_example_2_full_rfid.json"))
    assert {"group_id", "default_profile_type", "energy_contract"} == set(losses)
    assert out["auth_id"] == "DE8ACC12E46L89"


def test_authorization_info_token_comes_from_the_context() -> None:
    """Up: the Token a 2.1.1 AuthorizationInfo answers for comes from ctx; down drops it."""
    info = {"allowed": "ALLOWED", "location": {"location_id": "LOC1", "connector_ids": ["1"]}}
    doc = up_and_back("AuthorizationInfo", info)
    assert doc["token"]["uid"] == "012345678"
    assert "connector_ids" not in doc["location"]


def test_authorization_info_without_token_is_missing_context() -> None:
    """Up: no token in the context is a MissingContext naming the token."""
    with pytest.raises(MissingContext, match="Token"):
        UP["AuthorizationInfo"]({"allowed": "BLOCKED"}, context(token=None))


def test_authorization_info_down_reports_token_and_reference() -> None:
    """Down: a 2.3.0 answer's token and authorization_reference have no 2.1.1 place."""
    doc = {"allowed": "ALLOWED", "token": token("U1"), "authorization_reference": "R1"}
    out, losses = down("AuthorizationInfo", doc)
    assert out == {"allowed": "ALLOWED"} and set(losses) == {"token", "authorization_reference"}


# --- commands -------------------------------------------------------------------------------


def test_reserve_now_reservation_id_is_an_int_in_2_1_1() -> None:
    """Up: int reservation_id → its string; down: back to the int."""
    data = {
        "response_url": "https://x.example/r",
        "token": TOKEN_211,
        "expiry_date": "2024-01-01T12:00:00Z",
        "reservation_id": 42,
        "location_id": "LOC1",
    }
    doc = up_and_back("ReserveNow", data)
    assert doc["reservation_id"] == "42" and doc["token"]["contract_id"] == "DE8ACC12E46L89"


def test_non_numeric_reservation_id_gets_a_stable_int() -> None:
    """Down: a string reservation id becomes a stable positive int, reported."""
    doc = {
        "response_url": "https://x.example/r",
        "token": token("U1"),
        "expiry_date": "2024-01-01T12:00:00Z",
        "reservation_id": "RES-A",
        "location_id": "LOC1",
        "authorization_reference": "AR1",
    }
    out, losses = down("ReserveNow", doc)
    assert out["reservation_id"] == down("ReserveNow", doc)[0]["reservation_id"] > 0
    assert {"reservation_id", "authorization_reference"} <= set(losses)


def test_start_session_drops_connector_and_reference() -> None:
    """Down: connector_id and authorization_reference are reported; the token goes down."""
    doc = {
        "response_url": "https://x.example/r",
        "token": dict(token("U1"), type="APP_USER"),
        "location_id": "LOC1",
        "evse_uid": "E1",
        "connector_id": "1",
        "authorization_reference": "AR1",
    }
    out, losses = down("StartSession", doc)
    assert out["token"]["type"] == "OTHER"
    assert set(losses) == {"connector_id", "authorization_reference", "token.type"}


def test_sync_response_gets_a_timeout() -> None:
    """Up: the 2.1.1 sync answer gets the default timeout; TIMEOUT becomes REJECTED."""
    assert up_and_back("CommandResponse", {"result": "ACCEPTED"})["timeout"] == 60
    assert up_and_back("CommandResponse", {"result": "TIMEOUT"})["result"] == "REJECTED"


def test_sync_response_down_reports_timeout_and_message() -> None:
    """Down: a 2.3.0 answer's timeout and message have no 2.1.1 place."""
    doc = {"result": "ACCEPTED", "timeout": 30, "message": [{"language": "en", "text": "ok"}]}
    out, losses = down("CommandResponse", doc)
    assert out == {"result": "ACCEPTED"} and set(losses) == {"timeout", "message"}


def test_async_unknown_session_is_failed() -> None:
    """Up: the 2.1.1 async UNKNOWN_SESSION is a FAILED CommandResult; and back."""
    assert up_and_back("CommandResult", {"result": "UNKNOWN_SESSION"})["result"] == "FAILED"


@pytest.mark.parametrize(
    "result",
    ["CANCELED_RESERVATION", "EVSE_OCCUPIED", "EVSE_INOPERATIVE", "FAILED", "UNKNOWN_RESERVATION"],
)
def test_new_results_are_rejected(result: str) -> None:
    """Down: result types 2.1.1 lacks → REJECTED, reported."""
    out, losses = down("CommandResult", {"result": result})
    assert out == {"result": "REJECTED"} and losses == {"result": result}


# --- credentials and versions ---------------------------------------------------------------

CREDENTIALS_211 = {
    "token": "abc123",
    "url": "https://x.example/versions",
    "business_details": {"name": "Example CPO"},
    "party_id": "CPO",
    "country_code": "NL",
}


def test_credentials_party_becomes_one_role() -> None:
    """Up: the 2.1.1 party is one role, its role from the context."""
    doc = up_and_back("Credentials", CREDENTIALS_211)
    assert doc["roles"] == [
        {
            "role": "CPO",
            "business_details": {"name": "Example CPO"},
            "party_id": "CPO",
            "country_code": "NL",
        }
    ]


def test_credentials_without_role_is_missing_context() -> None:
    """Up: 2.1.1 credentials name no role; without one in the context: MissingContext."""
    with pytest.raises(MissingContext, match="role"):
        UP["Credentials"](CREDENTIALS_211, context(role=None))


def test_credentials_down_picks_the_context_party() -> None:
    """Down: the role of the context's party is sent; the others and hub_party_id reported."""
    doc = example("credentials_example2.json")
    doc["hub_party_id"] = "NLHUB"
    emsp = doc["roles"][1]
    emsp["party_id"] = "MSP"
    out, losses = down(
        "Credentials", doc, context(country_code=emsp["country_code"], party_id=emsp["party_id"])
    )
    assert out["business_details"] == emsp["business_details"]
    assert set(losses) == {"roles[0]", "hub_party_id"}


def test_credentials_token_with_spaces_is_inexpressible() -> None:
    """Down: 2.1.1 sends the token raw in a header: one with spaces cannot go."""
    doc = dict(example("credentials_example.json"), token="a b")
    with pytest.raises(MissingContext, match="token"):
        DOWN["Credentials"](doc, CTX)


@pytest.mark.parametrize(
    ("role", "locations", "tokens"), [("CPO", "SENDER", "RECEIVER"), ("EMSP", "RECEIVER", "SENDER")]
)
def test_version_details_roles_follow_the_partner_role(
    role: str, locations: str, tokens: str
) -> None:
    """Up: endpoint roles follow from the partner's role; credentials is SENDER."""
    details = {
        "version": "2.1.1",
        "endpoints": [
            {"identifier": "credentials", "url": "https://x.example/c"},
            {"identifier": "locations", "url": "https://x.example/l"},
            {"identifier": "tokens", "url": "https://x.example/t"},
        ],
    }
    doc = up_and_back("VersionDetails", details, context(role=role))
    assert [e["role"] for e in doc["endpoints"]] == ["SENDER", locations, tokens]


def test_version_details_of_custom_modules_only_are_refused() -> None:
    """Up: details listing only unregistered custom modules are a 2001."""
    details = {"version": "2.1.1", "endpoints": [{"identifier": "x-y", "url": "https://x.example"}]}
    with pytest.raises(InvalidParameters, match="endpoints"):
        UP["VersionDetails"](details, CTX)


def test_version_details_down_keeps_one_interface_per_module() -> None:
    """Down: roles dropped; a module's second role and 2.2+ modules are reported."""
    doc = {
        "version": "2.1.1",
        "endpoints": [
            {"identifier": "tokens", "role": "RECEIVER", "url": "https://x.example/t1"},
            {"identifier": "tokens", "role": "SENDER", "url": "https://x.example/t2"},
            {"identifier": "hubclientinfo", "role": "RECEIVER", "url": "https://x.example/h"},
        ],
    }
    out, losses = down("VersionDetails", doc)
    assert out["endpoints"] == [{"identifier": "tokens", "url": "https://x.example/t1"}]
    assert set(losses) == {"endpoints[1]", "endpoints[2]"}


def test_unknown_version_is_missing_context() -> None:
    """Down: 2.1.1 has no version 2.3.0: the Version cannot be sent (Inexpressible)."""
    with pytest.raises(MissingContext, match=r"2\.3\.0"):
        DOWN["Version"]({"version": "2.3.0", "url": "https://x.example/v"}, CTX)
