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
        return _push_location(stored, location_id, body, patch=patch)
    if stored is None:
        raise UnknownLocation(f"location {location_id!r} is unknown: PUT it before its EVSEs")
    location = json_copy(stored)
    evses = _children(location, "evses")
    i = _index(evses, "uid", evse_uid)
    last_updated = body.get("last_updated")
    if connector_id is None:
        if patch and i is None:
            raise UnknownLocation(f"EVSE {evse_uid!r} of location {location_id!r} is unknown")
        created = _put_or_patch(evses, i, body, patch=patch)
        _bump(location, last_updated)
        return location, created
    if i is None:
        raise UnknownLocation(f"EVSE {evse_uid!r} of location {location_id!r} is unknown")
    evse = evses[i]
    connectors = _children(evse, "connectors")
    j = _index(connectors, "id", connector_id)
    if patch and j is None:
        raise InvalidParameters(
            f"connector {connector_id!r} of EVSE {evse_uid!r} is unknown: PUT it first"
        )
    created = _put_or_patch(connectors, j, body, patch=patch)
    _bump(evse, last_updated)
    _bump(location, last_updated)
    return location, created


def _push_location(
    stored: Doc | None, location_id: str, body: Doc, *, patch: bool
) -> tuple[Doc, bool]:
    """A push of the Location itself: a PUT replaces it, a PATCH merges into the stored one."""
    if not patch:
        return json_copy(body), stored is None
    if stored is None:
        raise UnknownLocation(f"location {location_id!r} is unknown: PUT it first")
    merged = json_copy(stored)
    merged.update(json_copy(body))
    return merged, False


def _children(parent: Doc, key: str) -> list[Doc]:
    """The parent's list of EVSEs or Connectors, set to an empty list when it has none."""
    children: list[Doc] = parent.get(key) or []
    parent[key] = children
    return children


def _put_or_patch(children: list[Doc], index: int | None, body: Doc, *, patch: bool) -> bool:
    """Put ``body`` at ``index`` of ``children`` (appended when None), or patch the child
    there (which the caller checked exists); whether the child is new."""
    if patch:
        assert index is not None
        children[index].update(json_copy(body))
        return False
    if index is None:
        children.append(json_copy(body))
        return True
    children[index] = json_copy(body)
    return False
