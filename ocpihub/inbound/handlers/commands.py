"""Commands through the hub: an eMSP's command to the CPO, and the CPO's result back.

- Receiver interface (``POST /ocpi/{v}/commands/receiver/{command}``): an eMSP (or an OTHER
  party) sends START_SESSION, STOP_SESSION, RESERVE_NOW, CANCEL_RESERVATION or UNLOCK_CONNECTOR.
  The CPO is the one the OCPI-to headers name, else the owner of the stored Location
  (``location_id``), of the stored Session (``session_id``), or the CPO that took the
  RESERVE_NOW with that ``reservation_id`` (digest §1.9 cheat sheet). Without an ACTIVE
  agreement covering commands nothing is forwarded (4001). The command goes on synchronously,
  translated, with ``response_url`` replaced by a hub callback URL; the CPO's CommandResponse
  comes back translated, its ``timeout`` lengthened by the grace after which the hub sends a
  TIMEOUT result itself (``hub/commands.py``).
- Sender interface (``POST /ocpi/{v}/commands/sender/results/{id}``): the hub callback URL. The
  CPO's CommandResult (a CommandResponse body in 2.1.1, digest §7 item 15) is queued in the
  durable outbox, in the transaction that records it, for the eMSP's original
  ``response_url`` (translated at delivery); the CPO is answered once it is stored, and the
  outbox delivers it with retries through any crash. Duplicates are relayed once.

The work is the hub's: ``hub/services/commands.py`` (routing, the hop, the answer) and
``hub/services/results.py`` (pending commands, results, the TIMEOUT sweeper).
"""

from __future__ import annotations

from fastapi import Request
from starlette.responses import Response

from ocpihub.errors import NotFound
from ocpihub.hub import commands as policy
from ocpihub.hub.services.commands import send_command
from ocpihub.hub.services.results import accept_result
from ocpihub.inbound.auth import Caller, check_version, runtime_of
from ocpihub.inbound.body import read_json
from ocpihub.inbound.handlers._objects import callback_url, origin, parse_wire
from ocpihub.inbound.handlers._relay import answer
from ocpihub.inbound.interfaces import Declared, HttpRoute, declare
from ocpihub.inbound.responses import ocpi_response
from ocpihub.ocpi.modules import ModuleId
from ocpihub.outbound.urls import check_partner_url

__all__ = ["ROUTES"]

MODULE = "commands"


# --- receiver interface: the eMSP's command --------------------------------------------------


async def _command(request: Request, caller: Caller, version: str, command: str) -> Response:
    check_version(caller, version)
    runtime = runtime_of(request)
    command = command.upper()
    offered = [c for c in policy.COMMANDS if not policy.cancel_unsupported(c, version)]
    if command not in offered:
        raise NotFound(f"unknown command {command!r}: one of {', '.join(offered)}")
    name = policy.COMMAND_OBJECTS[command]
    wire = parse_wire(runtime, version, name, await read_json(request))
    response_url = check_partner_url(
        wire["response_url"],
        allow_private=runtime.settings.allow_private_addresses,
        field="response_url",
    )
    reply = await send_command(
        runtime.db,
        runtime.relay,
        origin(request, caller),
        command,
        wire,
        response_url,
        callback=callback_url(runtime, ModuleId.COMMANDS),
        grace=runtime.settings.command_result_grace_seconds,
    )
    return answer(request, version, reply)


# --- sender interface: the CPO's result on the hub callback URL ------------------------------


async def _result(request: Request, caller: Caller, version: str, request_id: str) -> Response:
    """A result on the hub's callback URL (of whichever version the command was sent in)."""
    runtime = runtime_of(request)
    await accept_result(
        runtime.db,
        runtime.relay,
        caller.platform.id,
        request_id,
        MODULE,
        "CommandResult",
        policy.relays,
        lambda: read_json(request),
    )
    return ocpi_response(include_data=False)


# --- routes --------------------------------------------------------------------------------------


def _receiver(version: str, path: str) -> list[HttpRoute]:
    return [HttpRoute("POST", _command, "/{command}")]


def _sender(version: str, path: str) -> list[HttpRoute]:
    return [HttpRoute("POST", _result, "/results/{request_id}")]


ROUTES: Declared = declare(ModuleId.COMMANDS, receiver=_receiver, sender=_sender)
