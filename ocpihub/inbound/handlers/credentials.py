"""Credentials module, every version: ``/ocpi/{version}/credentials`` (digest §2).

GET answers the hub's credentials for the caller (with the token the caller presented); POST
registers, PUT updates (token rotation, endpoint refresh, version switch to this endpoint's
version), DELETE unregisters. The work is done by :class:`~ocpihub.hub.registration.Registrar`;
this module only reads the request and writes the envelope. Token A opens all four methods.
"""

from __future__ import annotations

from fastapi import Request
from starlette.responses import Response

from ocpihub.hub.registration import Registrar
from ocpihub.hub.services.configuration import presented_token
from ocpihub.inbound.auth import Caller, any_token, runtime_of
from ocpihub.inbound.body import read_json
from ocpihub.inbound.handlers._objects import correlation_id
from ocpihub.inbound.interfaces import Declared, HttpRoute
from ocpihub.inbound.responses import ocpi_response
from ocpihub.ocpi.headers import token_candidates
from ocpihub.ocpi.modules import ModuleId

__all__ = ["ROUTES", "registrar_of"]


def registrar_of(request: Request) -> Registrar:
    """The running hub's one registrar (``composition.build_hub``)."""
    return runtime_of(request).registrar


async def _presented_token(request: Request) -> str:
    """The token the caller authenticated with (raw or Base64-decoded, whichever matched)."""
    candidates = token_candidates(request.headers.get("authorization"))
    return await presented_token(runtime_of(request).db, candidates)


async def _get_credentials(request: Request, caller: Caller, version: str) -> Response:
    registrar = registrar_of(request)
    token = await _presented_token(request)
    own = await registrar.hosted_parties(caller.platform.id)
    return ocpi_response(await registrar.credentials_for(version, token, own))


async def _accept_credentials(
    request: Request, caller: Caller, version: str, *, update: bool
) -> Response:
    """POST (register) or PUT (update) of the caller's credentials."""
    registrar = registrar_of(request)
    Registrar.check_status(caller.platform, update=update)
    body = await read_json(request)
    answer = await registrar.accept(
        caller.platform, version, body, update=update, correlation_id=correlation_id(request)
    )
    return ocpi_response(answer)


async def _delete_credentials(request: Request, caller: Caller, version: str) -> Response:
    await registrar_of(request).unregister(caller.platform)
    return ocpi_response()


def _credentials(version: str, path: str) -> list[HttpRoute]:
    return [  # token A opens them all
        HttpRoute("GET", _get_credentials, auth=any_token),
        HttpRoute("POST", _accept_credentials, fixed={"update": False}, auth=any_token),
        HttpRoute("PUT", _accept_credentials, fixed={"update": True}, auth=any_token),
        HttpRoute("DELETE", _delete_credentials, auth=any_token),
    ]


ROUTES: Declared = {(ModuleId.CREDENTIALS, None): _credentials}
