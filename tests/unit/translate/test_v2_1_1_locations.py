"""Rules of the 2.1.1 Locations translators and the shared pieces (digest §4.1, §4.3, §5)."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest

from ocpihub.ocpi import v2_1_1
from ocpihub.ocpi.fields import dump, parse
from ocpihub.translate import MissingContext, from_canonical, to_canonical
from ocpihub.translate.v2_1_1 import DOWN, UP
from tests.unit.translate.test_v2_1_1_support import (
    MODELS_211,
    MODELS_230,
    canonical_only,
    context,
    stored_location,
)

CTX = context()


def connector_211(**changes: Any) -> dict[str, Any]:
    """A 2.1.1 Connector."""
    body = {
        "id": "1",
        "standard": "IEC_62196_T2",
        "format": "SOCKET",
        "power_type": "AC_3_PHASE",
        "voltage": 230,
        "amperage": 32,
        "tariff_id": "T1",
        "last_updated": "2024-01-01T10:00:00Z",
    }
    body.update(changes)
    return body


def location_211(**changes: Any) -> dict[str, Any]:
    """A 2.1.1 Location with one EVSE."""
    body = {
        "id": "LOC1",
        "type": "ON_STREET",
        "address": "Main Street 1",
        "city": "Utrecht",
        "postal_code": "3500AA",
        "country": "NLD",
        "coordinates": {"latitude": "52.090000", "longitude": "5.120000"},
        "evses": [
            {
                "uid": "E1",
                "status": "AVAILABLE",
                "connectors": [connector_211()],
                "last_updated": "2024-01-01T10:00:00Z",
            }
        ],
        "last_updated": "2024-01-01T10:00:00Z",
    }
    body.update(changes)
    return dump(parse(v2_1_1.MODELS["Location"], body))


def round_trip(name: str, data: dict[str, Any]) -> dict[str, Any]:
    """UP ``data``, check it is 2.3.0, check DOWN gives it back losslessly; the canonical doc."""
    doc = UP[name](data, CTX)
    parse(MODELS_230[name], canonical_only(doc))
    back, report = DOWN[name](doc, CTX)
    assert (back, report.as_json()) == (data, [])
    return doc


def down(name: str, doc: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """DOWN ``doc``; the valid 2.1.1 output and the losses by path."""
    out, report = DOWN[name](doc, CTX)
    assert dump(parse(MODELS_211[name], out)) == out
    return out, {loss.path: loss.value for loss in report.losses}


def test_tables_cover_every_2_1_1_body_object() -> None:
    """UP and DOWN name every 2.1.1 body model, plus the async CommandResult."""
    assert set(UP) == set(DOWN) == {*v2_1_1.MODELS, "CommandResult"}


def test_dispatch_reaches_the_2_1_1_tables() -> None:
    """to_canonical/from_canonical with version 2.1.1 use these translators."""
    doc = to_canonical("2.1.1", "Location", location_211(), CTX)
    assert doc["country_code"] == "NL"
    assert from_canonical("2.1.1", "Location", doc, CTX)[0] == location_211()


def test_location_gets_owner_publish_and_parking_type() -> None:
    """Up: owner from the context, publish=true, type becomes parking_type."""
    doc = round_trip("Location", location_211())
    assert (doc["country_code"], doc["party_id"], doc["publish"]) == ("NL", "CPO", True)
    assert doc["parking_type"] == "ON_STREET" and "type" not in doc


@pytest.mark.parametrize("location_type", ["OTHER", "UNKNOWN"])
def test_location_type_without_parking_type_is_kept_as_legacy(location_type: str) -> None:
    """Up: OTHER/UNKNOWN leave parking_type out, and come back down unchanged."""
    doc = round_trip("Location", location_211(type=location_type))
    assert "parking_type" not in doc
    assert doc["_ocpihub"]["legacy"]["2.1.1"]["type"] == location_type


def test_missing_time_zone_comes_from_the_coordinates_and_goes_again() -> None:
    """Up: time_zone derived offline from the coordinates (before the platform default), its
    source recorded; down: left out again as 2.1.1 had none (15.13)."""
    lisbon = {"latitude": "38.716670", "longitude": "-9.133330"}
    doc = UP["Location"](location_211(coordinates=lisbon), context(time_zone="Europe/Paris"))
    assert doc["time_zone"] == "Europe/Lisbon"
    assert doc["_ocpihub"]["filled"] == {"time_zone": "coordinates"}
    back, _ = DOWN["Location"](doc, context())
    assert "time_zone" not in back
    doc = round_trip("Location", location_211())
    assert doc["time_zone"] == "Europe/Amsterdam"


def test_missing_time_zone_at_sea_comes_from_the_platform_default() -> None:
    """Up: coordinates in no land time zone (the 2.1.1 example's swapped ones) fall back to
    the platform's default time zone, recorded as such."""
    swapped = {"latitude": "3.72994", "longitude": "51.04759"}
    doc = UP["Location"](location_211(coordinates=swapped), context(time_zone="Europe/Brussels"))
    assert doc["time_zone"] == "Europe/Brussels"
    assert doc["_ocpihub"]["filled"] == {"time_zone": "platform default_time_zone"}


def test_missing_time_zone_without_context_names_it() -> None:
    """Up: no time_zone from the coordinates nor a default is a MissingContext naming it."""
    swapped = {"latitude": "3.72994", "longitude": "51.04759"}
    with pytest.raises(MissingContext, match="time_zone"):
        UP["Location"](location_211(coordinates=swapped), context(time_zone=None))


def test_missing_owner_names_country_code() -> None:
    """Up: a Location without an owner in the context is a MissingContext naming it."""
    with pytest.raises(MissingContext, match="country_code"):
        UP["Location"](location_211(), context(country_code=None))


def test_hours_with_only_regular_hours_are_not_24_7() -> None:
    """Up: regular_hours alone give twentyfourseven=false; down leaves it out again."""
    hours = {"regular_hours": [{"weekday": 1, "period_begin": "08:00", "period_end": "18:00"}]}
    doc = round_trip("Location", location_211(opening_times=hours))
    assert doc["opening_times"]["twentyfourseven"] is False


def test_environmental_impact_source_is_named_category() -> None:
    """Up: EnvironmentalImpact.source → category, and back."""
    mix = {"is_green_energy": False, "environ_impact": [{"source": "CARBON_DIOXIDE", "amount": 3}]}
    doc = round_trip("Location", location_211(energy_mix=mix))
    assert doc["energy_mix"]["environ_impact"] == [{"category": "CARBON_DIOXIDE", "amount": 3.0}]


def test_connector_fields_are_renamed() -> None:
    """Up: voltage/amperage/tariff_id → max_voltage/max_amperage/tariff_ids."""
    doc = round_trip("Connector", dump(parse(v2_1_1.MODELS["Connector"], connector_211())))
    assert (doc["max_voltage"], doc["max_amperage"], doc["tariff_ids"]) == (230, 32, ["T1"])


def test_long_ids_get_a_stable_short_form_and_come_back() -> None:
    """Up: a 39-character 2.1.1 id fits CiString(36) in canonical; down restores the original."""
    long_id = "L" * 39
    doc = round_trip("Location", location_211(id=long_id))
    assert len(doc["id"]) == 36 and doc["id"] == UP["Location"](location_211(id=long_id), CTX)["id"]


def test_patch_without_last_updated_gets_now() -> None:
    """Up: a 2.1.1 PATCH without last_updated gets ctx.now; down leaves it out again."""
    now = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    patch = {"status": "CHARGING"}
    doc = UP["EVSEPatch"](patch, context(now=now))
    assert doc["last_updated"] == "2024-05-01T12:00:00Z"
    assert DOWN["EVSEPatch"](doc, CTX)[0] == patch


def test_unknown_fields_are_kept_and_private_key_is_not_accepted() -> None:
    """Up keeps a sender's extra fields and drops an incoming _ocpihub; down keeps extras."""
    data = location_211()
    data["x_note"] = "kept"
    data["_ocpihub"] = {"legacy": {"2.1.1": {"type": "OTHER"}}}
    doc = UP["Location"](data, CTX)
    assert doc["x_note"] == "kept"
    assert doc["_ocpihub"]["legacy"]["2.1.1"] == {"time_zone": None}
    assert DOWN["Location"](doc, CTX)[0]["x_note"] == "kept"


# --- down -----------------------------------------------------------------------------------


def canonical_location() -> dict[str, Any]:
    """The stored example Location LOC1 (2.3.0)."""
    return stored_location()


def test_new_location_fields_are_dropped_with_losses() -> None:
    """Down: publish=false, state, help_phone... are reported; owner fields silently left out."""
    doc = canonical_location()
    doc.update(publish=False, state="Utrecht", help_phone="+31301234567")
    out, losses = down("Location", doc)
    assert {"publish", "state", "help_phone", "parking_places"} <= set(losses)
    assert "country_code" not in out and "country_code" not in losses


@pytest.mark.parametrize(
    ("parking_type", "location_type", "lost"),
    [("ALONG_MOTORWAY", "OTHER", True), ("ON_DRIVEWAY", "OTHER", True), (None, "UNKNOWN", False)],
)
def test_parking_types_2_1_1_lacks(
    parking_type: str | None, location_type: str, lost: bool
) -> None:
    """Down: new parking types become OTHER (reported); no parking type becomes UNKNOWN."""
    doc = canonical_location()
    doc["parking_type"] = parking_type
    out, losses = down("Location", doc)
    assert out["type"] == location_type
    assert ("parking_type" in losses) is lost


def test_missing_postal_code_is_an_empty_string() -> None:
    """Down: postal_code is required in 2.1.1; a Location without one sends ''."""
    doc = canonical_location()
    del doc["postal_code"]
    assert down("Location", doc)[0]["postal_code"] == ""


def test_sae_j3400_maps_to_tesla_s() -> None:
    """Down: SAE_J3400 → TESLA_S, reported."""
    doc = canonical_location()
    doc["evses"][0]["connectors"][0]["standard"] = "SAE_J3400"
    out, losses = down("Location", doc)
    assert out["evses"][0]["connectors"][0]["standard"] == "TESLA_S"
    assert losses["evses[0].connectors[0].standard"] == "SAE_J3400"


def test_unnameable_connector_is_dropped_and_then_its_evse() -> None:
    """Down: an MCS connector is dropped; an EVSE left without connectors is dropped."""
    doc = canonical_location()
    evse = doc["evses"][1]
    for connector in evse["connectors"]:
        connector["standard"] = "MCS"
    out, losses = down("Location", doc)
    assert [e["uid"] for e in out["evses"]] == ["3256"]
    assert losses["evses[1]"] == "3257"


def test_a_lone_connector_gets_the_fallback_plug() -> None:
    """Down: a Connector PUT cannot be dropped: MCS on DC is sent as IEC_62196_T2_COMBO."""
    connector = copy.deepcopy(canonical_location()["evses"][0]["connectors"][0])
    connector.update(standard="MCS", power_type="DC")
    out, losses = down("Connector", connector)
    assert out["standard"] == "IEC_62196_T2_COMBO" and losses["standard"] == "MCS"


def test_two_phase_power_is_sent_as_one_phase() -> None:
    """Down: AC_2_PHASE → AC_1_PHASE, reported."""
    connector = copy.deepcopy(canonical_location()["evses"][0]["connectors"][0])
    connector["power_type"] = "AC_2_PHASE_SPLIT"
    out, losses = down("Connector", connector)
    assert out["power_type"] == "AC_1_PHASE" and losses["power_type"] == "AC_2_PHASE_SPLIT"


def test_only_the_first_tariff_id_survives() -> None:
    """Down: tariff_ids → tariff_id (the first); the others are reported."""
    connector = copy.deepcopy(canonical_location()["evses"][0]["connectors"][0])
    connector.update(
        tariff_ids=["A", "B"],
        max_electric_power=22000,
        capabilities=["ISO_15118_2_PLUG_AND_CHARGE"],
    )
    out, losses = down("Connector", connector)
    assert out["tariff_id"] == "A"
    assert set(losses) == {"tariff_ids[1]", "max_electric_power", "capabilities"}


def test_enum_values_2_1_1_lacks_are_dropped_or_mapped() -> None:
    """Down: new capabilities/facilities/restrictions dropped; custom image category → OTHER."""
    doc = canonical_location()
    doc["facilities"] = ["HOTEL", "METRO_STATION"]
    evse = doc["evses"][0]
    evse["capabilities"] = ["RESERVABLE", "PED_TERMINAL"]
    evse["parking_restrictions"] = ["EV_ONLY", "TAXIS"]
    evse["images"] = [{"url": "https://x.example/i.png", "category": "DRONE", "type": "png"}]
    out, losses = down("Location", doc)
    assert out["facilities"] == ["HOTEL"]
    assert out["evses"][0]["capabilities"] == ["RESERVABLE"]
    assert out["evses"][0]["parking_restrictions"] == ["EV_ONLY"]
    assert out["evses"][0]["images"][0]["category"] == "OTHER"
    assert {
        "facilities[1]",
        "evses[0].capabilities[1]",
        "evses[0].parking_restrictions[1]",
        "evses[0].images[0].category",
    } <= set(losses)


def test_custom_environmental_impact_is_dropped() -> None:
    """Down: an impact category 2.1.1 lacks drops that impact entry, reported."""
    doc = canonical_location()
    doc["energy_mix"] = {
        "is_green_energy": True,
        "environ_impact": [
            {"category": "METHANE", "amount": 1},
            {"category": "NUCLEAR_WASTE", "amount": 2},
        ],
    }
    out, losses = down("Location", doc)
    assert out["energy_mix"]["environ_impact"] == [{"source": "NUCLEAR_WASTE", "amount": 2.0}]
    assert "energy_mix.environ_impact[0]" in losses


def test_fractional_seconds_are_cut() -> None:
    """Down: 2.1.1 DateTimes have whole seconds."""
    doc = canonical_location()
    doc["last_updated"] = "2024-01-01T10:00:00.123Z"
    assert down("Location", doc)[0]["last_updated"] == "2024-01-01T10:00:00Z"


def test_down_never_emits_the_private_key() -> None:
    """Down: _ocpihub is consumed, never sent."""
    doc = UP["Location"](location_211(type="OTHER"), CTX)
    assert "_ocpihub" in doc and "_ocpihub" not in down("Location", doc)[0]
