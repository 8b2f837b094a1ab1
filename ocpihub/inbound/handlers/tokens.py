"""Tokens through the hub: the eMSPs' pushes in, broadcast to CPOs, the CPOs' pulls, and
real-time authorization relayed to the token's eMSP.

- Receiver interface (``/ocpi/{v}/tokens/receiver/{cc}/{pid}/{uid}[?type=]``): an eMSP PUTs
  and PATCHes its Tokens and may GET back what the hub holds. ``type`` defaults to ``RFID``;
  2.1.1 URLs have none (the body's ``type`` counts, digest §4.3 Tokens). Each accepted push is
  stored (``kind`` = token type) and queued to every agreed CPO whose version can hold it
  (``hub/tokens.py``).
- Sender interface (``/ocpi/{v}/tokens/sender``): GET all for CPOs, in their version; and
  ``POST /{uid}/authorize[?type=]``: forwarded synchronously to the eMSP named by the OCPI-to
  headers, else to the one owning the stored token (the token cache), and its answer relayed in
  the CPO's version.

Authorize outcomes the hub produces itself (documented in docs/modules/tariffs-tokens.md):
unknown token → HTTP 404 + 2004; OCPI-to names a party without an agreement → 4001; eMSP
unreachable → 4003, too slow → 4002; an eMSP answer that is no OCPI envelope → 4000. 2.1.1
callers get the nearest 2.1.1 code instead (``legacy_status``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncConnection
from starlette.responses import Response

from ocpihub.errors import (
    ForwardTimeout,
    HubError,
    InvalidParameters,
    NotFound,
    ReceiverNotConnected,
    UnknownReceiver,
    UnknownToken,
)
from ocpihub.hub.tokens import (
    DEFAULT_TOKEN_TYPE,
    classify_answer,
    pushes_token,
    requesting_party,
    synthesized_token,
    token_type_param,
    token_url_suffix,
    wire_token_type,
)
from ocpihub.inbound.auth import Caller, check_version, registered, runtime_of
from ocpihub.inbound.body import read_json
from ocpihub.inbound.handlers._authorize_policy import AuthorizeContext as _AuthorizeContext
from ocpihub.inbound.handlers._authorize_policy import hub_allows
from ocpihub.inbound.handlers._objects import (
    Push,
    canonical,
    check_ids,
    correlation_id,
    egress,
    list_visible,
    owned_party,
    parse_wire,
    push_receivers,
    queue,
)
from ocpihub.inbound.handlers._relay import (
    Relayed,
    Route,
    forward,
    invalid_object,
    relay_failure,
    relay_object,
    single_object,
)
from ocpihub.inbound.interfaces import Declared, HttpRoute
from ocpihub.inbound.responses import ocpi_response
from ocpihub.model.agreements import OnAuthorizeTimeout
from ocpihub.model.parties import Platform
from ocpihub.ocpi.fields import parse_datetime
from ocpihub.ocpi.headers import parse_routing_headers
from ocpihub.ocpi.modules import InterfaceRole, ModuleId
from ocpihub.outbound.urls import join_url
from ocpihub.outbox.items import ordering_key
from ocpihub.runtime import Runtime
from ocpihub.store.objects import ObjectKey, StoredObject, find_visible, get_object, put_object
from ocpihub.store.routing import Target, agreed_targets
from ocpihub.translate import PRIVATE_KEY, TranslationContext, from_canonical, to_canonical

__all__ = ["ROUTES"]

MODULE = "tokens"
_OWNER_ROLES = ("EMSP",)

Doc = dict[str, Any]


# --- receiver interface: the eMSPs' pushes -------------------------------------------------------


async def _stored_token(
    conn: AsyncConnection,
    owner: tuple[str, str],
    uid: str,
    kind: str | None,
    *,
    lock: bool = False,
) -> StoredObject | None:
    """The owner's token ``uid`` of type ``kind``; without a type (2.1.1), RFID first.

    ``lock``: it is read to be written back (see ``get_object``'s ``for_update``).
    """
    if kind is not None:
        return await find_visible(conn, MODULE, uid, [owner], kind=kind, for_update=lock)
    return await find_visible(
        conn, MODULE, uid, [owner], kind=DEFAULT_TOKEN_TYPE, for_update=lock
    ) or (await find_visible(conn, MODULE, uid, [owner], for_update=lock))


def _url_kind(request: Request, version: str) -> str | None:
    """The token type the URL names (2.2+, default RFID); None for 2.1.1 URLs."""
    if version == "2.1.1":
        return None
    return token_type_param(request.query_params.get("type"))


def _check_type(wire: Doc, kind: str | None) -> None:
    body_type = wire.get("type")
    if kind is not None and isinstance(body_type, str) and body_type.upper() != kind:
        raise InvalidParameters(
            f"type: body says {body_type!r}, the URL says {kind!r} (?type= defaults to RFID)"
        )


async def _queue_token(
    conn: AsyncConnection,
    request: Request,
    caller: Caller,
    owner: tuple[str, str],
    token: Doc,
    *,
    method: str,
    name: str,
    payload: Doc,
    original: Doc,
    version: str,
) -> None:
    """Queue a token push to every agreed CPO whose version can hold this token."""
    uid, token_type = str(token["uid"]), str(token["type"])
    rfid_twin = token_type != DEFAULT_TOKEN_TYPE and (
        await get_object(conn, ObjectKey.of(MODULE, owner[0], owner[1], uid, DEFAULT_TOKEN_TYPE))
        is not None
    )
    receivers = push_receivers(
        request,
        runtime_of(request).settings.hub_party,
        await agreed_targets(conn, owner, MODULE),
        MODULE,
        sender_platform_id=caller.platform.id,
    )
    by_suffix: dict[str, list[Target]] = {}
    for target in receivers.targets:
        receiver_version = target.version or "2.1.1"
        if pushes_token(receiver_version, token_type, rfid_twin=rfid_twin):
            suffix = token_url_suffix(receiver_version, owner[0], owner[1], uid, token_type)
            by_suffix.setdefault(suffix, []).append(target)
    for suffix, group in by_suffix.items():
        push = Push(
            owner=owner,
            sender_platform_id=caller.platform.id,
            module=MODULE,
            method=method,
            url_suffix=suffix,
            object_name=name,
            payload=payload,
            original=original,
            original_version=version,
            ordering_key=ordering_key(MODULE, owner[0], owner[1], f"{uid}:{token_type}"),
            correlation_id=correlation_id(request),
        )
        await queue(conn, push, group, broadcast=receivers.broadcast)


async def _push(
    request: Request, caller: Caller, version: str, cc: str, pid: str, uid: str, *, patch: bool
) -> Response:
    check_version(caller, version)
    runtime = runtime_of(request)
    owner = await owned_party(request, caller, cc, pid, _OWNER_ROLES)
    kind = _url_kind(request, version)
    name = "TokenPatch" if patch else "Token"
    wire = parse_wire(runtime, version, name, await read_json(request), caller.platform)
    check_ids(wire, owner, {"uid": uid}, version)
    _check_type(wire, kind)
    ctx = TranslationContext(
        country_code=owner[0], party_id=owner[1], now=datetime.now(UTC), enums=runtime.enums
    )
    canon = canonical(version, name, wire, ctx)
    async with runtime.db.write() as conn:
        if patch:
            stored = await _stored_token(conn, owner, uid, kind or wire.get("type"), lock=True)
            if stored is None:
                raise NotFound(f"the hub holds no such token {uid!r} of {owner[0]}-{owner[1]}")
            document = dict(stored.document)
            document.update({k: v for k, v in canon.items() if k != PRIVATE_KEY})
            key = stored.key
        else:
            document = canon
            key = ObjectKey.of(MODULE, owner[0], owner[1], uid, str(canon["type"]))
        created = await put_object(
            conn,
            key,
            document=document,
            last_updated=parse_datetime(document["last_updated"]),
            source_version=version,
            original=None if patch else wire,
            newer_only=not patch,
        )
        await _queue_token(
            conn,
            request,
            caller,
            owner,
            document,
            method="PATCH" if patch else "PUT",
            name=name,
            payload=canon,
            original=wire,
            version=version,
        )
    return ocpi_response(http_status=201 if created else 200, include_data=False)


async def _get_own(
    request: Request, caller: Caller, version: str, cc: str, pid: str, uid: str
) -> Response:
    check_version(caller, version)
    runtime = runtime_of(request)
    owner = await owned_party(request, caller, cc, pid, _OWNER_ROLES)
    async with runtime.db.read() as conn:
        stored = await _stored_token(conn, owner, uid, _url_kind(request, version))
    if stored is None:
        raise NotFound(f"the hub holds no such token {uid!r} of {owner[0]}-{owner[1]}")
    return ocpi_response(egress(version, "Token", stored))


# --- sender interface: real-time authorization ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Route:
    """Where an authorize request goes: the eMSP, its platform and endpoint, the stored token."""

    cpo: tuple[str, str]
    emsp: tuple[str, str]
    platform: Platform
    url: str
    stored: StoredObject | None
    looked_up: bool = True
    """False when OCPI-to named the eMSP: the stored token is read only if the answer needs it."""


async def _references(request: Request, runtime: Runtime, version: str) -> Doc | None:
    """The optional LocationReferences body, validated in the caller's version."""
    length = request.headers.get("content-length")
    if (length is None or length == "0") and "transfer-encoding" not in request.headers:
        return None
    body = await read_json(request)
    if body is None:
        return None
    return parse_wire(runtime, version, "LocationReferences", body)


async def _route(
    runtime: Runtime, request: Request, caller: Caller, uid: str, token_type: str
) -> _Route:
    """Decide the eMSP: OCPI-to headers when given, else the stored token's owner."""
    routing = parse_routing_headers(request.headers)
    directory = runtime.directory
    hosted = [
        (p.country_code, p.party_id, p.role) for p in await directory.parties(caller.platform.id)
    ]
    from_party = routing.from_party
    cpo = requesting_party(
        hosted, (from_party.country_code, from_party.party_id) if from_party else None, "CPO"
    )
    targets = {
        t.party: t
        for t in await directory.agreed_targets(cpo, MODULE, interface_role="SENDER")
        if t.role in _OWNER_ROLES
    }
    if routing.to_party is not None:
        emsp = (routing.to_party.country_code, routing.to_party.party_id)
        if emsp not in targets:
            raise UnknownReceiver(
                f"{emsp[0]}-{emsp[1]} (OCPI-to) is no eMSP you have an active agreement with "
                "covering tokens: the hub does not forward your request"
            )
        stored = None  # the eMSP is named: no query before forwarding (uids are case-blind)
    else:
        async with runtime.db.read() as conn:
            stored = await find_visible(conn, MODULE, uid, targets, kind=token_type)
            others = (
                set(targets) - {(stored.key.country_code, stored.key.party_id)} if stored else set()
            )
            elsewhere = await find_visible(conn, MODULE, uid, others, kind=token_type)
        if stored is None:
            raise UnknownToken(
                f"no token {uid!r} of type {token_type} that your agreements let you use"
            )
        emsp = (stored.key.country_code, stored.key.party_id)
        if elsewhere is not None:
            raise InvalidParameters(
                f"several eMSPs have a token {uid!r} of type {token_type}: name the one to ask "
                "with the OCPI-to-country-code and OCPI-to-party-id headers"
            )
    platform, endpoints = await directory.platform_with_endpoints(targets[emsp].platform_id)
    if platform is None:  # removed since the agreements were read
        raise ReceiverNotConnected(f"{emsp[0]}-{emsp[1]} is no longer connected to the hub")
    urls = [e.url for e in endpoints if e.identifier == MODULE and e.role == "SENDER"]
    if not urls and platform.version == "2.1.1":  # 2.1.1 endpoints may carry no role
        urls = [e.url for e in endpoints if e.identifier == MODULE]
    if not urls:
        raise ReceiverNotConnected(
            f"{emsp[0]}-{emsp[1]} publishes no tokens sender endpoint: it cannot authorize "
            "tokens in real time"
        )
    return _Route(cpo, emsp, platform, urls[0], stored, looked_up=routing.to_party is None)


def _translated(
    doc: Doc, name: str, source: str, target: str, ctx: TranslationContext | None = None
) -> Doc:
    """A validated wire object of ``source``'s version in ``target``'s (same version: as is)."""
    if source == target:
        return doc
    out, _ = from_canonical(target, name, to_canonical(source, name, doc, ctx))
    return out


async def _asked_token(runtime: Runtime, route: _Route, uid: str, token_type: str) -> Doc:
    """The canonical Token the authorization is about: stored, else what the request says."""
    stored = route.stored
    if stored is None and not route.looked_up:
        async with runtime.db.read() as conn:
            stored = await find_visible(conn, MODULE, uid, [route.emsp], kind=token_type)
    if stored is not None:
        return stored.document
    return synthesized_token(
        route.emsp,
        uid,
        token_type,
        issuer=f"{route.emsp[0]}-{route.emsp[1]}",
        now=datetime.now(UTC),
    )


async def _relay(
    runtime: Runtime,
    version: str,
    route: _Route,
    answer: Relayed,
    uid: str,
    token_type: str,
) -> Response:
    """The CPO's answer from the eMSP's (digest §1.6: the eMSP's 2xxx/3xxx pass unchanged)."""
    emsp_version = route.platform.version or "2.1.1"
    outcome = classify_answer(emsp_version, answer.http_status, answer.status)
    if outcome == "failed":
        raise HubError(
            f"{answer.receiver} answered HTTP {answer.http_status}: the hub's credentials were "
            "refused"
        )
    if outcome == "unknown":
        raise UnknownToken(answer.message or f"{answer.receiver} does not know this token")
    if outcome == "refused":
        return relay_failure(version, answer)
    data = single_object(answer, "AuthorizationInfo")
    lacks_token = emsp_version != "2.1.1" and "token" not in data
    # the Token is needed to complete a lax answer or to translate one; else not read at all
    token = (
        await _asked_token(runtime, route, uid, token_type)
        if lacks_token or emsp_version != version
        else None
    )
    if lacks_token:
        assert token is not None
        # a 2.2+ answer must name the token; a lax eMSP's is completed rather than refused
        data = {**data, "token": from_canonical(emsp_version, "Token", token)[0]}
    try:
        info = parse_wire(runtime, emsp_version, "AuthorizationInfo", data, route.platform)
    except InvalidParameters as exc:
        raise invalid_object(answer, "AuthorizationInfo", exc.message) from None
    ctx = _AuthorizeContext(
        country_code=route.emsp[0], party_id=route.emsp[1], enums=runtime.enums, token=token
    )
    out = _translated(info, "AuthorizationInfo", emsp_version, version, ctx)
    return relay_object(version, answer, out)


async def _forward(request: Request, caller: Caller, version: str, uid: str) -> Response:
    runtime = runtime_of(request)
    token_type = token_type_param(request.query_params.get("type"))
    references = await _references(request, runtime, version)
    route = await _route(runtime, request, caller, uid, token_type)
    emsp_version = route.platform.version or "2.1.1"
    body = None
    if references is not None:
        ctx = TranslationContext(country_code=route.cpo[0], party_id=route.cpo[1])
        body = _translated(references, "LocationReferences", version, emsp_version, ctx)
    asked_uid = str(route.stored.document["uid"]) if route.stored is not None else uid
    hop = Route(route.cpo, route.emsp, route.platform, route.url, MODULE)
    # the agreement's policy: its timeout, and the hub's answer when the eMSP is silent
    policy = await runtime.directory.agreement(route.cpo, route.emsp)
    try:
        answer = await forward(
            runtime,
            request,
            hop,
            "POST",
            join_url(route.url, quote(asked_uid, safe=""), "authorize"),
            json=body,
            params={"type": wire_token_type(emsp_version, token_type)},
            module=MODULE,
            timeout=policy.authorize_timeout_seconds if policy else None,
        )
    except ForwardTimeout as exc:
        if policy is None or policy.authorize_on_timeout is not OnAuthorizeTimeout.ALLOW:
            raise
        token = await _asked_token(runtime, route, uid, token_type)
        ctx = _AuthorizeContext(
            country_code=route.emsp[0], party_id=route.emsp[1], enums=runtime.enums, token=token
        )
        return hub_allows(request, version, hop, token, policy, exc.message, ctx)
    return await _relay(runtime, version, route, answer, uid, token_type)


async def _authorize(request: Request, caller: Caller, version: str, uid: str) -> Response:
    check_version(caller, version)
    # errors towards 2.1.1 callers are mapped once, for every module (inbound/responses.py)
    return await _forward(request, caller, version, uid)


# --- routes --------------------------------------------------------------------------------------


def _receiver(version: str, path: str) -> list[HttpRoute]:
    async def put_token(
        cc: str, pid: str, uid: str, request: Request, c: Caller = Depends(registered)
    ) -> Response:
        return await _push(request, c, version, cc, pid, uid, patch=False)

    async def patch_token(
        cc: str, pid: str, uid: str, request: Request, c: Caller = Depends(registered)
    ) -> Response:
        return await _push(request, c, version, cc, pid, uid, patch=True)

    async def get_token(
        cc: str, pid: str, uid: str, request: Request, c: Caller = Depends(registered)
    ) -> Response:
        return await _get_own(request, c, version, cc, pid, uid)

    own = "/{cc}/{pid}/{uid}"
    return [
        HttpRoute("PUT", put_token, own),
        HttpRoute("PATCH", patch_token, own),
        HttpRoute("GET", get_token, own),
    ]


def _sender(version: str, path: str) -> list[HttpRoute]:
    async def list_tokens(request: Request, c: Caller = Depends(registered)) -> Response:
        check_version(c, version)
        return await list_visible(request, c, MODULE, "Token", base_path=path)

    async def authorize_token(
        uid: str, request: Request, c: Caller = Depends(registered)
    ) -> Response:
        return await _authorize(request, c, version, uid)

    return [HttpRoute("GET", list_tokens), HttpRoute("POST", authorize_token, "/{uid}/authorize")]


ROUTES: Declared = {
    (ModuleId.TOKENS, InterfaceRole.RECEIVER): _receiver,
    (ModuleId.TOKENS, InterfaceRole.SENDER): _sender,
}
