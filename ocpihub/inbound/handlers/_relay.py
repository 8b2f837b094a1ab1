"""The one synchronous relay: a request the hub cannot answer itself goes to the one party it
is for, and that party's answer comes back (DESIGN rules 4 and 5, digest §1.6, §1.9, §1.10).

Every forwarded request — commands, charging profiles, a GET one the hub does not hold,
booking requests, Payments requests addressed to a PTP — takes these steps:

- :func:`route_to` turns an agreed target into a :class:`Route` (the receiving party, its
  platform, its endpoint);
- :func:`forward` makes the hop: the receiver's token, a new X-Request-ID, the caller's
  X-Correlation-ID, the real parties in OCPI-from/-to, the bounded request timeout (the
  receiver's own, and its concurrency limit, when its profile sets them); it reads the
  receiver's OCPI envelope into a :class:`Relayed` (no envelope: 4000);
- a 2xxx/3xxx answer goes back unchanged (:func:`relay_failure`); a success goes back with its
  object, checked by :func:`single_object` — a 1xxx with ``data`` missing, null or anything but
  one object is not a success the hub can relay: the caller gets 4000 saying so (issue 15.4),
  unless the receiver's profile accepts a one-element list for it (issue 19.1);
- :func:`respond` writes the answer in the caller's version, with OCPI-from the receiver and
  OCPI-to the requester (2.1.1 has neither, and no 4xxx: :func:`legacy_status`).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace
from typing import Any

from fastapi import Request
from starlette.responses import Response

from ocpihub.errors import HubError, InvalidParameters, NotFound, ReceiverNotConnected
from ocpihub.hub.tokens import legacy_status
from ocpihub.inbound.auth import Caller
from ocpihub.inbound.handlers._objects import correlation_id
from ocpihub.inbound.responses import ocpi_response
from ocpihub.model.parties import Platform
from ocpihub.ocpi.headers import parse_routing_headers, party_headers
from ocpihub.ocpi.tolerant import envelope_status, unwrap_single
from ocpihub.outbound.auth import PartnerAuth
from ocpihub.outbound.headers import request_headers
from ocpihub.outbound.limits import CallLimits
from ocpihub.runtime import Runtime
from ocpihub.store.directory import Directory
from ocpihub.store.routing import Target
from ocpihub.tolerations import LIST_WRAPPED, Tolerations

__all__ = [
    "Relayed",
    "Route",
    "forward",
    "invalid_object",
    "relay_failure",
    "relay_list",
    "relay_object",
    "requester_of",
    "respond",
    "route_to",
    "single_object",
    "single_value",
]

Party = tuple[str, str]


async def requester_of(
    directory: Directory, request: Request, caller: Caller, roles: Collection[str] | None = None
) -> Party:
    """The caller's party making the request: OCPI-from when given, else its only one of
    ``roles`` (any role when None; guessing between several is refused, DESIGN rule 4)."""
    hosted = await directory.parties(caller.platform.id)
    mine = sorted(
        {(p.country_code, p.party_id) for p in hosted if roles is None or p.role in roles}
    )
    named = parse_routing_headers(request.headers).from_party
    what = "party" if roles is None else "/".join(roles)
    if named is not None:
        party = (named.country_code, named.party_id)
        if party not in mine:
            raise NotFound(
                f"party {party[0]}-{party[1]} (OCPI-from) is not a {what} hosted by your platform"
            )
        return party
    if len(mine) != 1:
        raise InvalidParameters(
            f"your platform hosts {len(mine)} parties that may send this request: name yours "
            "with the OCPI-from-country-code and OCPI-from-party-id headers"
        )
    return mine[0]


@dataclass(frozen=True, slots=True)
class Route:
    """Where a request goes: the receiving party, its platform and endpoint URL."""

    requester: Party
    receiver: Party
    platform: Platform
    url: str
    module: str

    @property
    def version(self) -> str:
        """The receiver's OCPI version."""
        return self.platform.version or "2.1.1"


async def route_to(directory: Directory, requester: Party, target: Target, module: str) -> Route:
    """The Route to an agreed ``target``, with its endpoint for ``module``."""
    platform, endpoints = await directory.platform_with_endpoints(target.platform_id)
    url = target.endpoint_url
    if url is None and platform is not None and platform.version == "2.1.1":
        # 2.1.1 endpoints carry no role of their own
        url = next((e.url for e in endpoints if e.identifier == module), None)
    if platform is None or platform.outbound_token is None or url is None:
        raise ReceiverNotConnected(
            f"{target.country_code}-{target.party_id} publishes no {module} endpoint the hub "
            "can call"
        )
    return Route(requester, target.party, platform, url, module)


@dataclass(frozen=True, slots=True)
class Relayed:
    """The receiver's answer to one forwarded request: its OCPI envelope, read."""

    route: Route
    http_status: int
    status: int
    message: str | None
    data: Any
    has_data: bool
    headers: Mapping[str, str]
    tolerations: Tolerations | None = None

    @property
    def success(self) -> bool:
        """A 1xxx answer (1000 or a custom success)."""
        return 1000 <= self.status <= 1999

    @property
    def receiver(self) -> str:
        """The receiving party as people write it (``NL-CPO``)."""
        return "-".join(self.route.receiver)


async def forward(
    runtime: Runtime,
    request: Request,
    route: Route,
    method: str,
    url: str,
    *,
    json: Any = None,
    params: dict[str, str] | None = None,
    module: str,
    timeout: float | None = None,  # noqa: ASYNC109 - the hop's own HTTP timeout
) -> Relayed:
    """One synchronous hop to the receiver and its envelope (4000 when it answered none);
    ``timeout`` replaces the receiver's (e.g. an agreement's authorization timeout)."""
    headers = request_headers(
        version=route.version,
        module=module,
        correlation_id=correlation_id(request),
        sender=route.requester,
        receiver=route.receiver,
    )
    limits = CallLimits.of(route.platform)
    if timeout is not None:
        limits = replace(limits, timeout=timeout)
    answer = await runtime.client.request(
        method,
        url,
        auth=PartnerAuth.of(route.platform),
        json=json,
        headers=headers,
        params=params,
        timeout=runtime.settings.request_timeout,
        extra={
            "module": module,
            "platform_id": route.platform.id,
            "from_party": "".join(route.requester),
            "to_party": "".join(route.receiver),
        },
        limits=limits,
    )
    parsed = answer.json()
    status, tolerated = envelope_status(parsed, route.platform.profile.tolerate)
    if status is None or not isinstance(parsed, dict):
        raise HubError(
            f"{route.receiver[0]}-{route.receiver[1]} answered HTTP {answer.status} without an "
            "OCPI envelope" + _status_shown(parsed)
        )
    if tolerated:
        runtime.tolerations.used(
            route.platform, "status_code_as_string", f"{method} {module}", "status_code"
        )
    message = parsed.get("status_message")
    return Relayed(
        route=route,
        http_status=answer.status,
        status=status,
        message=message if isinstance(message, str) else None,
        data=parsed.get("data"),
        has_data="data" in parsed,
        headers=answer.headers,
        tolerations=runtime.tolerations,
    )


def _status_shown(parsed: Any) -> str:
    if isinstance(parsed, dict) and "status_code" in parsed:
        return f" (status_code {parsed['status_code']!r} is not an integer)"
    return ""


def _shape(answer: Relayed) -> str:
    if not answer.has_data:
        return "no data"
    if answer.data is None:
        return "data null"
    if isinstance(answer.data, list):
        return f"a list of {len(answer.data)} as data"
    return f"a {type(answer.data).__name__} as data"


def single_object(answer: Relayed, name: str) -> dict[str, Any]:
    """The one ``name`` object of a success; anything else is 4000 naming what came instead.

    From a receiver whose profile accepts list-wrapped objects, a one-element list holding the
    object is that object (counted, logged once per object kind).
    """
    if isinstance(answer.data, dict):
        return answer.data
    platform = answer.route.platform
    unwrapped = unwrap_single(answer.data) if platform.profile.accept_list_wrapped else None
    if isinstance(unwrapped, dict):
        if answer.tolerations is not None:
            answer.tolerations.used(platform, LIST_WRAPPED, name, "data")
        return unwrapped
    raise HubError(
        f"{answer.receiver} answered status_code {answer.status} with {_shape(answer)} instead "
        f"of one {name} object: the hub relays no success without its object"
    )


def single_value(answer: Relayed, name: str) -> str:
    """The one ``name`` value (an enum string) of a success; anything else is 4000."""
    if isinstance(answer.data, str):
        return answer.data
    raise HubError(
        f"{answer.receiver} answered status_code {answer.status} with {_shape(answer)} instead "
        f"of one {name} value: the hub relays no success without its data"
    )


def invalid_object(answer: Relayed, name: str, problem: str) -> HubError:
    """The 4000 for a success whose object does not validate in the receiver's version."""
    return HubError(f"{answer.receiver} answered an invalid {name}: {problem}")


def respond(
    version: str,
    data: Any,
    status: int,
    message: str | None,
    http_status: int,
    route: Route,
    *,
    headers: dict[str, str] | None = None,
) -> Response:
    """The answer to the requester, in its version, from the receiver (digest §1.9)."""
    out = party_headers(version, route.module, route.receiver, route.requester)
    out.update(headers or {})
    return ocpi_response(
        data,
        status_code=legacy_status(status) if version == "2.1.1" else status,
        status_message=message,
        http_status=http_status,
        headers=out,
        include_data=data is not None,
    )


def relay_failure(version: str, answer: Relayed) -> Response:
    """A receiver's 2xxx/3xxx, passed back unchanged (digest §1.6)."""
    return respond(version, None, answer.status, answer.message, answer.http_status, answer.route)


def relay_object(version: str, answer: Relayed, data: Any) -> Response:
    """A receiver's success with its object (``data``: already in the caller's version)."""
    return respond(version, data, answer.status, answer.message, 200, answer.route)


def relay_list(version: str, answer: Relayed, data: list[Any], headers: dict[str, str]) -> Response:
    """A receiver's success with a list (``headers``: the hub's own paging headers)."""
    return respond(version, data, answer.status, answer.message, 200, answer.route, headers=headers)
