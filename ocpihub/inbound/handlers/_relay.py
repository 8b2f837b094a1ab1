"""Relayed answers, written: the requester gets the :class:`~ocpihub.hub.relay.Reply` its
module's hub service decided, in its version, with OCPI-from the receiver and OCPI-to the
requester (2.1.1 has neither, and no 4xxx: :func:`~ocpihub.hub.tokens.legacy_status`).

The hop itself — routing, forwarding, the answer check, translating back — is the one relay in
``hub/relay.py``; handlers never call a partner.
"""

from __future__ import annotations

from fastapi import Request
from starlette.responses import Response

from ocpihub.hub.relay import Reply
from ocpihub.hub.tokens import legacy_status
from ocpihub.inbound.responses import ocpi_response
from ocpihub.ocpi.headers import party_headers
from ocpihub.ocpi.version import ocpi_version

__all__ = ["answer"]


def answer(request: Request, version: str, reply: Reply) -> Response:
    """The answer to the requester (digest §1.9); a hub decision goes to its traffic entry."""
    if reply.decision is not None:
        request.scope.setdefault("state", {})["hub_decision"] = reply.decision
    route = reply.route
    headers = party_headers(version, route.module, route.receiver, route.requester)
    headers.update(reply.headers or {})
    legacy = not ocpi_version(version).has_hub_status_codes  # 2.1.1: no 2004, no 4xxx
    return ocpi_response(
        reply.data,
        status_code=legacy_status(reply.status) if legacy else reply.status,
        status_message=reply.message,
        http_status=reply.http_status,
        headers=headers,
        include_data=reply.data is not None,
    )
