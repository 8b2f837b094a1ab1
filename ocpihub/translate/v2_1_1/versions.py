"""Versions: Version and VersionDetails, 2.1.1 ↔ canonical.

Up: a 2.1.1 endpoint has no ``role``; it follows from the partner's role (digest §4.1): a CPO
is SENDER of the modules it owns (cdrs, locations, sessions, tariffs) and RECEIVER of tokens
and commands, an eMSP the reverse, and ``credentials`` is SENDER (digest §4.3 advises it). The
partner's role comes from the context's ``role`` attribute, as for Credentials. A custom module
id (2.1.1 allows them) passes only when the context's enum registry accepts it as a ModuleID
(digest §5); otherwise it is kept as legacy and left out of the canonical document.

Down: a version number 2.1.1 does not know cannot be expressed at all
(:class:`~ocpihub.translate.v2_1_1.common.Inexpressible`). Endpoints of modules 2.1.1 lacks are
dropped with a loss entry, except custom modules the registry accepts; so is an endpoint of a
module listed before with another role (a 2.2+ platform that is both SENDER and RECEIVER): the
first role listed wins. Details that keep
no endpoint are inexpressible too; 2.1.1 details made only of custom modules are refused
(2001) on the way up.
"""

from __future__ import annotations

from ocpihub.errors import InvalidParameters
from ocpihub.ocpi.modules import ModuleId, hub_interface_for_211
from ocpihub.translate.context import TranslationContext
from ocpihub.translate.loss import LossReport
from ocpihub.translate.v2_1_1.common import (
    Doc,
    Inexpressible,
    Legacy,
    clean,
    make_down,
    make_up,
)
from ocpihub.translate.v2_1_1.credentials import partner_role
from ocpihub.translate.v2_1_1.enums import KNOWN

__all__ = ["DOWN", "UP"]

_OPPOSITE = {"SENDER": "RECEIVER", "RECEIVER": "SENDER"}


def _endpoint_role(identifier: str, role: str) -> str:
    try:
        module = ModuleId(identifier)
    except ValueError:
        return "SENDER"
    hub_side = hub_interface_for_211(module, role)
    return "SENDER" if hub_side is None else _OPPOSITE[hub_side.value]


def _registered(ctx: TranslationContext, identifier: str) -> bool:
    """Whether the operator registered ``identifier`` as a custom module (digest §5)."""
    return ctx.enums is not None and bool(ctx.enums.accepts("ModuleID", identifier))


def _version_up(data: Doc, ctx: TranslationContext, legacy: Legacy) -> Doc:
    """2.1.1 Version → canonical (same fields)."""
    return clean(data)


def _details_up(data: Doc, ctx: TranslationContext, legacy: Legacy) -> Doc:
    """2.1.1 VersionDetails → canonical (endpoint roles from the partner's role)."""
    out = clean(data)
    role = partner_role(ctx, "2.1.1 version details (2.2+ endpoints name their role)")
    endpoints = []
    for i, endpoint in enumerate(out["endpoints"]):
        identifier = endpoint["identifier"]
        if identifier not in KNOWN["ModuleID"] and not _registered(ctx, identifier):
            legacy.keep(f"endpoints[+{i}]", endpoint)
            continue
        endpoints.append({**endpoint, "role": _endpoint_role(identifier, role)})
    if not endpoints:
        raise InvalidParameters("endpoints: no module the hub knows (custom modules only)")
    out["endpoints"] = endpoints
    return out


def _version_down(doc: Doc, ctx: TranslationContext, report: LossReport) -> Doc:
    """Canonical Version → 2.1.1 (only versions 2.1.1 knows)."""
    out = clean(doc)
    if out["version"] not in KNOWN["VersionNumber"]:
        raise Inexpressible(f"cannot translate: OCPI 2.1.1 has no version {out['version']!r}")
    return out


def _details_down(doc: Doc, ctx: TranslationContext, report: LossReport) -> Doc:
    """Canonical VersionDetails → 2.1.1 (roles dropped, one endpoint per 2.1.1 module)."""
    out = _version_down(doc, ctx, report)
    endpoints = []
    roles: dict[str, object] = {}
    for i, endpoint in enumerate(out["endpoints"]):
        identifier = endpoint["identifier"]
        role = roles.setdefault(identifier, endpoint.get("role"))
        if identifier not in KNOWN["ModuleID"] and not _registered(ctx, identifier):
            report.add(f"endpoints[{i}]", endpoint, "2.1.1 has no such module")
        elif role != endpoint.get("role"):
            report.add(f"endpoints[{i}]", endpoint, "2.1.1 has one interface per module")
        else:
            endpoints.append({k: v for k, v in endpoint.items() if k != "role"})
    if not endpoints:
        raise Inexpressible("cannot translate: no endpoint of these version details is 2.1.1")
    out["endpoints"] = endpoints
    return out


UP = {"Version": make_up(_version_up), "VersionDetails": make_up(_details_up)}
DOWN = {"Version": make_down(_version_down), "VersionDetails": make_down(_details_down)}
