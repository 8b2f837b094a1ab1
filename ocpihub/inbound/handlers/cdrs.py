"""CDRs through the hub: the CPOs' POSTs in, addressed out, and the eMSPs' pulls.

- Receiver interface (``/ocpi/{v}/cdrs/receiver``): a CPO POSTs a final CDR. It is stored
  (immutable: the same id again is accepted only with the same content, as a retry) and queued
  as a POST to the ONE party it concerns (OCPI-to headers, else the ``cdr_token`` owner; for
  2.1.1 the token cache by ``auth_id``). The answer's ``Location`` header is the hub's own URL
  of the CDR (digest §7 item 12), ``{receiver}/{cc}/{pid}/{cdr_id}``, where the CPO GETs it back.
- Sender interface (``/ocpi/{v}/cdrs/sender``): GET all lists the CDRs addressed to the
  caller's own parties, in the caller's version.

A CDR is never dropped in translation (digest §7 item 18): the translators map what an older
version lacks; the stored Location fills what a 2.1.1 CDR's embedded Location needs.

The work is ``hub/services/cdrs.py``'s (steps shared with Sessions:
``hub/services/addressed.py``).
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import Request
from starlette.responses import Response

from ocpihub.errors import NotFound
from ocpihub.hub.services import cdrs as service
from ocpihub.hub.services.addressed import get_own
from ocpihub.inbound.auth import Caller, check_version, runtime_of
from ocpihub.inbound.body import read_json
from ocpihub.inbound.handlers._addressed import OWNER_ROLES, list_addressed_route, render
from ocpihub.inbound.handlers._objects import check_ids, origin, owned_party, parse_wire
from ocpihub.inbound.interfaces import Declared, HttpRoute, declare
from ocpihub.inbound.responses import ocpi_response
from ocpihub.ocpi.modules import ModuleId
from ocpihub.ocpi.version import ocpi_version

__all__ = ["ROUTES"]

MODULE = "cdrs"


async def _owner(
    request: Request, caller: Caller, version: str, wire: dict[str, object]
) -> tuple[str, str]:
    """The CPO a posted CDR belongs to: its own fields (2.2+), or the platform's one CPO
    (a 2.1.1 CDR names no owner and a 2.1.1 platform hosts one party)."""
    if ocpi_version(version).has_roles:  # a 2.2+ CDR names its owner
        return await owned_party(
            request, caller, str(wire["country_code"]), str(wire["party_id"]), OWNER_ROLES
        )
    hosted = await runtime_of(request).directory.parties(caller.platform.id)
    cpos = [p for p in hosted if p.role in OWNER_ROLES]
    if len(cpos) != 1:
        raise NotFound("your platform hosts no CPO (or several): a 2.1.1 CDR names no owner")
    return await owned_party(request, caller, cpos[0].country_code, cpos[0].party_id, OWNER_ROLES)


def _location(request: Request, receiver: str, owner: tuple[str, str], cdr_id: str) -> str:
    public = runtime_of(request).settings.public_url.rstrip("/")
    return f"{public}{receiver}/{owner[0]}/{owner[1]}/{quote(cdr_id, safe='')}"


async def _post(request: Request, caller: Caller, version: str, *, receiver: str) -> Response:
    check_version(caller, version)
    runtime = runtime_of(request)
    wire = parse_wire(runtime, version, "CDR", await read_json(request), caller.platform)
    owner = await _owner(request, caller, version, wire)
    check_ids(wire, owner, {}, version)
    location = {"Location": _location(request, receiver, owner, str(wire["id"]))}
    created = await service.post(runtime.db, runtime.enums, origin(request, caller), owner, wire)
    return ocpi_response(http_status=201 if created else 200, include_data=False, headers=location)


async def _get_own(
    request: Request, caller: Caller, version: str, cc: str, pid: str, cdr_id: str
) -> Response:
    check_version(caller, version)
    owner = await owned_party(request, caller, cc, pid, OWNER_ROLES)
    found = await get_own(runtime_of(request).db, MODULE, owner, cdr_id)
    if found is None:
        raise NotFound(f"the hub holds no CDR {cdr_id!r} of {owner[0]}-{owner[1]}")
    return ocpi_response(render(version, "CDR", *found))


def _receiver(version: str, path: str) -> list[HttpRoute]:
    return [
        HttpRoute("POST", _post, fixed={"receiver": path}),
        HttpRoute("GET", _get_own, "/{cc}/{pid}/{cdr_id}"),
    ]


def _sender(version: str, path: str) -> list[HttpRoute]:
    return [list_addressed_route(MODULE, "CDR", path, require_date_from=False)]


ROUTES: Declared = declare(ModuleId.CDRS, receiver=_receiver, sender=_sender)
