"""OCPI-from/-to on every answer the hub gives to a functional request (digest §1.9).

Relayed answers get the receiver's parties where they are relayed (``handlers/_relay.py``).
Every other answer — a broadcast push acknowledged, a GET all or GET one served from the store,
an error — is completed here, at the edge, so that no handler can forget it. The values follow
the hub tables of the spec (transport and format, "Hub" routing scenarios):

- TO is the requesting party: the request's OCPI-from, else the caller's only party, else (a
  platform hosting several) the owner named in a Receiver URL it hosts;
- FROM is the party the request's OCPI-to names when that is not the hub (the addressed
  scenario: the hub answers on that party's behalf, e.g. a GET one from its store), else the
  hub itself (broadcast push, GET all via the hub, open routing the hub answered itself).

Configuration modules (versions, credentials, hubclientinfo) carry no routing headers, nor does
OCPI 2.1.1; nor does an answer whose requester the hub cannot tell (no valid token).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ocpihub.errors import InvalidParameters
from ocpihub.model.parties import Party
from ocpihub.ocpi.headers import (
    FROM_CC,
    TO_CC,
    carries_party_headers,
    parse_routing_headers,
    party_headers,
)
from ocpihub.ocpi.modules import SUPPORTED_VERSIONS

__all__ = ["RoutingHeadersMiddleware", "answer_parties"]

PartyCode = tuple[str, str]
PartiesOf = Callable[[int], Awaitable[Sequence[Party]]]


def _routed(path: str) -> list[str] | None:
    """The path's segments when it is a functional module of a version with routing headers."""
    parts = path.split("/")
    if len(parts) < 4 or parts[1] != "ocpi" or parts[2] not in SUPPORTED_VERSIONS:
        return None
    return parts if carries_party_headers(parts[2], parts[3]) else None


def answer_parties(
    request_from: PartyCode | None,
    request_to: PartyCode | None,
    hosted: Sequence[PartyCode],
    url_owner: PartyCode | None,
    hub: PartyCode,
) -> tuple[PartyCode, PartyCode] | None:
    """(FROM, TO) of the hub's own answer, or None when the requester cannot be told."""
    requester = request_from
    if requester is None:
        mine = sorted(set(hosted))
        if len(mine) == 1:
            requester = mine[0]
        elif url_owner is not None and url_owner in mine:
            requester = url_owner
    if requester is None:
        return None
    answering = request_to if request_to is not None and request_to != hub else hub
    return answering, requester


class RoutingHeadersMiddleware:
    """Adds OCPI-from/-to to answers of functional requests that do not carry them yet."""

    def __init__(self, app: ASGIApp, *, hub: PartyCode, parties_of: PartiesOf) -> None:
        self.app = app
        self.hub = hub
        self.parties_of = parties_of

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        parts = _routed(scope["path"]) if scope["type"] == "http" else None
        if parts is None:
            await self.app(scope, receive, send)
            return

        async def send_with_parties(message: Message) -> None:
            if message["type"] == "http.response.start":
                out = MutableHeaders(scope=message)
                if FROM_CC not in out and TO_CC not in out:
                    found = await self._parties(scope, parts)
                    if found is not None:
                        for name, value in party_headers(parts[2], parts[3], *found).items():
                            out[name] = value
            await send(message)

        await self.app(scope, receive, send_with_parties)

    async def _parties(self, scope: Scope, parts: list[str]) -> tuple[PartyCode, PartyCode] | None:
        platform_id = scope.get("state", {}).get("platform_id")
        if not isinstance(platform_id, int):
            return None  # not authenticated: nobody to address the answer to
        try:
            named = parse_routing_headers(Headers(scope=scope))
        except InvalidParameters:
            named = None
        request_from = request_to = None
        if named is not None:
            if named.from_party is not None:
                request_from = (named.from_party.country_code, named.from_party.party_id)
            if named.to_party is not None:
                request_to = (named.to_party.country_code, named.to_party.party_id)
        hosted: list[PartyCode] = []
        if request_from is None:
            hosted = [(p.country_code, p.party_id) for p in await self.parties_of(platform_id)]
        url_owner = None
        if len(parts) >= 7 and parts[4] == "receiver":
            url_owner = (parts[5].upper(), parts[6].upper())
        return answer_parties(request_from, request_to, hosted, url_owner, self.hub)
