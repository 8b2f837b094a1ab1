"""Locations on the 2.2.1 bridge: Location, EVSE, Connector and their PATCH twins.

Up, a 2.2.1 location is already a valid 2.3.0 one (every 2.2.1 value exists in 2.3.0), so it
passes unchanged. Down (digest §4.3 Locations): the 2.3.0 additions ``parking_places``,
``help_phone``, ``EVSE.parking``, ``EVSE.accepted_service_providers`` and
``Connector.capabilities`` are dropped; enum values 2.2.1 lacks follow :mod:`.enums`.
A connector whose plug 2.2.1 cannot name is dropped from its EVSE rather than shown with a
wrong plug, and an EVSE left without connectors is dropped from its Location. A body that is
itself a Connector or EVSE cannot vanish: there the plug falls back by power type, and a PATCH
simply leaves the field out.
"""

from __future__ import annotations

from typing import Literal

from ocpihub.translate import Down, Up

from .common import (
    Doc,
    DownState,
    at,
    business_details_down,
    down_with,
    energy_mix_down,
    identity_up,
    image_down,
    item,
    patch_up,
)
from .enums import connector_type_down, keep_known, known, token_type_down

__all__ = ["DOWN", "UP"]

Mode = Literal["list", "body", "patch"]
"""Where an object sits: in a list (may be dropped), a whole body, or a PATCH body."""

_NEW_IN_2_3_0 = "field added in 2.3.0; 2.2.1 cannot express it"


def _drop(obj: Doc, key: str, path: str, state: DownState) -> None:
    if key in obj:
        state.lose(at(path, key), obj.pop(key), _NEW_IN_2_3_0)


def _images(obj: Doc, path: str, state: DownState) -> None:
    if isinstance(obj.get("images"), list):
        obj["images"] = [
            image_down(image, item(at(path, "images"), i), state)
            for i, image in enumerate(obj["images"])
        ]


def connector_down(connector: Doc, path: str, state: DownState, mode: Mode) -> Doc | None:
    """A Connector for 2.2.1, or None when its plug cannot be named and it may be dropped."""
    _drop(connector, "capabilities", path, state)
    standard = connector.get("standard")
    if standard is None:
        return connector
    mapped = connector_type_down(
        standard,
        at(path, "standard"),
        state,
        power_type=connector.get("power_type"),
        must_keep=mode == "body",
    )
    if mapped is not None:
        connector["standard"] = mapped
    elif mode == "patch":
        state.lose(at(path, "standard"), connector.pop("standard"), _no_plug(standard))
    else:
        state.lose(path, connector, _no_plug(standard) + "; connector dropped")
        return None
    return connector


def _no_plug(standard: str) -> str:
    return f"ConnectorType {standard!r} does not exist in 2.2.1 and has no safe equivalent"


def evse_down(evse: Doc, path: str, state: DownState, mode: Mode) -> Doc | None:
    """An EVSE for 2.2.1, or None when it is in a list and none of its connectors is left."""
    for key in ("parking", "accepted_service_providers"):
        _drop(evse, key, path, state)
    for key, enum_name in (
        ("capabilities", "Capability"),
        ("parking_restrictions", "ParkingRestriction"),
    ):
        if key in evse:
            evse[key] = keep_known(evse[key], enum_name, at(path, key), state)
    _images(evse, path, state)
    connectors = evse.get("connectors")
    if not isinstance(connectors, list):
        return evse
    kept = _connectors(connectors, path, state)
    if kept:
        evse["connectors"] = kept
        return evse
    if mode == "list":
        state.lose(path, evse, "no connector left that 2.2.1 can express; EVSE dropped")
        return None
    if mode == "patch":
        state.lose(
            at(path, "connectors"),
            evse.pop("connectors"),
            "no connector left that 2.2.1 can express; field left out of the PATCH",
        )
        return evse
    # a whole EVSE body must keep at least one connector: fall back on the plug instead
    fallback = (
        connector_down(c, item(at(path, "connectors"), i), state, "body")
        for i, c in enumerate(connectors)
    )
    evse["connectors"] = [c for c in fallback if c is not None]
    return evse


def _connectors(connectors: list[Doc], path: str, state: DownState) -> list[Doc]:
    probe = DownState(state.ctx, state.legacy)
    kept = []
    for i, connector in enumerate(connectors):
        done = connector_down(dict(connector), item(at(path, "connectors"), i), probe, "list")
        if done is not None:
            kept.append(done)
    if kept:
        state.report.extend(probe.report)
    return kept


def location_down(location: Doc, path: str, state: DownState) -> Doc:
    """A Location (or Location PATCH) for 2.2.1."""
    for key in ("parking_places", "help_phone"):
        _drop(location, key, path, state)
    allowed = location.get("publish_allowed_to")
    if isinstance(allowed, list):
        for i, who in enumerate(allowed):
            if isinstance(who.get("type"), str):
                who["type"] = token_type_down(
                    who["type"], at(item(at(path, "publish_allowed_to"), i), "type"), state
                )
    parking_type = location.get("parking_type")
    if parking_type is not None and not known("ParkingType", parking_type):
        state.lose(
            at(path, "parking_type"),
            location.pop("parking_type"),
            f"ParkingType {parking_type!r} does not exist in 2.2.1",
        )
    if "facilities" in location:
        location["facilities"] = keep_known(
            location["facilities"], "Facility", at(path, "facilities"), state
        )
    for key in ("operator", "suboperator", "owner"):
        if key in location:
            location[key] = business_details_down(location[key], at(path, key), state)
    _images(location, path, state)
    if "energy_mix" in location:
        location["energy_mix"] = energy_mix_down(
            location["energy_mix"], at(path, "energy_mix"), state
        )
    evses = location.get("evses")
    if isinstance(evses, list):
        done = (
            evse_down(e, item(at(path, "evses"), i), state, "list") for i, e in enumerate(evses)
        )
        location["evses"] = [e for e in done if e is not None]
    return location


def _location(body: Doc, state: DownState) -> Doc:
    return location_down(body, "", state)


def _evse(body: Doc, state: DownState) -> Doc:
    done = evse_down(body, "", state, "body")
    assert done is not None  # a body is never dropped
    return done


def _evse_patch(body: Doc, state: DownState) -> Doc:
    done = evse_down(body, "", state, "patch")
    assert done is not None
    return done


def _connector(body: Doc, state: DownState) -> Doc:
    done = connector_down(body, "", state, "body")
    assert done is not None
    return done


def _connector_patch(body: Doc, state: DownState) -> Doc:
    done = connector_down(body, "", state, "patch")
    assert done is not None
    return done


UP: dict[str, Up] = {
    "Location": identity_up,
    "LocationPatch": patch_up,
    "EVSE": identity_up,
    "EVSEPatch": patch_up,
    "Connector": identity_up,
    "ConnectorPatch": patch_up,
}
DOWN: dict[str, Down] = {
    "Location": down_with(_location),
    "LocationPatch": down_with(_location),
    "EVSE": down_with(_evse),
    "EVSEPatch": down_with(_evse_patch),
    "Connector": down_with(_connector),
    "ConnectorPatch": down_with(_connector_patch),
}
