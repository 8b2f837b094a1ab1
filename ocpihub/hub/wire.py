"""Reading a partner's wire object: validated with its version's model, repaired only where
its interoperability profile tolerates a deviation (``ocpi/tolerant.py``, docs/partners.md).

The one place request bodies (``inbound/``) and relayed answers (``hub/relay.py``) are read.
"""

from __future__ import annotations

from typing import Any

from ocpihub.hub.enums import EnumRegistry
from ocpihub.model.parties import Platform
from ocpihub.ocpi.fields import dump, parse
from ocpihub.ocpi.registry import model
from ocpihub.ocpi.tolerant import parse_tolerant
from ocpihub.tolerations import Tolerations

__all__ = ["parse_wire"]


def parse_wire(
    enums: EnumRegistry,
    tolerations: Tolerations,
    version: str,
    name: str,
    body: Any,
    partner: Platform | None = None,
) -> dict[str, Any]:
    """Validate a body with the version's model; the JSON as sent (2001 on any problem).

    ``partner``: the platform the data comes from; the deviations its profile tolerates are
    repaired and counted, anything else is refused as strictly.
    """
    if partner is None or not partner.profile.tolerate:
        return dump(parse(model(version, name), body, enums=enums))
    parsed, repairs = parse_tolerant(
        model(version, name), body, tolerate=partner.profile.tolerate, enums=enums
    )
    tolerations.used_all(partner, name, repairs)
    return dump(parsed)
