"""Rules of the 2.1.1 Sessions and CDRs translators (digest §4.2, §4.3, §7 item 18)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from ocpihub.errors import InvalidParameters
from ocpihub.ocpi import v2_1_1
from ocpihub.ocpi.fields import dump, parse
from ocpihub.translate import MissingContext
from ocpihub.translate.v2_1_1 import DOWN, UP
from tests.examples import load_example
from tests.unit.translate.test_v2_1_1_locations import location_211
from tests.unit.translate.test_v2_1_1_support import (
    MODELS_211,
    MODELS_230,
    canonical_only,
    context,
    token,
)

CTX = context(token_by_uid=lambda uid: token("RFID-" + uid, uid) if uid == "C1" else None)


def session_211(**changes: Any) -> dict[str, Any]:
    """A 2.1.1 Session at LOC1/E1/1 for auth_id C1."""
    body = {
        "id": "S1",
        "start_datetime": "2024-01-01T10:00:00Z",
        "kwh": 12.5,
        "auth_id": "C1",
        "auth_method": "WHITELIST",
        "location": location_211(),
        "currency": "EUR",
        "charging_periods": [
            {
                "start_date_time": "2024-01-01T10:00:00Z",
                "dimensions": [{"type": "ENERGY", "volume": 12.5}, {"type": "FLAT", "volume": 1}],
            },
            {
                "start_date_time": "2024-01-01T11:00:00Z",
                "dimensions": [{"type": "FLAT", "volume": 1}],
            },
        ],
        "total_cost": 4.5,
        "status": "ACTIVE",
        "last_updated": "2024-01-01T11:00:00Z",
    }
    body.update(changes)
    return dump(parse(v2_1_1.MODELS["Session"], body))


def cdr_211(**changes: Any) -> dict[str, Any]:
    """A 2.1.1 CDR at LOC1/E1/1 for auth_id C1, with one tariff."""
    body = {
        "id": "CDR1",
        "start_date_time": "2024-01-01T10:00:00Z",
        "stop_date_time": "2024-01-01T11:00:00Z",
        "auth_id": "C1",
        "auth_method": "AUTH_REQUEST",
        "location": location_211(),
        "currency": "EUR",
        "tariffs": [
            {
                "id": "T1",
                "currency": "EUR",
                "elements": [
                    {"price_components": [{"type": "ENERGY", "price": 0.3, "step_size": 1}]}
                ],
                "last_updated": "2024-01-01T00:00:00Z",
            }
        ],
        "charging_periods": [
            {
                "start_date_time": "2024-01-01T10:00:00Z",
                "dimensions": [{"type": "ENERGY", "volume": 10}],
            }
        ],
        "total_cost": 3.0,
        "total_energy": 10,
        "total_time": 1,
        "last_updated": "2024-01-01T11:00:00Z",
    }
    body.update(changes)
    return dump(parse(v2_1_1.MODELS["CDR"], body))


def up_and_back(name: str, data: dict[str, Any], ctx: Any = CTX) -> dict[str, Any]:
    """UP (valid 2.3.0), then DOWN gives ``data`` back losslessly; the canonical doc."""
    doc = UP[name](data, ctx)
    parse(MODELS_230[name], canonical_only(doc))
    back, report = DOWN[name](doc, ctx)
    assert (back, report.as_json()) == (data, [])
    return doc


def down(name: str, doc: dict[str, Any], ctx: Any = CTX) -> tuple[dict[str, Any], dict[str, Any]]:
    """DOWN ``doc``: the valid 2.1.1 output and the losses by path."""
    out, report = DOWN[name](doc, ctx)
    assert dump(parse(MODELS_211[name], out)) == out
    return out, {loss.path: loss.value for loss in report.losses}


# --- sessions -------------------------------------------------------------------------------


def test_session_is_renamed_and_points_at_its_place() -> None:
    """Up: *_datetime renamed, location → ids, owner from context, total_cost a Price."""
    doc = up_and_back("Session", session_211())
    assert doc["start_date_time"] == "2024-01-01T10:00:00Z"
    assert (doc["location_id"], doc["evse_uid"], doc["connector_id"]) == ("LOC1", "E1", "1")
    assert (doc["country_code"], doc["party_id"]) == ("NL", "CPO")
    assert doc["total_cost"] == {"before_taxes": 4.5}


def test_cdr_token_comes_from_the_token_cache() -> None:
    """Up: auth_id is looked up in the token cache for the full cdr_token."""
    doc = up_and_back("Session", session_211())
    assert doc["cdr_token"] == {
        "country_code": "DE",
        "party_id": "MSP",
        "uid": "RFID-C1",
        "type": "RFID",
        "contract_id": "C1",
    }


def test_unknown_emaid_is_synthesized_and_flagged() -> None:
    """Up: an unknown eMAID-shaped auth_id gives cc/pid from its prefix, flagged synthesized."""
    doc = up_and_back("Session", session_211(auth_id="NL-TNM-C00122045-K"))
    assert doc["cdr_token"]["country_code"] == "NL" and doc["cdr_token"]["party_id"] == "TNM"
    assert doc["_ocpihub"]["synthesized"] == ["cdr_token"]


def test_unknown_token_is_missing_context() -> None:
    """Up: an auth_id neither cached nor eMAID-shaped is a MissingContext naming it."""
    with pytest.raises(MissingContext, match="'x'"):
        UP["Session"](session_211(auth_id="x"), CTX)


def test_no_token_cache_is_missing_context() -> None:
    """Up: without a token cache the MissingContext names token_by_uid."""
    with pytest.raises(MissingContext, match="token_by_uid"):
        UP["Session"](session_211(), context(token_by_uid=None))


def test_session_without_evse_is_refused() -> None:
    """Up: a 2.1.1 Session must embed the EVSE in use; without one it is a 2001."""
    with pytest.raises(InvalidParameters, match=r"location\.evses"):
        UP["Session"](session_211(location=location_211(evses=[])), CTX)


def test_flat_dimensions_are_kept_as_legacy() -> None:
    """Up: FLAT dimensions (and periods of only FLAT) leave the canonical doc, then return."""
    doc = up_and_back("Session", session_211())
    assert doc["charging_periods"] == [
        {
            "start_date_time": "2024-01-01T10:00:00Z",
            "dimensions": [{"type": "ENERGY", "volume": 12.5}],
        }
    ]


def test_session_patch_gets_last_updated_and_goes_back() -> None:
    """Up: a Session PATCH without last_updated gets ctx.now and loses it on the way down."""
    doc = up_and_back("SessionPatch", {"kwh": 3.0, "total_cost": 1.5})
    assert doc["total_cost"] == {"before_taxes": 1.5} and "last_updated" in doc


def canonical_session() -> dict[str, Any]:
    """The spec example session_example_2 (canonical, at LOC1/3256/1)."""
    return copy.deepcopy(load_example("2.3.0", "session_example_2_short_finished.json"))


def test_session_down_embeds_the_stored_location() -> None:
    """Down: location = stored LOC1 trimmed to EVSE 3256 connector 1; auth_id = contract_id."""
    out, losses = down("Session", canonical_session())
    evses = out["location"]["evses"]
    assert [e["uid"] for e in evses] == ["3256"] and [c["id"] for c in evses[0]["connectors"]] == [
        "1"
    ]
    assert out["auth_id"] == "NL-TST-C12345678-S"
    assert out["total_cost"] == 8.5 and "total_cost.taxes" in losses


def test_session_down_without_stored_location_is_missing_context() -> None:
    """Down: a Session whose Location the hub does not know cannot embed it."""
    with pytest.raises(MissingContext, match="LOC1"):
        DOWN["Session"](canonical_session(), context(location_by_id=lambda i: None))


@pytest.mark.parametrize(
    ("field", "value", "sent"),
    [("status", "RESERVATION", "PENDING"), ("auth_method", "COMMAND", "AUTH_REQUEST")],
)
def test_session_enum_fallbacks(field: str, value: str, sent: str) -> None:
    """Down: RESERVATION → PENDING and COMMAND → AUTH_REQUEST, reported."""
    doc = canonical_session()
    doc[field] = value
    out, losses = down("Session", doc)
    assert out[field] == sent and losses[field] == value


def test_new_dimensions_and_emptied_periods_are_dropped() -> None:
    """Down: 2.2+ dimension types are dropped; a period left empty goes too, both reported."""
    doc = canonical_session()
    doc["charging_periods"] = [
        {
            "start_date_time": "2015-06-29T22:39:09Z",
            "dimensions": [
                {"type": "ENERGY", "volume": 1},
                {"type": "STATE_OF_CHARGE", "volume": 80},
            ],
        },
        {
            "start_date_time": "2015-06-29T22:49:09Z",
            "dimensions": [{"type": "POWER", "volume": 11}],
        },
    ]
    out, losses = down("Session", doc)
    assert out["charging_periods"] == [
        {"start_date_time": "2015-06-29T22:39:09Z", "dimensions": [{"type": "ENERGY", "volume": 1}]}
    ]
    assert {"charging_periods[0].dimensions[1]", "charging_periods[1]"} <= set(losses)


def test_authorization_reference_is_reported() -> None:
    """Down: authorization_reference has no 2.1.1 field."""
    doc = canonical_session()
    doc["authorization_reference"] = "REF1"
    assert down("Session", doc)[1]["authorization_reference"] == "REF1"


# --- CDRs -----------------------------------------------------------------------------------


def test_cdr_goes_up_with_cdr_location_and_tariffs() -> None:
    """Up: stop_date_time → end_date_time, location → cdr_location, tariffs get tax_included NO."""
    doc = up_and_back("CDR", cdr_211())
    assert doc["end_date_time"] == "2024-01-01T11:00:00Z"
    assert doc["cdr_location"]["evse_uid"] == "E1" and doc["cdr_location"]["evse_id"] == "#NA"
    assert doc["tariffs"][0]["tax_included"] == "NO"
    assert doc["total_cost"] == {"before_taxes": 3.0}


def test_cdr_of_only_flat_periods_gets_a_summary_period() -> None:
    """Up: a CDR whose periods are all FLAT gets one ENERGY/TIME period; down restores them."""
    flat = [
        {"start_date_time": "2024-01-01T10:00:00Z", "dimensions": [{"type": "FLAT", "volume": 1}]}
    ]
    doc = up_and_back("CDR", cdr_211(charging_periods=flat))
    assert doc["charging_periods"][0]["dimensions"] == [
        {"type": "ENERGY", "volume": 10.0},
        {"type": "TIME", "volume": 1.0},
    ]


def canonical_cdr() -> dict[str, Any]:
    """The spec example cdr_example (canonical), its tariff completed."""
    data = copy.deepcopy(load_example("2.3.0", "cdr_example.json"))
    for tariff in data["tariffs"]:
        tariff.setdefault("tax_included", "NO")
    return dump(parse(MODELS_230["CDR"], data))


def test_credit_cdr_has_negative_cost_and_a_remark() -> None:
    """Down: a credit CDR goes with a negative total_cost and an explaining remark."""
    doc = canonical_cdr()
    doc.update(credit=True, credit_reference_id="12344")
    out, losses = down("CDR", doc)
    assert out["total_cost"] == -4.0
    assert out["remark"].startswith("Credit CDR for 12344")
    assert {"credit", "credit_reference_id"} <= set(losses)


def test_long_cdr_id_is_shortened_and_reported() -> None:
    """Down: a 39-character CDR id gets its stable 36-character form, reported."""
    doc = canonical_cdr()
    doc["id"] = "X" * 39
    out, losses = down("CDR", doc)
    assert len(out["id"]) == 36 and losses["id"] == "X" * 39


def test_cdr_without_stored_location_is_still_sent() -> None:
    """Down: never drop a CDR: unknown place → UNKNOWN type/status and 0 V/A, reported."""
    out, losses = down("CDR", canonical_cdr(), context(location_by_id=lambda i: None))
    location = out["location"]
    assert location["type"] == "UNKNOWN" and location["evses"][0]["status"] == "UNKNOWN"
    assert location["evses"][0]["connectors"][0]["voltage"] == 0
    assert "cdr_location" in losses


def test_cdr_connector_standard_is_mapped_not_dropped() -> None:
    """Down: an MCS connector in cdr_location is sent as the DC fallback plug."""
    doc = canonical_cdr()
    doc["cdr_location"].update(connector_standard="MCS", connector_power_type="DC")
    out, losses = down("CDR", doc)
    assert out["location"]["evses"][0]["connectors"][0]["standard"] == "IEC_62196_T2_COMBO"
    assert losses["cdr_location.connector_standard"] == "MCS"


def test_cdr_with_only_new_dimensions_gets_a_summary_period() -> None:
    """Down: a CDR left without periods gets one ENERGY/TIME summary period (never dropped)."""
    doc = canonical_cdr()
    for period in doc["charging_periods"]:
        period["dimensions"] = [{"type": "STATE_OF_CHARGE", "volume": 50}]
    out, losses = down("CDR", doc)
    assert [d["type"] for d in out["charging_periods"][0]["dimensions"]] == ["ENERGY", "TIME"]
    assert "charging_periods" in losses


def test_cdr_tariff_without_expressible_elements_is_dropped_not_the_cdr() -> None:
    """Down: an embedded reservation-only tariff is left out, reported; the CDR still goes."""
    doc = canonical_cdr()
    for element in doc["tariffs"][0]["elements"]:
        element["restrictions"] = {"reservation": "RESERVATION"}
    out, losses = down("CDR", doc)
    assert out["tariffs"] == [] and "tariffs[0]" in losses


def test_kept_location_is_not_replayed_for_another_place() -> None:
    """Down: once a Session names another Location, the kept 2.1.1 one is not sent."""
    doc = UP["Session"](session_211(), CTX)
    doc.update(location_id="LOC1", evse_uid="3256", connector_id="1")
    stored = context(location_by_id=CTX.location_by_id)
    doc["_ocpihub"]["legacy"]["2.1.1"]["location"]["id"] = "OLD"
    out, _ = down("Session", doc, stored)
    assert out["location"]["id"] == "LOC1" and out["location"]["evses"][0]["uid"] == "3256"
