"""The real-time authorization policy of an agreement (issue 19.1): how long the hub waits for
the eMSP, and what it answers the CPO when the eMSP does not answer in time.

REFUSE (the default) is the spec's behaviour: the CPO gets the hub's 4002 (the eMSP did not
answer). ALLOW answers the CPO itself, as some roaming hubs do: an AuthorizationInfo with
``allowed`` ALLOWED for the token asked about, in the CPO's version, from the eMSP's party
(OCPI-from), its ``info`` and status message saying that the hub decided. The decision is
logged and written to the traffic log entry of the CPO's request (``hub decision: …``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import structlog
from fastapi import Request
from starlette.responses import Response

from ocpihub.inbound.handlers._relay import Route, respond
from ocpihub.model.agreements import Agreement
from ocpihub.translate import PRIVATE_KEY, TranslationContext, from_canonical

__all__ = ["AuthorizeContext", "hub_allows"]

log = structlog.get_logger("ocpihub.authorize")

Doc = dict[str, Any]


@dataclass(frozen=True, slots=True)
class AuthorizeContext(TranslationContext):
    """A translation context that also names the Token an AuthorizationInfo answers for.

    The 2.1.1 translator reads ``token`` to fill the Token a 2.1.1 answer lacks (2.2+ requires
    it, digest §4.3 Tokens).
    """

    token: Doc | None = None


def hub_allows(
    request: Request,
    version: str,
    hop: Route,
    token: Doc,
    agreement: Agreement,
    why: str,
    ctx: TranslationContext,
) -> Response:
    """The hub's own ALLOWED answer to the CPO (``hop``: CPO → eMSP; ``token``: canonical)."""
    emsp = "-".join(hop.receiver)
    decision = (
        f"hub decision: ALLOWED, {emsp} did not answer in time ({why}); "
        f"agreement {agreement.id} allows on timeout"
    )
    token = {k: v for k, v in token.items() if k != PRIVATE_KEY}
    canonical = {
        "allowed": "ALLOWED",
        "token": token,
        "info": {"language": "en", "text": f"Authorized by the roaming hub: {emsp} did not answer"},
    }
    data, _ = from_canonical(version, "AuthorizationInfo", canonical, ctx)
    state = request.scope.setdefault("state", {})
    state["hub_decision"] = decision
    log.warning(
        "authorize_decided_by_hub",
        agreement=agreement.id,
        cpo="-".join(hop.requester),
        emsp=emsp,
        token_uid=token.get("uid"),
        reason=why,
    )
    return respond(version, data, 1000, decision, 200, hop)
