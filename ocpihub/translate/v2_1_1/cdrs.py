"""CDRs, 2.1.1 ↔ canonical, and the parts Sessions share (charging periods, token, location).

Up (digest §4.3 CDRs): owner fields from the context; ``stop_date_time`` → ``end_date_time``;
``total_cost`` → Price; ``auth_id`` → ``cdr_token`` from the token cache
(``ctx.token_by_uid``), or, when the cache does not know it, synthesized from an eMAID-shaped
auth_id (``NL-TNM-…`` → NL/TNM, type ``OTHER``, flagged in ``_ocpihub.synthesized``); the
embedded Location → ``cdr_location`` (its first EVSE and connector, ``#NA`` for a missing
``evse_id``, digest §1.3) and is kept whole as legacy; ``FLAT`` dimensions are dropped (kept as
legacy; the cost is in ``total_cost``); embedded tariffs are translated as Tariffs. A 2.1.1
Session or CDR whose Location embeds no EVSE cannot say where it happened: refused with 2001.

Down: never drops a CDR (digest §7 item 18). ``location`` is the kept 2.1.1 Location when it is
the same place, else it is built from ``cdr_location`` and the stored Location
(``ctx.location_by_id``; type, EVSE status, connector voltage/amperage), with ``UNKNOWN``/``0``
and a loss entry when the hub does not know it. ``auth_id`` = ``cdr_token.contract_id``.
2.2+-only fields are dropped with a loss entry; a credit CDR goes with a negative
``total_cost`` and a remark; an id longer than 36 gets its stable short form (reported);
connector standards 2.1.1 lacks use the CDR fallback plug; 2.2+ dimensions are dropped, and a
CDR left without periods gets one summary period (ENERGY, TIME) at its start.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from ocpihub.errors import InvalidParameters
from ocpihub.translate.context import MissingContext, TranslationContext
from ocpihub.translate.loss import LossReport
from ocpihub.translate.v2_1_1.common import (
    Doc,
    Inexpressible,
    Legacy,
    clean,
    fits,
    id_up,
    join,
    legacy_of,
    make_down,
    make_up,
    price_down,
    price_up,
    shorten,
)
from ocpihub.translate.v2_1_1.enums import CDR_CONNECTOR_FALLBACK, map_down
from ocpihub.translate.v2_1_1.locations import location_down
from ocpihub.translate.v2_1_1.tariffs import tariff_down, tariff_up

__all__ = [
    "DOWN",
    "UP",
    "canonical_id",
    "cdr_token_up",
    "legacy_place",
    "periods_down",
    "periods_up",
    "place_guard",
    "place_up",
    "stored_place",
]

_EMAID = re.compile(r"^([A-Za-z]{2})[-*]?([A-Za-z0-9]{3})[-*]?[A-Za-z0-9]")
_NEW_FIELDS = (
    "booking_id",
    "session_id",
    "authorization_reference",
    "signed_data",
    "invoice_reference_id",
    "credit_reference_id",
    "home_charging_compensation",
)
_NEW_COSTS = (
    "total_fixed_cost",
    "total_energy_cost",
    "total_time_cost",
    "total_parking_cost",
    "total_reservation_cost",
)


def canonical_id(value: str, max_len: int = 36) -> str:
    """The canonical form UP gives a 2.1.1 id (itself, or its stable short form)."""
    return value if fits(value, max_len) else shorten(value, max_len)


# --- shared with Sessions -------------------------------------------------------------------


def cdr_token_up(auth_id: str, ctx: TranslationContext, legacy: Legacy) -> Doc:
    """The canonical ``cdr_token`` behind a 2.1.1 ``auth_id`` (token cache, else eMAID)."""
    lookup = ctx.require("token_by_uid", "the cdr_token of a 2.1.1 Session or CDR")
    token = lookup(auth_id)
    if token is not None:
        if token.get("contract_id") != auth_id:
            legacy.keep("auth_id", auth_id)
        return {
            key: token[key] for key in ("country_code", "party_id", "uid", "type", "contract_id")
        }
    match = _EMAID.match(auth_id)
    if match is None:
        raise MissingContext(
            f"cannot translate: the cdr_token of a 2.1.1 Session or CDR needs the token with "
            f"auth_id {auth_id!r}, which the hub lacks"
        )
    contract_id = id_up(auth_id, legacy, "auth_id")
    legacy.synthesize("cdr_token")
    return {
        "country_code": match.group(1).upper(),
        "party_id": match.group(2).upper(),
        "uid": contract_id,
        "type": "OTHER",
        "contract_id": contract_id,
    }


def place_up(location: Doc, what: str) -> tuple[Doc, Doc, Doc]:
    """The embedded Location of a 2.1.1 Session/CDR, its first EVSE and that EVSE's connector."""
    evses = location.get("evses") or []
    if not evses:
        raise InvalidParameters(
            f"location.evses: a 2.1.1 {what} must embed the EVSE and connector it used"
        )
    evse = evses[0]
    return location, evse, evse["connectors"][0]


def periods_up(periods: list[Doc], legacy: Legacy) -> list[Doc]:
    """2.1.1 charging periods → canonical: ``FLAT`` dimensions (and periods of only FLAT)
    move to the legacy keys at their 2.1.1 positions."""
    out = []
    for i, period in enumerate(periods):
        dimensions = period.get("dimensions") or []
        flat = [(j, d) for j, d in enumerate(dimensions) if d.get("type") == "FLAT"]
        if flat and len(flat) == len(dimensions):
            legacy.keep(f"charging_periods[+{i}]", period)
            continue
        new_period = clean(period)
        for j, dimension in flat:
            legacy.keep(f"charging_periods[{i}].dimensions[+{j}]", dimension)
        new_period["dimensions"] = [d for d in dimensions if d.get("type") != "FLAT"]
        out.append(new_period)
    return out


def periods_down(periods: list[Doc], report: LossReport) -> list[Doc]:
    """Canonical charging periods → 2.1.1: dimensions 2.1.1 lacks and ``tariff_id`` dropped,
    periods left without dimensions dropped."""
    out = []
    for i, period in enumerate(periods):
        path = f"charging_periods[{i}]"
        new_period = clean(period)
        tariff_id = new_period.pop("tariff_id", None)
        if tariff_id is not None:
            report.add(
                join(path, "tariff_id"), tariff_id, "2.1.1 charging periods have no tariff_id"
            )
        kept = []
        for j, dimension in enumerate(period.get("dimensions") or []):
            if map_down("CdrDimensionType", dimension.get("type")) is None:
                report.add(
                    join(path, f"dimensions[{j}]"), dimension, "2.1.1 has no such dimension type"
                )
            else:
                kept.append(clean(dimension))
        if not kept:
            report.add(path, period.get("start_date_time"), "no dimension left: period dropped")
            continue
        new_period["dimensions"] = kept
        out.append(new_period)
    return out


def stored_place(
    ctx: TranslationContext, location_id: str, evse_uid: str | None, connector_id: str | None
) -> Doc | None:
    """The stored Location trimmed to one EVSE and connector, as 2.1.1; ``None`` if unknown."""
    lookup = ctx.location_by_id
    stored = lookup(location_id) if lookup is not None else None
    if stored is None:
        return None
    trimmed = clean(stored)
    evses = []
    for evse in stored.get("evses") or []:
        if evse.get("uid") != evse_uid:
            continue
        connectors = [c for c in evse.get("connectors") or [] if c.get("id") == connector_id]
        if connectors:
            evses.append({**evse, "connectors": connectors})
    trimmed["evses"] = evses
    # the embedded place of a Session/CDR is a fact of the past: map plugs, never drop them
    return location_down(trimmed, LossReport(), fallback=True)


def legacy_place(doc: Doc, location_id: Any) -> Doc | None:
    """The 2.1.1 Location kept by UP, when it is still the place this object names."""
    kept = legacy_of(doc).get("location")
    if (
        isinstance(kept, dict)
        and isinstance(kept.get("id"), str)
        and canonical_id(kept["id"]) == location_id
    ):
        return kept
    return None


def place_guard(location_id_of: Callable[[Doc], Any]) -> Callable[[Doc, Doc], Doc]:
    """A legacy guard: the kept 2.1.1 Location is replayed only while it is the same place."""

    def guard(doc: Doc, entries: Doc) -> Doc:
        if "location" in entries and legacy_place(doc, location_id_of(doc)) is None:
            return {path: value for path, value in entries.items() if path != "location"}
        return entries

    return guard


# --- CDR ------------------------------------------------------------------------------------


def _cdr_up(data: Doc, ctx: TranslationContext, legacy: Legacy) -> Doc:
    """2.1.1 CDR → canonical CDR."""
    out = clean(data)
    out["country_code"], out["party_id"] = ctx.owner("a 2.1.1 CDR (2.3.0 names its owner)")
    out["end_date_time"] = out.pop("stop_date_time")
    out["cdr_token"] = cdr_token_up(out.pop("auth_id"), ctx, legacy)
    location, evse, connector = place_up(out.pop("location"), "CDR")
    legacy.keep("location", location)
    cdr_location = {
        "id": canonical_id(location["id"]),
        "address": location["address"],
        "city": location["city"],
        "postal_code": location["postal_code"],
        "country": location["country"],
        "coordinates": clean(location["coordinates"]),
        "evse_uid": canonical_id(evse["uid"]),
        "evse_id": canonical_id(evse.get("evse_id") or "#NA", 48),
        "connector_id": canonical_id(connector["id"]),
        "connector_standard": connector["standard"],
        "connector_format": connector["format"],
        "connector_power_type": connector["power_type"],
    }
    if location.get("name") is not None:
        cdr_location["name"] = location["name"]
    out["cdr_location"] = cdr_location
    out["total_cost"] = price_up(out["total_cost"])
    if isinstance(out.get("tariffs"), list):
        out["tariffs"] = [
            tariff_up(item, ctx, legacy.at(f"tariffs[{i}]"), full=True)
            for i, item in enumerate(out["tariffs"])
        ]
    periods = periods_up(out["charging_periods"], legacy)
    if not periods:
        # every period was FLAT only: keep them whole, and give 2.3.0 one summary period
        for path in [p for p in legacy.entries if p.startswith("charging_periods")]:
            del legacy.entries[path]
        legacy.keep("charging_periods", data["charging_periods"])
        periods = [_summary_period(out)]
    out["charging_periods"] = periods
    return out


def _summary_period(cdr: Doc) -> Doc:
    return {
        "start_date_time": cdr["start_date_time"],
        "dimensions": [
            {"type": "ENERGY", "volume": cdr["total_energy"]},
            {"type": "TIME", "volume": cdr["total_time"]},
        ],
    }


def _cdr_place(doc: Doc, ctx: TranslationContext, report: LossReport) -> Doc:
    """The 2.1.1 Location of a CDR: kept legacy, else cdr_location over the stored Location."""
    cdr_location = doc["cdr_location"]
    kept = legacy_place(doc, cdr_location["id"])
    if kept is not None:
        return kept
    stored = stored_place(
        ctx, cdr_location["id"], cdr_location["evse_uid"], cdr_location["connector_id"]
    )
    stored_evse = (stored or {}).get("evses") or [{}]
    evse: Doc = dict(stored_evse[0])
    connector: Doc = dict((evse.get("connectors") or [{}])[0])
    if not connector:
        report.add(
            "cdr_location",
            cdr_location["id"],
            "the hub does not know this EVSE: 2.1.1 type, status, voltage and amperage sent "
            "as UNKNOWN/0",
        )
    power_type = map_down("PowerType", cdr_location["connector_power_type"]) or "AC_1_PHASE"
    if power_type != cdr_location["connector_power_type"]:
        report.add(
            "cdr_location.connector_power_type",
            cdr_location["connector_power_type"],
            f"2.1.1 has no such power type: {power_type}",
        )
    standard = cdr_location["connector_standard"]
    mapped = map_down("ConnectorType", standard) or CDR_CONNECTOR_FALLBACK[power_type]
    if mapped != standard:
        report.add(
            "cdr_location.connector_standard", standard, f"2.1.1 has no such standard: {mapped}"
        )
    last_updated = doc["last_updated"]
    connector.update(
        id=cdr_location["connector_id"],
        standard=mapped,
        format=cdr_location["connector_format"],
        power_type=power_type,
    )
    connector.setdefault("voltage", 0)
    connector.setdefault("amperage", 0)
    connector.setdefault("last_updated", last_updated)
    evse.update(uid=cdr_location["evse_uid"], connectors=[connector])
    if cdr_location["evse_id"] != "#NA":
        evse["evse_id"] = cdr_location["evse_id"]
    evse.setdefault("status", "UNKNOWN")
    evse.setdefault("last_updated", last_updated)
    location: Doc = {k: v for k, v in (stored or {}).items() if k != "evses"}
    location.update(
        {
            key: cdr_location[key]
            for key in ("id", "name", "address", "city", "country", "coordinates")
            if cdr_location.get(key) is not None
        }
    )
    location["postal_code"] = cdr_location.get("postal_code") or ""
    location.setdefault("type", "UNKNOWN")
    location.setdefault("last_updated", last_updated)
    location["evses"] = [evse]
    return location


def _cdr_down(doc: Doc, ctx: TranslationContext, report: LossReport) -> Doc:
    """Canonical CDR → 2.1.1 CDR (never dropped: mapped, with losses reported)."""
    out = clean(doc)
    out.pop("country_code", None)  # the owner travels in the 2.1.1 URL
    out.pop("party_id", None)
    if not fits(out["id"], 36):
        report.add("id", out["id"], "2.1.1 CDR ids have at most 36 characters: short form sent")
        out["id"] = shorten(out["id"], 36)
    out["stop_date_time"] = out.pop("end_date_time")
    out["auth_id"] = out.pop("cdr_token")["contract_id"]
    out.pop("cdr_location")
    out["location"] = _cdr_place(doc, ctx, report)
    for key in (*_NEW_FIELDS, *_NEW_COSTS):
        if key in out:
            value = out.pop(key)
            if value is not None:
                report.add(key, value, f"2.1.1 CDRs have no {key}")
    total_cost = price_down(out["total_cost"], report, "total_cost")
    credit = out.pop("credit", None)
    if credit:
        report.add("credit", True, "2.1.1 has no credit CDRs: negative total_cost and a remark")
        total_cost = -abs(total_cost or 0.0)
        note = f"Credit CDR for {doc.get('credit_reference_id') or 'an earlier CDR'}"
        remark = out.get("remark")
        out["remark"] = (f"{note}; {remark}" if remark else note)[:255]
    out["total_cost"] = total_cost
    if isinstance(out.get("tariffs"), list):
        tariffs = []
        for i, tariff in enumerate(out["tariffs"]):
            try:
                tariffs.append(tariff_down(tariff, report, f"tariffs[{i}]"))
            except Inexpressible:
                report.add(f"tariffs[{i}]", tariff.get("id"), "no element 2.1.1 can express")
        out["tariffs"] = tariffs
    periods = periods_down(out["charging_periods"], report)
    if not periods:
        report.add("charging_periods", None, "no period left: one summary period sent")
        periods = [_summary_period(doc)]
    out["charging_periods"] = periods
    auth_method = out["auth_method"]
    mapped = map_down("AuthMethod", auth_method) or "AUTH_REQUEST"
    if mapped != auth_method:
        report.add("auth_method", auth_method, f"2.1.1 has no such auth method: {mapped}")
        out["auth_method"] = mapped
    return out


UP = {"CDR": make_up(_cdr_up)}
DOWN = {"CDR": make_down(_cdr_down, place_guard(lambda doc: doc["cdr_location"]["id"]))}
