"""Back-ports: chosen 2.3.0 additions delivered to a 2.2.1 partner whose implementation takes
them (ENAPI's "explicitly back-ported" fields), enabled per platform in its profile.

The catalogue is deliberately short: only fields the 2.2.1 → 2.3.0 tables (digest §4.3) list as
plain additions, with no change of meaning for what 2.2.1 already has, so a 2.2.1 receiver that
ignores unknown fields loses nothing and one that reads them gains them. After the ordinary
down-translation, :func:`apply` puts each enabled field back from the canonical document and
takes its entry out of the loss report; a field not enabled stays in the loss report, as without
a profile. EVSEs and connectors are matched by ``uid`` / ``id`` (the translator may drop some).
"""

from __future__ import annotations

import copy
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from ocpihub.translate.loss import LossReport

__all__ = ["BACKPORTS", "Backport", "apply"]

Doc = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Backport:
    """One field of a newer version that may be sent to an older-version partner."""

    name: str
    level: str  # "Location", "EVSE" or "Connector": the object the field belongs to
    field: str
    since: str  # the version that added it
    to: str  # the older version it may be delivered to
    description: str


BACKPORTS: dict[str, Backport] = {
    b.name: b
    for b in (
        Backport(
            "location.help_phone",
            "Location",
            "help_phone",
            "2.3.0",
            "2.2.1",
            "the Location's help line for drivers",
        ),
        Backport(
            "location.parking_places",
            "Location",
            "parking_places",
            "2.3.0",
            "2.2.1",
            "the Location's parking places (Parking objects)",
        ),
        Backport(
            "evse.accepted_service_providers",
            "EVSE",
            "accepted_service_providers",
            "2.3.0",
            "2.2.1",
            "the eMSPs whose drivers may charge at the EVSE",
        ),
        Backport(
            "connector.capabilities",
            "Connector",
            "capabilities",
            "2.3.0",
            "2.2.1",
            "the Connector's capabilities (ConnectorCapability values)",
        ),
    )
}
"""Every back-port an operator may enable, by name (docs/partners.md lists them)."""

_LEVEL = {
    "Location": "Location",
    "LocationPatch": "Location",
    "EVSE": "EVSE",
    "EVSEPatch": "EVSE",
    "Connector": "Connector",
    "ConnectorPatch": "Connector",
}


def _at(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _same(a: Any, b: Any) -> bool:
    return isinstance(a, str) and isinstance(b, str) and a.upper() == b.upper()


class _Work:
    def __init__(self, fields: dict[str, set[str]], report: LossReport) -> None:
        self.fields = fields
        self.report = report
        self.restored: set[str] = set()

    def copy_fields(self, level: str, source: Doc, target: Doc, path: str) -> None:
        for name in self.fields.get(level, ()):
            if name in source and name not in target:
                target[name] = copy.deepcopy(source[name])
                self.restored.add(_at(path, name))

    def connectors(self, source: Doc, target: Doc, path: str) -> None:
        self.copy_fields("Connector", source, target, path)

    def evse(self, source: Doc, target: Doc, path: str) -> None:
        self.copy_fields("EVSE", source, target, path)
        for i, connector in enumerate(source.get("connectors") or []):
            match = _find(target.get("connectors"), "id", connector)
            if match is not None:
                self.connectors(connector, match, f"{_at(path, 'connectors')}[{i}]")

    def location(self, source: Doc, target: Doc, path: str) -> None:
        self.copy_fields("Location", source, target, path)
        for i, evse in enumerate(source.get("evses") or []):
            match = _find(target.get("evses"), "uid", evse)
            if match is not None:
                self.evse(evse, match, f"{_at(path, 'evses')}[{i}]")


def _find(items: Any, key: str, like: Any) -> Doc | None:
    if not isinstance(items, list) or not isinstance(like, dict):
        return None
    for candidate in items:
        if isinstance(candidate, dict) and _same(candidate.get(key), like.get(key)):
            return candidate
    return None


def apply(
    version: str,
    name: str,
    canonical: Doc,
    wire: Doc,
    report: LossReport,
    enabled: Collection[str],
) -> tuple[Doc, LossReport]:
    """``wire`` (``name`` translated to ``version``) with the ``enabled`` back-ports put back
    from ``canonical``, and the report without the losses they undo."""
    level = _LEVEL.get(name)
    fields: dict[str, set[str]] = {}
    for key in enabled:
        backport = BACKPORTS.get(key)
        if backport is not None and backport.to == version:
            fields.setdefault(backport.level, set()).add(backport.field)
    if level is None or not fields:
        return wire, report
    work = _Work(fields, report)
    getattr(work, {"Location": "location", "EVSE": "evse", "Connector": "connectors"}[level])(
        canonical, wire, ""
    )
    if not work.restored:
        return wire, report
    kept = LossReport([loss for loss in report.losses if loss.path not in work.restored])
    return wire, kept
