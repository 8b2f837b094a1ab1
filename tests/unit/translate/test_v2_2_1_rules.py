"""Per-module rules of the 2.2.1 bridge (digest §4.3, §5): drops, enum fallbacks, context."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest

from ocpihub.ocpi import v2_2_1
from ocpihub.ocpi.fields import dump, parse
from ocpihub.translate import MissingContext, TranslationContext
from ocpihub.translate.v2_2_1 import DOWN, UP

CTX = TranslationContext()
T = "2024-01-01T00:00:00Z"


def down(name: str, doc: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """DOWN, the output checked against the 2.2.1 model, and the losses as {path: reason}."""
    out, report = DOWN[name](copy.deepcopy(doc), CTX)
    assert dump(parse(v2_2_1.MODELS[name], out)) == out
    return out, {loss.path: loss.reason for loss in report.losses}


def connector(standard: str = "IEC_62196_T2", power_type: str = "AC_3_PHASE") -> dict[str, Any]:
    """A canonical Connector."""
    return {
        "id": "1",
        "standard": standard,
        "format": "SOCKET",
        "power_type": power_type,
        "max_voltage": 230,
        "max_amperage": 16,
        "last_updated": T,
    }


def evse(*connectors: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """A canonical EVSE."""
    base = {"uid": "E1", "status": "AVAILABLE", "connectors": list(connectors), "last_updated": T}
    return base | extra


def location(*evses: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """A canonical Location."""
    return {
        "country_code": "NL",
        "party_id": "CPO",
        "id": "L1",
        "publish": True,
        "address": "Street 1",
        "city": "Town",
        "country": "NLD",
        "coordinates": {"latitude": "52.0", "longitude": "4.0"},
        "evses": list(evses),
        "time_zone": "Europe/Amsterdam",
        "last_updated": T,
    } | extra


# --- locations ------------------------------------------------------------------------------


def test_location_drops_2_3_0_fields() -> None:
    """parking_places, help_phone, EVSE parking/accepted_service_providers and connector
    capabilities are dropped, each reported."""
    doc = location(
        evse(
            connector() | {"capabilities": ["ISO_15118_2_PLUG_AND_CHARGE"]},
            parking=[{"parking_id": "P1"}],
            accepted_service_providers=["NL-ABC"],
        ),
        help_phone="+31100",
        parking_places=[],
    )
    out, losses = down("Location", doc)
    assert "help_phone" not in out and "parking" not in out["evses"][0]
    assert set(losses) == {
        "help_phone",
        "evses[0].parking",
        "evses[0].accepted_service_providers",
        "evses[0].connectors[0].capabilities",
    }


def test_sae_j3400_becomes_tesla_s() -> None:
    """SAE_J3400 maps to the mechanically compatible TESLA_S, reported."""
    out, losses = down("Location", location(evse(connector("SAE_J3400", "DC"))))
    assert out["evses"][0]["connectors"][0]["standard"] == "TESLA_S"
    assert "sent as 'TESLA_S'" in losses["evses[0].connectors[0].standard"]


def test_unmappable_connector_is_dropped_and_empty_evse_too() -> None:
    """An MCS connector is dropped from its EVSE, and an EVSE with none left from the Location."""
    doc = location(
        evse(connector("MCS", "DC"), connector() | {"id": "2"}),
        evse(connector("MCS", "DC")) | {"uid": "E2"},
    )
    out, losses = down("Location", doc)
    assert [e["uid"] for e in out["evses"]] == ["E1"]
    assert [c["id"] for c in out["evses"][0]["connectors"]] == ["2"]
    assert set(losses) == {"evses[0].connectors[0]", "evses[1]"}


def test_lone_evse_and_connector_bodies_fall_back_by_power_type() -> None:
    """A body that cannot vanish keeps its connector with the power-type fallback plug."""
    out, losses = down("EVSE", evse(connector("MCS", "DC")))
    assert out["connectors"][0]["standard"] == "IEC_62196_T2_COMBO"
    assert list(losses) == ["connectors[0].standard"]
    out, _ = down("Connector", connector("MY_PLUG", "AC_1_PHASE"))
    assert out["standard"] == "IEC_62196_T2"


def test_patches_leave_out_what_cannot_be_said() -> None:
    """A PATCH drops the field: the connector's standard, or an EVSE's all-dropped connectors."""
    out, losses = down("ConnectorPatch", {"standard": "MCS", "last_updated": T})
    assert out == {"last_updated": T} and list(losses) == ["standard"]
    out, losses = down("EVSEPatch", {"connectors": [connector("MCS")], "last_updated": T})
    assert out == {"last_updated": T} and list(losses) == ["connectors"]


def test_new_and_custom_open_enum_values_in_lists_are_dropped() -> None:
    """ParkingRestriction EMPLOYEES, custom Capability and Facility values are dropped."""
    doc = location(
        evse(
            connector(),
            parking_restrictions=["EV_ONLY", "EMPLOYEES"],
            capabilities=["RESERVABLE", "MY_CAPABILITY"],
        ),
        facilities=["CAFE", "MY_FACILITY"],
    )
    out, losses = down("Location", doc)
    assert out["evses"][0]["parking_restrictions"] == ["EV_ONLY"]
    assert out["evses"][0]["capabilities"] == ["RESERVABLE"]
    assert out["facilities"] == ["CAFE"]
    assert set(losses) == {
        "evses[0].parking_restrictions[1]",
        "evses[0].capabilities[1]",
        "facilities[1]",
    }


def test_custom_image_category_parking_type_and_impact() -> None:
    """Custom ImageCategory → OTHER (logos too); custom ParkingType and impact categories go."""
    image = {"url": "https://x.example/i.png", "category": "DRONE_VIEW", "type": "png"}
    doc = location(
        evse(connector()),
        images=[image],
        operator={"name": "Op", "logo": dict(image)},
        parking_type="ROOFTOP",
        energy_mix={
            "is_green_energy": True,
            "environ_impact": [{"category": "NOISE", "amount": 1.0}],
        },
    )
    out, losses = down("Location", doc)
    assert out["images"][0]["category"] == "OTHER"
    assert out["operator"]["logo"]["category"] == "OTHER"
    assert "parking_type" not in out and out["energy_mix"]["environ_impact"] == []
    assert set(losses) == {
        "images[0].category",
        "operator.logo.category",
        "parking_type",
        "energy_mix.environ_impact[0]",
    }


def test_publish_allowed_to_token_type_becomes_other() -> None:
    """A PublishTokenType of type EMAID is sent as OTHER, like the token itself would be."""
    out, losses = down("Location", location(publish_allowed_to=[{"uid": "U", "type": "EMAID"}]))
    assert out["publish_allowed_to"] == [{"uid": "U", "type": "OTHER"}]
    assert list(losses) == ["publish_allowed_to[0].type"]


# --- tariffs --------------------------------------------------------------------------------


def tariff(tax_included: str, *components: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """A canonical Tariff with one element."""
    return {
        "country_code": "NL",
        "party_id": "CPO",
        "id": "T1",
        "currency": "EUR",
        "elements": [{"price_components": list(components)}],
        "tax_included": tax_included,
        "last_updated": T,
    } | extra


def test_tariff_up_says_prices_exclude_tax() -> None:
    """A 2.2.1 tariff becomes tax_included NO; min/max price become PriceLimits."""
    wire = tariff("NO", {"type": "FLAT", "price": 1.0, "step_size": 1})
    del wire["tax_included"]
    wire["min_price"] = {"excl_vat": 1.0, "incl_vat": 1.21}
    doc = UP["Tariff"](wire, CTX)
    assert doc["tax_included"] == "NO"
    assert doc["min_price"] == {"before_taxes": 1.0, "after_taxes": 1.21}


def test_tariff_with_gross_prices_is_converted_to_net() -> None:
    """tax_included YES: price / (1 + vat/100) where vat is given; sent unchanged without."""
    doc = tariff(
        "YES",
        {"type": "ENERGY", "price": 0.363, "vat": 21.0, "step_size": 1},
        {"type": "TIME", "price": 2.1, "step_size": 60},
    )
    out, losses = down("Tariff", doc)
    prices = [c["price"] for c in out["elements"][0]["price_components"]]
    assert prices == [pytest.approx(0.3), 2.1]
    assert set(losses) == {
        "tax_included",
        "elements[0].price_components[0].price",
        "elements[0].price_components[1].price",
    }


def test_tariff_tax_included_no_is_silent_and_na_is_reported() -> None:
    """NO is what 2.2.1 implies; N/A cannot be said and is reported."""
    component = {"type": "FLAT", "price": 1.0, "step_size": 1}
    out, losses = down("Tariff", tariff("NO", component))
    assert "tax_included" not in out and not losses
    _, losses = down("Tariff", tariff("N/A", component))
    assert list(losses) == ["tax_included"]


def test_tariff_drops_preauthorize_amount() -> None:
    """preauthorize_amount (Payments) is dropped and reported."""
    out, losses = down(
        "Tariff",
        tariff("NO", {"type": "FLAT", "price": 1.0, "step_size": 1}, preauthorize_amount=50.0),
    )
    assert "preauthorize_amount" not in out and list(losses) == ["preauthorize_amount"]


def test_bookings_reservation_elements_are_dropped_or_fall_back() -> None:
    """Elements restricted to RESERVATION_OVERTIME go; if none would be left they become
    RESERVATION elements instead."""
    component = {"type": "TIME", "price": 5.0, "step_size": 60}
    overtime = {
        "price_components": [component],
        "restrictions": {"reservation": "RESERVATION_OVERTIME"},
    }
    plain = {"price_components": [component]}
    doc = tariff("NO", component) | {"elements": [overtime, plain]}
    out, losses = down("Tariff", doc)
    assert out["elements"] == [plain] and list(losses) == ["elements[0]"]
    out, losses = down("Tariff", doc | {"elements": [overtime]})
    assert out["elements"][0]["restrictions"] == {"reservation": "RESERVATION"}
    assert list(losses) == ["elements[0].restrictions.reservation"]


# --- sessions and CDRs ----------------------------------------------------------------------


def cdr_token(type_: str = "RFID") -> dict[str, Any]:
    """A canonical CdrToken."""
    return {"country_code": "DE", "party_id": "EMS", "uid": "U1", "type": type_, "contract_id": "C"}


def cdr(**extra: Any) -> dict[str, Any]:
    """A canonical CDR."""
    return {
        "country_code": "NL",
        "party_id": "CPO",
        "id": "CDR1",
        "start_date_time": T,
        "end_date_time": T,
        "cdr_token": cdr_token(),
        "auth_method": "WHITELIST",
        "cdr_location": {
            "id": "L1",
            "address": "Street 1",
            "city": "Town",
            "country": "NLD",
            "coordinates": {"latitude": "52.0", "longitude": "4.0"},
            "evse_uid": "E1",
            "evse_id": "NL*CPO*E1",
            "connector_id": "1",
            "connector_standard": "IEC_62196_T2",
            "connector_format": "SOCKET",
            "connector_power_type": "AC_3_PHASE",
        },
        "currency": "EUR",
        "charging_periods": [
            {"start_date_time": T, "dimensions": [{"type": "ENERGY", "volume": 1.0}]}
        ],
        "total_cost": {"before_taxes": 1.0},
        "total_energy": 1.0,
        "total_time": 1.0,
        "last_updated": T,
    } | extra


def test_cdr_is_mapped_never_dropped() -> None:
    """EMAID → OTHER, MCS → DC fallback plug, bookings dimensions → RESERVATION_TIME,
    booking_id dropped: the CDR itself always goes."""
    doc = cdr(cdr_token=cdr_token("EMAID"), booking_id="B1")
    doc["cdr_location"] |= {"connector_standard": "MCS", "connector_power_type": "DC"}
    doc["charging_periods"][0]["dimensions"].append({"type": "RESERVATION_OVERTIME", "volume": 2.0})
    out, losses = down("CDR", doc)
    assert out["cdr_token"]["type"] == "OTHER"
    assert out["cdr_location"]["connector_standard"] == "IEC_62196_T2_COMBO"
    assert out["charging_periods"][0]["dimensions"][1]["type"] == "RESERVATION_TIME"
    assert set(losses) == {
        "booking_id",
        "cdr_token.type",
        "cdr_location.connector_standard",
        "charging_periods[0].dimensions[1].type",
    }


def test_cdr_embedded_tariffs_translate_both_ways() -> None:
    """Embedded tariffs get tax_included up and lose it down (digest §7 item 18)."""
    wire_tariff = tariff("NO", {"type": "FLAT", "price": 1.0, "step_size": 1})
    del wire_tariff["tax_included"]
    doc = cdr(tariffs=[wire_tariff])
    doc["total_cost"] = {"excl_vat": 1.0}
    canonical = UP["CDR"](doc, CTX)
    assert canonical["tariffs"][0]["tax_included"] == "NO"
    out, losses = down("CDR", canonical)
    assert out == doc and not losses


def test_2_2_cdr_token_without_context_names_what_is_missing() -> None:
    """Without a token lookup, a 2.2-style cdr_token cannot get its owner: MissingContext."""
    wire = {"cdr_token": {"uid": "U1", "type": "RFID", "contract_id": "C"}, "last_updated": T}
    with pytest.raises(MissingContext, match="token_by_uid"):
        UP["SessionPatch"](wire, CTX)
    unknown = TranslationContext(token_by_uid=lambda uid: None)
    with pytest.raises(MissingContext, match="no Token with uid 'U1'") as info:
        UP["SessionPatch"](wire, unknown)
    assert info.value.status_code == 2002


def test_session_token_type_and_dimensions_go_down() -> None:
    """A Session's cdr_token type and charging-period dimensions follow the CDR tables."""
    doc = {
        "cdr_token": cdr_token("LICENSE_PLATE"),
        "charging_periods": [
            {"start_date_time": T, "dimensions": [{"type": "RESERVATION_EXPIRES", "volume": 1.0}]}
        ],
        "last_updated": T,
    }
    out, losses = down("SessionPatch", doc)
    assert out["cdr_token"]["type"] == "OTHER"
    assert out["charging_periods"][0]["dimensions"][0]["type"] == "RESERVATION_TIME"
    assert len(losses) == 2


# --- tokens and commands --------------------------------------------------------------------


def token(type_: str) -> dict[str, Any]:
    """A canonical Token."""
    return {
        "country_code": "DE",
        "party_id": "EMS",
        "uid": "U1",
        "type": type_,
        "contract_id": "C1",
        "issuer": "EMS",
        "valid": True,
        "whitelist": "ALLOWED",
        "last_updated": T,
    }


@pytest.mark.parametrize("type_", ["EMAID", "LICENSE_PLATE", "MY_WALLET"])
def test_token_types_2_2_1_lacks_become_other(type_: str) -> None:
    """EMAID, LICENSE_PLATE and custom TokenTypes go down as OTHER, reported."""
    out, losses = down("Token", token(type_))
    assert out["type"] == "OTHER" and list(losses) == ["type"]


def test_embedded_tokens_go_down_too() -> None:
    """AuthorizationInfo, StartSession and ReserveNow carry their Token translated."""
    auth, losses = down("AuthorizationInfo", {"allowed": "ALLOWED", "token": token("EMAID")})
    assert auth["token"]["type"] == "OTHER" and list(losses) == ["token.type"]
    start = {"response_url": "https://x.example/r", "token": token("EMAID"), "location_id": "L1"}
    out, losses = down("StartSession", start)
    assert out["token"]["type"] == "OTHER" and list(losses) == ["token.type"]


# --- credentials, hub client info, versions -------------------------------------------------


def role(kind: str, cc: str = "NL", pid: str = "HUB") -> dict[str, Any]:
    """A CredentialsRole."""
    return {"role": kind, "business_details": {"name": "X"}, "party_id": pid, "country_code": cc}


def test_hub_role_goes_up_as_other_with_hub_party_id_and_comes_back() -> None:
    """A 2.2.1 HUB role becomes OTHER plus hub_party_id; DOWN restores it without loss."""
    wire = {"token": "t", "url": "https://x.example/v", "roles": [role("HUB")]}
    doc = UP["Credentials"](wire, CTX)
    assert doc["roles"][0]["role"] == "OTHER" and doc["hub_party_id"] == "NLHUB"
    assert doc["_ocpihub"] == {"legacy": {"2.2.1": {"roles[0].role": "HUB"}}}
    out, losses = down("Credentials", doc)
    assert out == wire and not losses


def test_hub_party_id_of_a_2_3_0_hub_is_reported() -> None:
    """hub_party_id has no 2.2.1 field; without a HUB role to stand for it, it is a loss."""
    doc = {"token": "t", "url": "https://x.example/v", "roles": [role("CPO")]}
    doc["hub_party_id"] = "NLHUB"
    out, losses = down("Credentials", doc)
    assert "hub_party_id" not in out and list(losses) == ["hub_party_id"]


def test_client_info_hub_role_round_trips() -> None:
    """ClientInfo role HUB goes up as OTHER and comes back as HUB; 2.3.0 never sees HUB."""
    wire = {"party_id": "HUB", "country_code": "NL", "role": "HUB", "status": "CONNECTED"}
    wire["last_updated"] = T
    doc = UP["ClientInfo"](wire, CTX)
    assert doc["role"] == "OTHER"
    assert DOWN["ClientInfo"](doc, CTX)[0] == wire


def test_custom_modules_go_to_legacy_and_come_back() -> None:
    """A custom module id 2.3.0 does not accept is kept aside going up and restored going down."""
    endpoints = [
        {"identifier": "credentials", "role": "RECEIVER", "url": "https://x.example/c"},
        {"identifier": "nltnm-tokens", "role": "SENDER", "url": "https://x.example/t"},
    ]
    wire = {"version": "2.2.1", "endpoints": endpoints}
    doc = UP["VersionDetails"](wire, CTX)
    assert [e["identifier"] for e in doc["endpoints"]] == ["credentials"]
    out, report = DOWN["VersionDetails"](doc, CTX)
    assert out == wire and not report


def test_registered_custom_module_stays_in_canonical() -> None:
    """A custom module id the operator registered stays in the canonical endpoints."""

    class Registry:
        def accepts(self, enum_name: str, value: str) -> bool:
            return enum_name == "ModuleID" and value == "nltnm-tokens"

    wire = {
        "version": "2.2.1",
        "endpoints": [
            {"identifier": "credentials", "role": "RECEIVER", "url": "https://x.example/c"},
            {"identifier": "nltnm-tokens", "role": "SENDER", "url": "https://x.example/t"},
        ],
    }
    doc = UP["VersionDetails"](wire, TranslationContext(enums=Registry()))
    assert doc == wire


def test_version_2_3_0_cannot_go_down() -> None:
    """A version number 2.2.1 does not know raises MissingContext naming it."""
    with pytest.raises(MissingContext, match=re.escape("'2.3.0'")):
        DOWN["Version"]({"version": "2.3.0", "url": "https://x.example/2.3.0"}, CTX)
