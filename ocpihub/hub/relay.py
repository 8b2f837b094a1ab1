"""The one synchronous relay: a request the hub cannot answer itself goes to the one party it
is for, and that party's answer comes back (DESIGN rules 4 and 5, digest §1.6, §1.9, §1.10).

Every forwarded request — commands, charging profiles, charging preferences, a GET one the hub
does not hold, real-time authorization, booking requests, Payments requests addressed to a
PTP — takes these steps, all here:

- :meth:`Relay.route_to` turns an agreed target into a :class:`Route` (the receiving party,
  its platform, its endpoint);
- :meth:`Relay.forward` makes the hop: the receiver's token, a new X-Request-ID, the caller's
  X-Correlation-ID, the real parties in OCPI-from/-to, the bounded request timeout (the
  receiver's own, and its concurrency limit, when its profile sets them); it reads the
  receiver's OCPI envelope into a :class:`Relayed` (no envelope: 4000);
- the answer check: a success must carry what the request needs — :meth:`Relay.checked` (one
  object, validated in the receiver's version with its profile's tolerances), :func:`single_value`
  (one enum value); a 1xxx with ``data`` missing, null or anything else is not a success the
  hub can relay: the caller gets 4000 saying so (issue 15.4), unless the receiver's profile
  accepts a one-element list for it (issue 19.1);
- :func:`translated` says the object in the requester's version;
- the :class:`Reply` says what the requester is answered: a 2xxx/3xxx unchanged
  (:meth:`Reply.failure`), a success with its data (:meth:`Reply.success`), from the receiver
  (OCPI-from) to the requester (OCPI-to); ``inbound/handlers/_relay.py`` writes it.

No handler calls a partner itself: it calls the hub service of its module, which uses this.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace
from typing import Any

from ocpihub.errors import HubError, InvalidParameters, NotFound, ReceiverNotConnected
from ocpihub.hub.enums import EnumRegistry
from ocpihub.hub.wire import parse_wire
from ocpihub.model.parties import Platform, Target
from ocpihub.ocpi.tolerant import envelope_status, unwrap_single
from ocpihub.ocpi.version import OLDEST, ocpi_version
from ocpihub.outbound.auth import PartnerAuth
from ocpihub.outbound.client import PartnerClient
from ocpihub.outbound.headers import request_headers
from ocpihub.outbound.limits import CallLimits
from ocpihub.store.directory import Directory
from ocpihub.tolerations import LIST_WRAPPED, Tolerations
from ocpihub.translate import TranslationContext, from_canonical, to_canonical

__all__ = [
    "Party",
    "Relay",
    "Relayed",
    "Reply",
    "Route",
    "invalid_object",
    "single_object",
    "single_value",
    "translated",
]

Party = tuple[str, str]
Doc = dict[str, Any]


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
        return self.platform.version or OLDEST.number


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


@dataclass(frozen=True, slots=True)
class Reply:
    """What the requester is answered, in its version, from the receiver (digest §1.9).

    ``data`` is already in the requester's version (None: no data); ``headers`` are the hub's
    own (paging); ``decision`` is a hub decision, written to the traffic log entry of the request.
    """

    route: Route
    status: int
    message: str | None
    http_status: int
    data: Any = None
    headers: Mapping[str, str] | None = None
    decision: str | None = None

    @classmethod
    def failure(cls, answer: Relayed) -> Reply:
        """A receiver's 2xxx/3xxx, passed back unchanged (digest §1.6)."""
        return cls(answer.route, answer.status, answer.message, answer.http_status)

    @classmethod
    def success(cls, answer: Relayed, data: Any, headers: Mapping[str, str] | None = None) -> Reply:
        """A receiver's success with ``data`` (in the requester's version, None: none)."""
        return cls(answer.route, answer.status, answer.message, 200, data, headers)


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


def single_object(answer: Relayed, name: str) -> Doc:
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


def translated(
    doc: Doc, name: str, source: str, target: str, ctx: TranslationContext | None = None
) -> Doc:
    """A validated wire object of ``source``'s version in ``target``'s (same version: as is);
    ``ctx`` serves the translation up to canonical."""
    if source == target:
        return doc
    out, _ = from_canonical(target, name, to_canonical(source, name, doc, ctx))
    return out


@dataclass(frozen=True, slots=True)
class Relay:
    """The hub's side of a synchronous hop: the partner client, the directory, the hop's
    bounds and the readers of the partners' wire objects. Built once, with the running hub's
    ``Runtime`` (``runtime.py``)."""

    client: PartnerClient
    directory: Directory
    request_timeout: float
    tolerations: Tolerations
    enums: EnumRegistry

    def parse(self, version: str, name: str, body: Any, partner: Platform | None = None) -> Doc:
        """A wire object validated in ``version`` (``hub/wire.py``)."""
        return parse_wire(self.enums, self.tolerations, version, name, body, partner)

    async def requester(
        self, platform_id: int, named: Party | None, roles: Collection[str] | None = None
    ) -> Party:
        """The calling platform's party making the request: ``named`` (its OCPI-from) when
        given, else its only one of ``roles`` (any role when None; guessing between several is
        refused, DESIGN rule 4)."""
        hosted = await self.directory.parties(platform_id)
        mine = sorted(
            {(p.country_code, p.party_id) for p in hosted if roles is None or p.role in roles}
        )
        what = "party" if roles is None else "/".join(roles)
        if named is not None:
            if named not in mine:
                raise NotFound(
                    f"party {named[0]}-{named[1]} (OCPI-from) is not a {what} hosted by your "
                    "platform"
                )
            return named
        if len(mine) != 1:
            raise InvalidParameters(
                f"your platform hosts {len(mine)} parties that may send this request: name "
                "yours with the OCPI-from-country-code and OCPI-from-party-id headers"
            )
        return mine[0]

    async def route_to(self, requester: Party, target: Target, module: str) -> Route:
        """The Route to an agreed ``target``, with its endpoint for ``module``."""
        platform, endpoints = await self.directory.platform_with_endpoints(target.platform_id)
        url = target.endpoint_url
        if (
            url is None
            and platform is not None
            and platform.version is not None
            and not ocpi_version(platform.version).has_roles
        ):
            # 2.1.1 endpoints carry no role of their own
            url = next((e.url for e in endpoints if e.identifier == module), None)
        if platform is None or platform.outbound_token is None or url is None:
            raise ReceiverNotConnected(
                f"{target.country_code}-{target.party_id} publishes no {module} endpoint the "
                "hub can call"
            )
        return Route(requester, target.party, platform, url, module)

    async def forward(
        self,
        route: Route,
        method: str,
        url: str,
        *,
        correlation_id: str,
        json: Any = None,
        params: dict[str, str] | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 - the hop's own HTTP timeout
    ) -> Relayed:
        """One synchronous hop to the receiver and its envelope (4000 when it answered none);
        ``timeout`` replaces the receiver's (e.g. an agreement's authorization timeout)."""
        headers = request_headers(
            version=route.version,
            module=route.module,
            correlation_id=correlation_id,
            sender=route.requester,
            receiver=route.receiver,
        )
        limits = CallLimits.of(route.platform)
        if timeout is not None:
            limits = replace(limits, timeout=timeout)
        answer = await self.client.request(
            method,
            url,
            auth=PartnerAuth.of(route.platform),
            json=json,
            headers=headers,
            params=params,
            timeout=self.request_timeout,
            extra={
                "module": route.module,
                "platform_id": route.platform.id,
                "from_party": "".join(route.requester),
                "to_party": "".join(route.receiver),
            },
            limits=limits,
        )
        return self._read(route, method, answer.status, answer.headers, answer.json())

    def _read(
        self, route: Route, method: str, http_status: int, headers: Mapping[str, str], parsed: Any
    ) -> Relayed:
        status, tolerated = envelope_status(parsed, route.platform.profile.tolerate)
        if status is None or not isinstance(parsed, dict):
            raise HubError(
                f"{route.receiver[0]}-{route.receiver[1]} answered HTTP {http_status} without "
                "an OCPI envelope" + _status_shown(parsed)
            )
        if tolerated:
            self.tolerations.used(
                route.platform, "status_code_as_string", f"{method} {route.module}", "status_code"
            )
        message = parsed.get("status_message")
        return Relayed(
            route=route,
            http_status=http_status,
            status=status,
            message=message if isinstance(message, str) else None,
            data=parsed.get("data"),
            has_data="data" in parsed,
            headers=headers,
            tolerations=self.tolerations,
        )

    def validated(self, answer: Relayed, name: str, data: Any, *, strict: bool = False) -> Doc:
        """``data`` of a success validated as one ``name`` in the receiver's version, with the
        deviations its profile tolerates repaired (``strict``: none); 4000 naming the problem."""
        partner = None if strict else answer.route.platform
        try:
            return self.parse(answer.route.version, name, data, partner)
        except InvalidParameters as exc:
            raise invalid_object(answer, name, exc.message) from None

    def checked(self, answer: Relayed, name: str, *, strict: bool = False) -> Doc:
        """The one ``name`` object of a success (:func:`single_object`), validated."""
        return self.validated(answer, name, single_object(answer, name), strict=strict)
