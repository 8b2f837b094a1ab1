"""Applying Location pushes to the stored tree (pure): PUT and PATCH at three levels.

The hub stores each Location as one canonical document with its EVSEs and Connectors. A push
at EVSE or Connector level is merged into that tree; the parents' ``last_updated`` follow the
child's (digest §1.3: the receiver of a child update bumps the parents). PATCH replaces the
fields it names, nested lists included (an OCPI PATCH never merges inside a list).
"""

from __future__ import annotations

from typing import Any

from ocpihub.errors import InvalidParameters, UnknownLocation
from ocpihub.ocpi.fields import is_later
from ocpihub.ocpi.jsoncopy import json_copy

__all__ = ["apply_push", "find_part"]

Doc = dict[str, Any]


def _same(a: object, b: object) -> bool:
    return isinstance(a, str) and isinstance(b, str) and a.upper() == b.upper()


def _index(items: list[Doc], key: str, value: str) -> int | None:
    for i, item in enumerate(items):
        if _same(item.get(key), value):
            return i
    return None


def _bump(doc: Doc, last_updated: object) -> None:
    # instants, not strings: "…00.5Z" is later than "…00Z" although it sorts before it
    if is_later(last_updated, doc.get("last_updated")):
        doc["last_updated"] = last_updated


def find_part(location: Doc, evse_uid: str | None, connector_id: str | None) -> Doc | None:
    """The Location, one of its EVSEs, or one Connector of an EVSE; None when absent."""
    if evse_uid is None:
        return location
    evses = location.get("evses") or []
    i = _index(evses, "uid", evse_uid)
    if i is None:
        return None
    evse: Doc = evses[i]
    if connector_id is None:
        return evse
    connectors = evse.get("connectors") or []
    j = _index(connectors, "id", connector_id)
    return connectors[j] if j is not None else None


def apply_push(
    stored: Doc | None,
    location_id: str,
    evse_uid: str | None,
    connector_id: str | None,
    body: Doc,
    *,
    patch: bool,
) -> tuple[Doc, bool]:
    """The new Location document after a push, and whether the pushed object is new.

    ``body`` is canonical JSON of the pushed level (Location, EVSE or Connector, full for PUT,
    partial for PATCH).
    """
    if evse_uid is None:
        if patch:
            if stored is None:
                raise UnknownLocation(f"location {location_id!r} is unknown: PUT it first")
            merged = json_copy(stored)
            merged.update(json_copy(body))
            return merged, False
        return json_copy(body), stored is None
    if stored is None:
        raise UnknownLocation(f"location {location_id!r} is unknown: PUT it before its EVSEs")
    location = json_copy(stored)
    evses: list[Doc] = location.setdefault("evses", []) or []
    location["evses"] = evses
    i = _index(evses, "uid", evse_uid)
    last_updated = body.get("last_updated")
    if connector_id is None:
        if patch:
            if i is None:
                raise UnknownLocation(f"EVSE {evse_uid!r} of location {location_id!r} is unknown")
            evses[i].update(json_copy(body))
            created = False
        else:
            created = i is None
            if i is None:
                evses.append(json_copy(body))
            else:
                evses[i] = json_copy(body)
        _bump(location, last_updated)
        return location, created
    if i is None:
        raise UnknownLocation(f"EVSE {evse_uid!r} of location {location_id!r} is unknown")
    evse = evses[i]
    connectors: list[Doc] = evse.get("connectors") or []
    evse["connectors"] = connectors
    j = _index(connectors, "id", connector_id)
    if patch:
        if j is None:
            raise InvalidParameters(
                f"connector {connector_id!r} of EVSE {evse_uid!r} is unknown: PUT it first"
            )
        connectors[j].update(json_copy(body))
        created = False
    else:
        created = j is None
        if j is None:
            connectors.append(json_copy(body))
        else:
            connectors[j] = json_copy(body)
    _bump(evse, last_updated)
    _bump(location, last_updated)
    return location, created
