"""Charging Profiles through the hub (2.2.1 and 2.3.0; 2.1.1 has none, digest §4.3).

- Receiver interface (``/ocpi/{v}/chargingprofiles/receiver/{session_id}``): an SCSP or eMSP
  sets (PUT ``SetChargingProfile``), gets (GET ``?duration=&response_url=``) or clears (DELETE
  ``?response_url=``) the profile of a session. The CPO is the one the OCPI-to headers name, else
  the owner of the stored Session; an ACTIVE agreement covering chargingprofiles is required. The
  request goes on synchronously with ``response_url`` (body or query string) replaced by a hub
  callback URL, and the CPO's ChargingProfileResponse comes back translated.
- Sender interface (``/ocpi/{v}/chargingprofiles/sender``): ``POST /results/{id}`` is the hub
  callback URL; the result it receives is an ActiveChargingProfileResult, ChargingProfileResult
  or ClearProfileResult according to the request that URL was made for, relayed once to the
  requester's own ``response_url``. ``PUT /{session_id}`` takes a CPO's ActiveChargingProfile
  and relays it to the party that last set a profile on that session with an ACCEPTED result
  (digest §3.7: only such a party may receive them).

Charging profiles have no TIMEOUT result: when none comes, the hub sends nothing itself and
forgets the mapping after the CPO's ``timeout`` plus the grace period.

The work is ``hub/services/charging_profiles.py``'s (pending requests and results:
``hub/services/results.py``).
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from starlette.responses import Response

from ocpihub.errors import InvalidParameters
from ocpihub.hub.services import charging_profiles as service
from ocpihub.inbound.auth import Caller, check_version, runtime_of
from ocpihub.inbound.body import read_json
from ocpihub.inbound.handlers._objects import callback_url, origin, parse_wire
from ocpihub.inbound.handlers._relay import answer
from ocpihub.inbound.interfaces import Declared, HttpRoute, declare
from ocpihub.inbound.responses import ocpi_response
from ocpihub.ocpi.modules import ModuleId
from ocpihub.outbound.urls import check_partner_url

__all__ = ["ROUTES"]

MODULE = "chargingprofiles"


async def _request(
    request: Request, caller: Caller, version: str, session_id: str, *, kind: str
) -> Response:
    """Relay a set/get/clear to the CPO of the session, with the hub's callback URL."""
    check_version(caller, version)
    runtime = runtime_of(request)
    settings = runtime.settings
    wire: dict[str, Any] | None = None
    if kind == "SET":
        wire = parse_wire(runtime, version, "SetChargingProfile", await read_json(request))
        given = wire.get("response_url")
    else:
        given = request.query_params.get("response_url")
    response_url = check_partner_url(
        str(given or ""), allow_private=settings.allow_private_addresses, field="response_url"
    )
    params: dict[str, str] = {}
    if kind == "GET":
        duration = request.query_params.get("duration", "")
        if not duration.isdigit():
            raise InvalidParameters(
                f"duration: a whole number of seconds is required, got {duration!r}"
            )
        params["duration"] = duration
    reply = await service.send_request(
        runtime.db,
        runtime.relay,
        origin(request, caller),
        (kind, session_id, response_url, wire, params),
        callback=callback_url(runtime, ModuleId.CHARGING_PROFILES),
        grace=settings.command_result_grace_seconds,
    )
    return answer(request, version, reply)


async def _result(request: Request, caller: Caller, version: str, request_id: str) -> Response:
    """A result on a hub callback URL: relayed once; an ACCEPTED set names the profile setter."""
    runtime = runtime_of(request)
    await service.result(
        runtime.db, runtime.relay, caller.platform.id, request_id, lambda: read_json(request)
    )
    return ocpi_response(include_data=False)


async def _active_profile(
    request: Request, caller: Caller, version: str, session_id: str
) -> Response:
    """A CPO's ActiveChargingProfile, relayed to the party that set the session's profile."""
    check_version(caller, version)
    runtime = runtime_of(request)
    wire = parse_wire(runtime, version, "ActiveChargingProfile", await read_json(request))
    reply = await service.active_profile(
        runtime.db, runtime.relay, origin(request, caller), session_id, wire
    )
    return answer(request, version, reply)


# --- routes --------------------------------------------------------------------------------------


_SESSION = "/{session_id}"


def _receiver(version: str, path: str) -> list[HttpRoute]:
    return [
        HttpRoute("PUT", _request, _SESSION, {"kind": "SET"}),
        HttpRoute("GET", _request, _SESSION, {"kind": "GET"}),
        HttpRoute("DELETE", _request, _SESSION, {"kind": "CLEAR"}),
    ]


def _sender(version: str, path: str) -> list[HttpRoute]:
    return [
        HttpRoute("POST", _result, "/results/{request_id}"),
        HttpRoute("PUT", _active_profile, _SESSION),
    ]


ROUTES: Declared = declare(ModuleId.CHARGING_PROFILES, receiver=_receiver, sender=_sender)
