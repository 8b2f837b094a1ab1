"""Credentials, 2.1.1 ↔ canonical: one party per connection ↔ a list of roles.

Up (digest §4.3 Credentials): ``business_details``, ``party_id`` and ``country_code`` become
the one entry of ``roles``. 2.1.1 credentials do not say the party's role; the hub knows it
from the platform's declared role (DESIGN "a 2.1.1 platform must have its role declared"), and
the translator reads it from a ``role`` attribute of the context. ``TranslationContext`` has no
such field yet, so until it does this raises MissingContext (see the report to the lead).

Down: the role matching the context's ``country_code``/``party_id`` (else the first) becomes
the 2.1.1 party; every other role and ``hub_party_id`` are reported lost. The role value itself
is implied by the 2.1.1 connection and dropped silently. A token 2.1.1 cannot put in its raw
Authorization header (empty, spaces, non-ASCII) makes the credentials inexpressible.
"""

from __future__ import annotations

import re
from typing import Any

from ocpihub.translate.context import MissingContext, TranslationContext
from ocpihub.translate.loss import LossReport
from ocpihub.translate.v2_1_1.common import (
    Doc,
    Inexpressible,
    Legacy,
    business_details_down,
    business_details_up,
    clean,
    make_down,
    make_up,
)

__all__ = ["DOWN", "UP", "partner_role"]

_HEADER_SAFE = re.compile(r"^[\x21-\x7e]+$")


def partner_role(ctx: TranslationContext, what: str) -> str:
    """The 2.1.1 partner's role (CPO, EMSP...) from the context, or MissingContext."""
    role: Any = getattr(ctx, "role", None)
    if not isinstance(role, str):
        raise MissingContext(
            f"cannot translate: {what} needs the 2.1.1 partner's role, which the hub lacks"
        )
    return role


def _credentials_up(data: Doc, ctx: TranslationContext, legacy: Legacy) -> Doc:
    """2.1.1 Credentials → canonical (one role)."""
    out = clean(data)
    role = {
        "role": partner_role(ctx, "2.1.1 Credentials (2.2+ names each party's role)"),
        "business_details": business_details_up(out.pop("business_details")),
        "party_id": out.pop("party_id"),
        "country_code": out.pop("country_code"),
    }
    out["roles"] = [role]
    return out


def _credentials_down(doc: Doc, ctx: TranslationContext, report: LossReport) -> Doc:
    """Canonical Credentials → 2.1.1 (one party)."""
    out = clean(doc)
    if not _HEADER_SAFE.match(out["token"]):
        raise Inexpressible(
            "cannot translate: a 2.1.1 credentials token must be printable ASCII without spaces"
        )
    roles = out.pop("roles")
    hub_party_id = out.pop("hub_party_id", None)
    if hub_party_id is not None:
        report.add("hub_party_id", hub_party_id, "2.1.1 credentials have no hub_party_id")
    chosen = 0
    for i, role in enumerate(roles):
        if (role["country_code"], role["party_id"]) == (ctx.country_code, ctx.party_id):
            chosen = i
            break
    for i, role in enumerate(roles):
        if i != chosen:
            report.add(f"roles[{i}]", role, "2.1.1 credentials carry one party")
    party = roles[chosen]
    out["business_details"] = business_details_down(
        party["business_details"], report, f"roles[{chosen}].business_details"
    )
    out["party_id"] = party["party_id"]
    out["country_code"] = party["country_code"]
    return out


UP = {"Credentials": make_up(_credentials_up)}
DOWN = {"Credentials": make_down(_credentials_down)}
