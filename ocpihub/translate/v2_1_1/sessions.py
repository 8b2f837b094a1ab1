"""Sessions: Session and SessionPatch, 2.1.1 ↔ canonical.

Up (digest §4.3 Sessions): owner fields from the context; ``start_datetime``/``end_datetime``
→ ``start_date_time``/``end_date_time``; ``auth_id`` → ``cdr_token`` (token cache, else an
eMAID guess, see :mod:`.cdrs`); the embedded Location → ``location_id``/``evse_uid``/
``connector_id`` (its first EVSE and connector) and is kept whole as legacy, since canonical
Sessions only name the place; ``total_cost`` → Price; ``FLAT`` dimensions kept as legacy.
``authorization_reference`` stays absent: pairing it with a command or authorization the hub
relayed is the hub's job, not a translation. A PATCH gets ``last_updated`` = ``ctx.now`` when
it has none (digest §1.3).

Down: ``location`` is the kept 2.1.1 Location when it still names the same place, else the
stored Location (``ctx.location_by_id``) trimmed to the EVSE and connector in use (plugs 2.1.1
lacks get the fallback plug, see ``enums``); without them the Session cannot be sent
(MissingContext). ``auth_id`` = ``cdr_token.contract_id``;
``RESERVATION`` → ``PENDING``; ``COMMAND`` → ``AUTH_REQUEST``; ``authorization_reference`` and
2.2+ dimensions dropped with loss entries. 2.1.1 has no append rule for ``charging_periods`` in
a PATCH: sending the full list is the hub's job (digest §4.3).
"""

from __future__ import annotations

from ocpihub.ocpi.fields import format_datetime
from ocpihub.translate.context import MissingContext, TranslationContext
from ocpihub.translate.loss import LossReport
from ocpihub.translate.v2_1_1.cdrs import (
    canonical_id,
    cdr_token_up,
    legacy_place,
    periods_down,
    periods_up,
    place_guard,
    place_up,
    stored_place,
)
from ocpihub.translate.v2_1_1.common import (
    Doc,
    Legacy,
    clean,
    id_up,
    make_down,
    make_up,
    price_down,
    price_up,
)
from ocpihub.translate.v2_1_1.enums import map_down

__all__ = ["DOWN", "UP"]

_RENAMES_UP = {"start_datetime": "start_date_time", "end_datetime": "end_date_time"}
_PLACE = ("location_id", "evse_uid", "connector_id")


def _session_up(data: Doc, ctx: TranslationContext, legacy: Legacy, *, full: bool) -> Doc:
    out = clean(data)
    if full:
        out["country_code"], out["party_id"] = ctx.owner("a 2.1.1 Session (2.3.0 names its owner)")
    if isinstance(out.get("id"), str):
        out["id"] = id_up(out["id"], legacy, "id")
    for old, new in _RENAMES_UP.items():
        if old in out:
            out[new] = out.pop(old)
    if "auth_id" in out:
        out["cdr_token"] = cdr_token_up(out.pop("auth_id"), ctx, legacy)
    if "location" in out:
        location, evse, connector = place_up(out.pop("location"), "Session")
        legacy.keep("location", location)
        out["location_id"] = canonical_id(location["id"])
        out["evse_uid"] = canonical_id(evse["uid"])
        out["connector_id"] = canonical_id(connector["id"])
    if "total_cost" in out:
        out["total_cost"] = price_up(out["total_cost"])
    if isinstance(out.get("charging_periods"), list):
        out["charging_periods"] = periods_up(out["charging_periods"], legacy)
    if not full and out.get("last_updated") is None:
        out["last_updated"] = format_datetime(ctx.now)
        legacy.absent("last_updated")
    return out


def _place_down(doc: Doc, ctx: TranslationContext, report: LossReport) -> Doc | None:
    location_id = doc.get("location_id")
    kept = legacy_place(doc, location_id)
    if kept is not None:
        return kept
    if location_id is None:
        for key in _PLACE:
            if doc.get(key) is not None:
                report.add(key, doc[key], "2.1.1 can only change the whole embedded location")
        return None
    ctx.require("location_by_id", "the Location embedded in a 2.1.1 Session")
    place = stored_place(ctx, location_id, doc.get("evse_uid"), doc.get("connector_id"))
    if place is None:
        raise MissingContext(
            f"cannot translate: a 2.1.1 Session embeds its Location, and the hub lacks the "
            f"stored Location {location_id!r}"
        )
    if not place.get("evses"):
        raise MissingContext(
            f"cannot translate: a 2.1.1 Session embeds its EVSE and connector, and the hub's "
            f"Location {location_id!r} lacks EVSE {doc.get('evse_uid')!r} with connector "
            f"{doc.get('connector_id')!r}"
        )
    return place


def _session_down(doc: Doc, ctx: TranslationContext, report: LossReport) -> Doc:
    out = clean(doc)
    out.pop("country_code", None)  # the owner travels in the 2.1.1 URL
    out.pop("party_id", None)
    for new, old in (("start_date_time", "start_datetime"), ("end_date_time", "end_datetime")):
        if new in out:
            out[old] = out.pop(new)
    if "cdr_token" in out:
        out["auth_id"] = out.pop("cdr_token")["contract_id"]
    reference = out.pop("authorization_reference", None)
    if reference is not None:
        report.add("authorization_reference", reference, "2.1.1 Sessions have none")
    if any(key in out for key in _PLACE):
        place = _place_down(doc, ctx, report)
        for key in _PLACE:
            out.pop(key, None)
        if place is not None:
            out["location"] = place
    if "total_cost" in out:
        out["total_cost"] = price_down(out["total_cost"], report, "total_cost")
    for key, enum in (("status", "SessionStatus"), ("auth_method", "AuthMethod")):
        value = out.get(key)
        if isinstance(value, str):
            mapped = map_down(enum, value) or value
            if mapped != value:
                report.add(key, value, f"2.1.1 has no such {enum}: {mapped}")
                out[key] = mapped
    if isinstance(out.get("charging_periods"), list):
        out["charging_periods"] = periods_down(out["charging_periods"], report)
    return out


def _full_up(data: Doc, ctx: TranslationContext, legacy: Legacy) -> Doc:
    """2.1.1 Session → canonical Session."""
    return _session_up(data, ctx, legacy, full=True)


def _patch_up(data: Doc, ctx: TranslationContext, legacy: Legacy) -> Doc:
    """2.1.1 Session PATCH → canonical SessionPatch (``last_updated`` filled)."""
    return _session_up(data, ctx, legacy, full=False)


def _full_down(doc: Doc, ctx: TranslationContext, report: LossReport) -> Doc:
    """Canonical Session → 2.1.1 Session."""
    return _session_down(doc, ctx, report)


def _patch_down(doc: Doc, ctx: TranslationContext, report: LossReport) -> Doc:
    """Canonical SessionPatch → 2.1.1 Session PATCH."""
    return _session_down(doc, ctx, report)


UP = {"Session": make_up(_full_up), "SessionPatch": make_up(_patch_up)}
_GUARD = place_guard(lambda doc: doc.get("location_id"))

DOWN = {
    "Session": make_down(_full_down, _GUARD),
    "SessionPatch": make_down(_patch_down, _GUARD),
}
