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

The work is ``hub/services/tokens.py``'s (real-time authorization:
``hub/services/authorize.py``).
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from starlette.responses import Response

from ocpihub.errors import InvalidParameters, NotFound
from ocpihub.hub.services import tokens as service
from ocpihub.hub.services.authorize import authorize
from ocpihub.hub.tokens import token_type_param
from ocpihub.inbound.auth import Caller, check_version, runtime_of
from ocpihub.inbound.body import read_json
from ocpihub.inbound.handlers._objects import (
    check_ids,
    egress,
    list_visible_route,
    origin,
    owned_party,
    parse_wire,
)
from ocpihub.inbound.handlers._relay import answer
from ocpihub.inbound.interfaces import Declared, HttpRoute, declare
from ocpihub.inbound.responses import ocpi_response
from ocpihub.ocpi.modules import ModuleId
from ocpihub.ocpi.version import ocpi_version
from ocpihub.runtime import Runtime

__all__ = ["ROUTES"]

MODULE = "tokens"
_OWNER_ROLES = ("EMSP",)

Doc = dict[str, Any]


# --- receiver interface: the eMSPs' pushes -------------------------------------------------------


def _url_kind(request: Request, version: str) -> str | None:
    """The token type the URL names (2.2+, default RFID); None for 2.1.1 URLs."""
    if not ocpi_version(version).typed_token_urls:
        return None
    return token_type_param(request.query_params.get("type"))


def _check_type(wire: Doc, kind: str | None) -> None:
    body_type = wire.get("type")
    if kind is not None and isinstance(body_type, str) and body_type.upper() != kind:
        raise InvalidParameters(
            f"type: body says {body_type!r}, the URL says {kind!r} (?type= defaults to RFID)"
        )


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
    created = await service.push(
        runtime.db,
        origin(request, caller),
        owner,
        uid,
        kind,
        wire=wire,
        patch=patch,
        enums=runtime.enums,
    )
    return ocpi_response(http_status=201 if created else 200, include_data=False)


async def _get_own(
    request: Request, caller: Caller, version: str, cc: str, pid: str, uid: str
) -> Response:
    check_version(caller, version)
    owner = await owned_party(request, caller, cc, pid, _OWNER_ROLES)
    kind = _url_kind(request, version)
    stored = await service.get_own(runtime_of(request).db, owner, uid, kind)
    if stored is None:
        raise NotFound(f"the hub holds no such token {uid!r} of {owner[0]}-{owner[1]}")
    return ocpi_response(egress(version, "Token", stored))


# --- sender interface: real-time authorization ---------------------------------------------------


async def _references(request: Request, runtime: Runtime, version: str) -> Doc | None:
    """The optional LocationReferences body, validated in the caller's version."""
    length = request.headers.get("content-length")
    if (length is None or length == "0") and "transfer-encoding" not in request.headers:
        return None
    body = await read_json(request)
    if body is None:
        return None
    return parse_wire(runtime, version, "LocationReferences", body)


async def _authorize(request: Request, caller: Caller, version: str, uid: str) -> Response:
    check_version(caller, version)
    # errors towards 2.1.1 callers are mapped once, for every module (inbound/responses.py)
    runtime = runtime_of(request)
    token_type = token_type_param(request.query_params.get("type"))
    references = await _references(request, runtime, version)
    reply = await authorize(
        runtime.db, runtime.relay, origin(request, caller), uid, token_type, references
    )
    return answer(request, version, reply)


# --- routes --------------------------------------------------------------------------------------


def _receiver(version: str, path: str) -> list[HttpRoute]:
    own = "/{cc}/{pid}/{uid}"
    return [
        HttpRoute("PUT", _push, own, {"patch": False}),
        HttpRoute("PATCH", _push, own, {"patch": True}),
        HttpRoute("GET", _get_own, own),
    ]


def _sender(version: str, path: str) -> list[HttpRoute]:
    return [
        list_visible_route(MODULE, "Token", path),
        HttpRoute("POST", _authorize, "/{uid}/authorize"),
    ]


ROUTES: Declared = declare(ModuleId.TOKENS, receiver=_receiver, sender=_sender)
