"""Locations: Location, EVSE, Connector and their PATCH twins, 2.1.1 ↔ canonical.

Up (digest §4.3 Locations): owner ``country_code``/``party_id`` from the context; ``publish``
= true (2.1.1 cannot hide a Location); ``type`` → ``parking_type`` (``OTHER``/``UNKNOWN`` have
no twin and are kept as legacy); a missing ``time_zone`` is derived from the coordinates
(offline, ``translate/time_zones.py``), else is the platform's default (``ctx.time_zone``),
its source kept as ``_ocpihub.filled``; Hours
without ``twentyfourseven`` gets ``false``; EnvironmentalImpact ``source`` → ``category``;
Connector ``voltage``/``amperage``/``tariff_id`` → ``max_voltage``/``max_amperage``/
``tariff_ids``. PATCH bodies translate only the fields present and get ``last_updated`` =
``ctx.now`` when they lack one (digest §1.3, a documented deviation: 2.2+ requires it).

Down: the reverse, plus the 2.3.0-only fields dropped with a loss entry (``publish=false``,
``publish_allowed_to``, ``state``, ``parking_places``, ``help_phone``, EVSE ``parking`` and
``accepted_service_providers``, Connector ``max_electric_power`` and ``capabilities``, every
``tariff_ids`` entry after the first). A connector whose standard 2.1.1 cannot name is dropped,
and an EVSE left without connectors with it; a lone EVSE or Connector (its own PUT) cannot be
dropped, so there the CDR fallback plug of its power type is used instead (see ``enums``).
A missing ``parking_type`` becomes ``UNKNOWN`` and a missing ``postal_code`` an empty string,
both required in 2.1.1.
"""

from __future__ import annotations

from typing import Any

from ocpihub.ocpi.fields import format_datetime
from ocpihub.translate.context import MissingContext, TranslationContext
from ocpihub.translate.loss import LossReport
from ocpihub.translate.time_zones import zone_at
from ocpihub.translate.v2_1_1.common import (
    Doc,
    Legacy,
    business_details_down,
    business_details_up,
    clean,
    energy_mix_down,
    energy_mix_up,
    id_up,
    image_down,
    image_up,
    join,
    make_down,
    make_up,
)
from ocpihub.translate.v2_1_1.enums import CDR_CONNECTOR_FALLBACK, LOCATION_TYPE_UP, map_down

__all__ = [
    "DOWN",
    "UP",
    "connector_down",
    "evse_down",
    "location_down",
    "location_up",
]

_BUSINESS = ("operator", "suboperator", "owner")


# --- up -------------------------------------------------------------------------------------


def connector_up(data: Doc, legacy: Legacy) -> Doc:
    """2.1.1 Connector (or its PATCH) → canonical."""
    out = clean(data)
    if isinstance(out.get("id"), str):
        out["id"] = id_up(out["id"], legacy, "id")
    if "voltage" in out:
        out["max_voltage"] = out.pop("voltage")
    if "amperage" in out:
        out["max_amperage"] = out.pop("amperage")
    if "tariff_id" in out:
        tariff_id = out.pop("tariff_id")
        out["tariff_ids"] = None if tariff_id is None else [id_up(tariff_id, legacy, "tariff_id")]
    return out


def evse_up(data: Doc, legacy: Legacy) -> Doc:
    """2.1.1 EVSE (or its PATCH) → canonical."""
    out = clean(data)
    if isinstance(out.get("uid"), str):
        out["uid"] = id_up(out["uid"], legacy, "uid")
    if isinstance(out.get("evse_id"), str):
        out["evse_id"] = id_up(out["evse_id"], legacy, "evse_id", 48)
    if isinstance(out.get("connectors"), list):
        out["connectors"] = [
            connector_up(item, legacy.at(f"connectors[{i}]"))
            for i, item in enumerate(out["connectors"])
        ]
    if isinstance(out.get("images"), list):
        out["images"] = [image_up(item) for item in out["images"]]
    return out


def _hours_up(data: Doc, legacy: Legacy) -> Doc:
    out = clean(data)
    if out.get("twentyfourseven") is None:
        # 2.1.1 Hours is a choice; regular hours alone mean "not 24/7"
        out["twentyfourseven"] = False
        legacy.absent("twentyfourseven")
    return out


def _time_zone(location: Doc, ctx: TranslationContext) -> tuple[str, str]:
    """The time zone of a 2.1.1 Location that has none, and where it came from."""
    coordinates = location.get("coordinates")
    if isinstance(coordinates, dict):
        zone = zone_at(coordinates.get("latitude"), coordinates.get("longitude"))
        if zone is not None:
            return zone, "coordinates"
    if ctx.time_zone is not None:
        return ctx.time_zone, "platform default_time_zone"
    raise MissingContext(
        "cannot translate: a 2.1.1 Location without time_zone whose coordinates lie in no "
        "time zone needs its platform's default time zone, which the hub operator has not set"
    )


def location_up(data: Doc, ctx: TranslationContext, legacy: Legacy, *, full: bool) -> Doc:
    """2.1.1 Location (``full``) or LocationPatch → canonical."""
    out = clean(data)
    if full:
        country_code, party_id = ctx.owner("a 2.1.1 Location (2.3.0 names its owner)")
        out["country_code"], out["party_id"] = country_code, party_id
        out["publish"] = True
    if isinstance(out.get("id"), str):
        out["id"] = id_up(out["id"], legacy, "id")
    if "type" in out:
        location_type = out.pop("type")
        parking_type = LOCATION_TYPE_UP.get(location_type)
        if parking_type is None:
            legacy.keep("type", location_type)
        else:
            out["parking_type"] = parking_type
    if out.get("time_zone") is None:
        out.pop("time_zone", None)
        if full:
            out["time_zone"], source = _time_zone(out, ctx)
            legacy.absent("time_zone")
            legacy.fill("time_zone", source)
    if isinstance(out.get("evses"), list):
        out["evses"] = [
            evse_up(item, legacy.at(f"evses[{i}]")) for i, item in enumerate(out["evses"])
        ]
    if isinstance(out.get("opening_times"), dict):
        out["opening_times"] = _hours_up(out["opening_times"], legacy.at("opening_times"))
    if isinstance(out.get("images"), list):
        out["images"] = [image_up(item) for item in out["images"]]
    for key in _BUSINESS:
        if isinstance(out.get(key), dict):
            out[key] = business_details_up(out[key])
    if isinstance(out.get("energy_mix"), dict):
        out["energy_mix"] = energy_mix_up(out["energy_mix"])
    return out


def _with_last_updated(out: Doc, ctx: TranslationContext, legacy: Legacy) -> Doc:
    if out.get("last_updated") is None:
        out["last_updated"] = format_datetime(ctx.now)
        legacy.absent("last_updated")
    return out


# --- down -----------------------------------------------------------------------------------


def _drop(out: Doc, key: str, report: LossReport, path: str, reason: str) -> None:
    """Remove a field 2.1.1 lacks; a loss only when it said something."""
    if key not in out:
        return
    value = out.pop(key)
    if value is not None and value != []:
        report.add(join(path, key), value, reason)


def _filter(out: Doc, key: str, enum: str, report: LossReport, path: str) -> None:
    values = out.get(key)
    if not isinstance(values, list):
        return
    kept = []
    for i, value in enumerate(values):
        mapped = map_down(enum, value)
        if mapped is None:
            report.add(join(path, f"{key}[{i}]"), value, f"2.1.1 has no such {enum} value")
        else:
            kept.append(mapped)
    out[key] = kept


def connector_down(
    doc: Doc, report: LossReport, path: str, *, fallback: bool, patch: bool = False
) -> Doc | None:
    """Canonical Connector → 2.1.1; ``None`` when its standard has no 2.1.1 value and no
    ``fallback`` may be used (the caller drops it)."""
    out = clean(doc)
    if "max_voltage" in out:
        out["voltage"] = out.pop("max_voltage")
    if "max_amperage" in out:
        out["amperage"] = out.pop("max_amperage")
    _drop(out, "max_electric_power", report, path, "2.1.1 connectors have no max_electric_power")
    _drop(out, "capabilities", report, path, "2.1.1 connectors have no capabilities")
    if "tariff_ids" in out:
        tariff_ids = out.pop("tariff_ids")
        if tariff_ids is None:
            out["tariff_id"] = None
        elif tariff_ids:
            out["tariff_id"] = tariff_ids[0]
            for i, extra in enumerate(tariff_ids[1:], start=1):
                report.add(join(path, f"tariff_ids[{i}]"), extra, "2.1.1 allows one tariff_id")
    power_type = out.get("power_type")
    if isinstance(power_type, str):
        mapped = map_down("PowerType", power_type) or "AC_1_PHASE"
        if mapped != power_type:
            report.add(
                join(path, "power_type"), power_type, f"2.1.1 has no such power type: {mapped}"
            )
            out["power_type"] = mapped
    standard = out.get("standard")
    if isinstance(standard, str):
        plug = map_down("ConnectorType", standard)
        if plug is None and fallback:
            plug = CDR_CONNECTOR_FALLBACK.get(str(out.get("power_type")), "IEC_62196_T2")
        if plug is None:
            if not patch:
                report.add(
                    join(path, "standard"),
                    standard,
                    "2.1.1 has no such standard: connector dropped",
                )
                return None
            report.add(join(path, "standard"), standard, "2.1.1 has no such connector standard")
            del out["standard"]
        elif plug != standard:
            report.add(join(path, "standard"), standard, f"2.1.1 has no such standard: {plug}")
            out["standard"] = plug
    return out


def evse_down(
    doc: Doc, report: LossReport, path: str, *, fallback: bool, patch: bool = False
) -> Doc | None:
    """Canonical EVSE → 2.1.1; ``None`` when none of its connectors can be described."""
    out = clean(doc)
    _drop(out, "parking", report, path, "2.1.1 EVSEs have no parking")
    _drop(
        out,
        "accepted_service_providers",
        report,
        path,
        "2.1.1 EVSEs have no accepted_service_providers",
    )
    _filter(out, "capabilities", "Capability", report, path)
    _filter(out, "parking_restrictions", "ParkingRestriction", report, path)
    if isinstance(out.get("images"), list):
        out["images"] = [
            image_down(item, report, join(path, f"images[{i}]"))
            for i, item in enumerate(out["images"])
        ]
    connectors = out.get("connectors")
    if isinstance(connectors, list):
        kept = [
            translated
            for i, item in enumerate(connectors)
            if (
                translated := connector_down(
                    item, report, join(path, f"connectors[{i}]"), fallback=fallback
                )
            )
            is not None
        ]
        if not kept and connectors:
            if not patch:
                return None
            del out["connectors"]
        else:
            out["connectors"] = kept
    return out


def location_down(
    doc: Doc, report: LossReport, path: str = "", *, patch: bool = False, fallback: bool = False
) -> Doc:
    """Canonical Location (or LocationPatch) → 2.1.1 (``fallback``: plugs are never dropped)."""
    out = clean(doc)
    out.pop("country_code", None)  # the owner travels in the 2.1.1 URL
    out.pop("party_id", None)
    publish = out.pop("publish", None)
    if publish is False:
        report.add(join(path, "publish"), False, "2.1.1 cannot hide a Location; do not send it")
    _drop(out, "publish_allowed_to", report, path, "2.1.1 cannot limit who sees a Location")
    _drop(out, "state", report, path, "2.1.1 Locations have no state")
    _drop(out, "parking_places", report, path, "2.1.1 Locations have no parking_places")
    _drop(out, "help_phone", report, path, "2.1.1 Locations have no help_phone")
    if "parking_type" in out or not patch:
        parking_type = out.pop("parking_type", None)
        if parking_type is None:
            if not patch:
                out["type"] = "UNKNOWN"
        else:
            location_type = map_down("ParkingType", parking_type) or "OTHER"
            if location_type != parking_type:
                report.add(
                    join(path, "parking_type"),
                    parking_type,
                    f"2.1.1 has no such location type: {location_type}",
                )
            out["type"] = location_type
    if out.get("postal_code") is None:
        out.pop("postal_code", None)
        if not patch:
            out["postal_code"] = ""
    _filter(out, "facilities", "Facility", report, path)
    evses = out.get("evses")
    if isinstance(evses, list):
        kept: list[Any] = []
        for i, item in enumerate(evses):
            evse_path = join(path, f"evses[{i}]")
            translated = evse_down(item, report, evse_path, fallback=fallback)
            if translated is None:
                report.add(evse_path, item.get("uid"), "no connector 2.1.1 can name: EVSE dropped")
            else:
                kept.append(translated)
        out["evses"] = kept
    if isinstance(out.get("images"), list):
        out["images"] = [
            image_down(item, report, join(path, f"images[{i}]"))
            for i, item in enumerate(out["images"])
        ]
    for key in _BUSINESS:
        if isinstance(out.get(key), dict):
            out[key] = business_details_down(out[key], report, join(path, key))
    if isinstance(out.get("energy_mix"), dict):
        out["energy_mix"] = energy_mix_down(out["energy_mix"], report, join(path, "energy_mix"))
    return out


# --- tables ---------------------------------------------------------------------------------


def _location_up(data: Doc, ctx: TranslationContext, legacy: Legacy) -> Doc:
    """2.1.1 Location → canonical Location."""
    return location_up(data, ctx, legacy, full=True)


def _location_patch_up(data: Doc, ctx: TranslationContext, legacy: Legacy) -> Doc:
    """2.1.1 Location PATCH → canonical LocationPatch (``last_updated`` filled)."""
    return _with_last_updated(location_up(data, ctx, legacy, full=False), ctx, legacy)


def _evse_up(data: Doc, ctx: TranslationContext, legacy: Legacy) -> Doc:
    """2.1.1 EVSE → canonical EVSE."""
    return evse_up(data, legacy)


def _evse_patch_up(data: Doc, ctx: TranslationContext, legacy: Legacy) -> Doc:
    """2.1.1 EVSE PATCH → canonical EVSEPatch (``last_updated`` filled)."""
    return _with_last_updated(evse_up(data, legacy), ctx, legacy)


def _connector_up(data: Doc, ctx: TranslationContext, legacy: Legacy) -> Doc:
    """2.1.1 Connector → canonical Connector."""
    return connector_up(data, legacy)


def _connector_patch_up(data: Doc, ctx: TranslationContext, legacy: Legacy) -> Doc:
    """2.1.1 Connector PATCH → canonical ConnectorPatch (``last_updated`` filled)."""
    return _with_last_updated(connector_up(data, legacy), ctx, legacy)


def _location_down(doc: Doc, ctx: TranslationContext, report: LossReport) -> Doc:
    """Canonical Location → 2.1.1 Location."""
    return location_down(doc, report)


def _location_patch_down(doc: Doc, ctx: TranslationContext, report: LossReport) -> Doc:
    """Canonical LocationPatch → 2.1.1 Location PATCH."""
    return location_down(doc, report, patch=True)


def _evse_down(doc: Doc, ctx: TranslationContext, report: LossReport) -> Doc:
    """Canonical EVSE → 2.1.1 EVSE (fallback plugs: a lone EVSE cannot be dropped)."""
    out = evse_down(doc, report, "", fallback=True)
    assert out is not None  # with the fallback every connector has a standard
    return out


def _evse_patch_down(doc: Doc, ctx: TranslationContext, report: LossReport) -> Doc:
    """Canonical EVSEPatch → 2.1.1 EVSE PATCH."""
    out = evse_down(doc, report, "", fallback=False, patch=True)
    assert out is not None  # a PATCH loses its connectors field instead
    return out


def _connector_down(doc: Doc, ctx: TranslationContext, report: LossReport) -> Doc:
    """Canonical Connector → 2.1.1 Connector (fallback plug: it cannot be dropped)."""
    out = connector_down(doc, report, "", fallback=True)
    assert out is not None
    return out


def _connector_patch_down(doc: Doc, ctx: TranslationContext, report: LossReport) -> Doc:
    """Canonical ConnectorPatch → 2.1.1 Connector PATCH."""
    out = connector_down(doc, report, "", fallback=False, patch=True)
    assert out is not None
    return out


UP = {
    "Location": make_up(_location_up),
    "LocationPatch": make_up(_location_patch_up),
    "EVSE": make_up(_evse_up),
    "EVSEPatch": make_up(_evse_patch_up),
    "Connector": make_up(_connector_up),
    "ConnectorPatch": make_up(_connector_patch_up),
}

DOWN = {
    "Location": make_down(_location_down),
    "LocationPatch": make_down(_location_patch_down),
    "EVSE": make_down(_evse_down),
    "EVSEPatch": make_down(_evse_patch_down),
    "Connector": make_down(_connector_down),
    "ConnectorPatch": make_down(_connector_patch_down),
}
