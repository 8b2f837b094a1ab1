"""The OCPI headers of every outbound request, built in one place (digest §1.9, §1.10).

- ``X-Request-ID``: new on every request the hub sends (each hop, each attempt, each redirect).
- ``X-Correlation-ID``: the chain's id, copied from the request that started the chain; a new
  one when the hub itself starts it (a handshake, a liveness check, a credentials update).
- ``OCPI-from-*`` / ``OCPI-to-*``: only on functional modules towards 2.2+ partners, never on
  the configuration modules (versions, credentials, hubclientinfo) and never to 2.1.1.

:class:`~ocpihub.outbound.client.PartnerClient` completes every request's headers with
:func:`complete`, so no call path can send a request without ids.
"""

from __future__ import annotations

from collections.abc import Mapping

from ocpihub.ocpi.headers import (
    CORRELATION_ID,
    REQUEST_ID,
    new_id,
    party_headers,
)

__all__ = ["complete", "request_headers"]


def request_headers(
    *,
    version: str | None,
    module: str | None = None,
    correlation_id: str | None = None,
    sender: tuple[str, str] | None = None,
    receiver: tuple[str, str] | None = None,
) -> dict[str, str]:
    """The headers of one request to a partner speaking ``version``.

    Routing headers need ``module`` (a functional one), both parties, and a 2.2+ ``version``.
    """
    headers = {REQUEST_ID: new_id(), CORRELATION_ID: correlation_id or new_id()}
    if sender is not None and receiver is not None:
        headers.update(party_headers(version, module, sender, receiver))
    return headers


def complete(headers: Mapping[str, str] | None, *, new_request: bool = False) -> dict[str, str]:
    """``headers`` with an X-Request-ID and an X-Correlation-ID: those given are kept, missing
    ones are made; ``new_request`` replaces the request id (a redirected request is a new one).
    """
    out = dict(headers or {})
    names = {k.lower(): k for k in out}
    if new_request and REQUEST_ID.lower() in names:
        del out[names.pop(REQUEST_ID.lower())]
    if REQUEST_ID.lower() not in names:
        out[REQUEST_ID] = new_id()
    if CORRELATION_ID.lower() not in names:
        out[CORRELATION_ID] = new_id()
    return out
