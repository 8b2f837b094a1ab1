"""Payments through the hub (OCPI 2.3.0 core, digest §3.9): terminals and financial advice.

Both sides write in this module, so the hub serves both interfaces and routes every write to
the one party it concerns (``hub/payments.py`` decides; never a broadcast):

- Receiver interface (``/ocpi/2.3.0/payments/receiver``), used by Payment Terminal Providers:
  ``POST /terminals`` creates or re-sends a Terminal for a CPO (OCPI-to, else the Terminal's own
  country_code/party_id, else the PTP's only agreed CPO); ``POST /financial-advice-confirmations``
  sends a FinancialAdviceConfirmation (OCPI-to, else the only agreed CPO); ``GET`` of either by id
  answers what the hub holds of the PTP's own objects.
- Sender interface (``/ocpi/2.3.0/payments/sender``), used by CPOs: ``PUT``/``PATCH
  /terminals/{terminal_id}`` (customer data, Location/EVSE assignment), ``POST
  /terminals/activate`` (OCPI-to, else the only agreed PTP), ``POST
  /terminals/{terminal_id}/deactivate`` — each relayed to the terminal's PTP, at the PTP's Sender
  interface; ``GET`` lists and single objects of the terminals and confirmations that concern
  the CPO, from the hub's store.

Each accepted write is stored (module ``payments``; ``kind`` ``terminal`` or ``fac``; owner the
PTP; the hub-private annotation names the CPO) and queued in the same transaction; the hub
answers the writer itself (the module's answers carry no data). Only 2.3.0 partners that publish
the module's interface can be addressed; anyone else is refused with 4001 and nothing is stored.

The work is ``hub/services/payments.py``'s (requests relayed to a PTP:
``hub/services/payments_relay.py``).
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from starlette.responses import Response

from ocpihub.errors import InvalidParameters, NotFound
from ocpihub.hub.payments import REGISTRY_KEY
from ocpihub.hub.relay import Reply
from ocpihub.hub.services import payments as service
from ocpihub.hub.services.payments import FAC, SEGMENTS, TERMINAL
from ocpihub.inbound.auth import Caller, check_version, runtime_of
from ocpihub.inbound.body import read_json
from ocpihub.inbound.handlers._objects import Paging, egress, origin, parse_wire
from ocpihub.inbound.handlers._relay import answer
from ocpihub.inbound.interfaces import Declared, HttpRoute, declare
from ocpihub.inbound.responses import ocpi_response
from ocpihub.ocpi.modules import ModuleId, module

__all__ = ["ROUTES"]

MODULE = "payments"
MODULE_NAME = "Payments"
(VERSION,) = module(ModuleId.PAYMENTS).versions  # the one version that defines it

Doc = dict[str, Any]


def _wire(request: Request, name: str, body: Any) -> Doc:
    """A validated 2.3.0 body, without any key that poses as the hub's private annotation."""
    wire = parse_wire(runtime_of(request), VERSION, name, body)
    wire.pop(REGISTRY_KEY, None)
    return wire


def _done(request: Request, reply: Reply | None) -> Response:
    """The hub's own answer to a write it stored and queued, or the PTP's, relayed."""
    if reply is not None:
        return answer(request, VERSION, reply)
    return ocpi_response(include_data=False)


# --- receiver interface: the PTP writes to a CPO ------------------------------------------------


async def _create_terminal(request: Request, caller: Caller, version: str) -> Response:
    check_version(caller, version, sole=MODULE_NAME)
    wire = _wire(request, "TerminalCreate", await read_json(request))
    await service.create_terminal(runtime_of(request).db, origin(request, caller), wire)
    return ocpi_response(include_data=False)


async def _create_fac(request: Request, caller: Caller, version: str) -> Response:
    check_version(caller, version, sole=MODULE_NAME)
    wire = _wire(request, "FinancialAdviceConfirmation", await read_json(request))
    await service.create_fac(runtime_of(request).db, origin(request, caller), wire)
    return ocpi_response(include_data=False)


async def _get_own(
    request: Request, caller: Caller, version: str, object_id: str, *, kind: str, name: str
) -> Response:
    """A PTP's own Terminal or FinancialAdviceConfirmation, as the hub holds it."""
    check_version(caller, version, sole=MODULE_NAME)
    ptp, stored = await service.get_own(
        runtime_of(request).db, origin(request, caller), object_id, kind
    )
    if stored is None:
        raise NotFound(f"the hub holds no {name} {object_id!r} of {ptp[0]}-{ptp[1]}")
    return ocpi_response(egress(version, name, stored))


# --- sender interface: the CPO writes to a PTP --------------------------------------------------


async def _write_terminal(
    request: Request, caller: Caller, version: str, terminal_id: str, *, patch: bool
) -> Response:
    check_version(caller, version, sole=MODULE_NAME)
    runtime = runtime_of(request)
    name = "TerminalPatch" if patch else "Terminal"
    wire = _wire(request, name, await read_json(request))
    if "terminal_id" in wire and str(wire["terminal_id"]).upper() != terminal_id.upper():
        raise InvalidParameters(
            f"terminal_id: body says {wire['terminal_id']!r}, the URL says {terminal_id!r}"
        )
    reply = await service.write_terminal(
        runtime.db,
        runtime.relay,
        origin(request, caller),
        terminal_id,
        wire=wire,
        patch=patch,
    )
    return _done(request, reply)


async def _activate(request: Request, caller: Caller, version: str) -> Response:
    check_version(caller, version, sole=MODULE_NAME)
    wire = _wire(request, "TerminalActivation", await read_json(request))
    await service.activate(runtime_of(request).db, origin(request, caller), wire)
    return ocpi_response(include_data=False)


async def _deactivate(request: Request, caller: Caller, version: str, terminal_id: str) -> Response:
    check_version(caller, version, sole=MODULE_NAME)
    runtime = runtime_of(request)
    reply = await service.deactivate(
        runtime.db, runtime.relay, origin(request, caller), terminal_id
    )
    return _done(request, reply)


async def _cpo_list(
    request: Request, caller: Caller, version: str, *, kind: str, name: str, base: str
) -> Response:
    check_version(caller, version, sole=MODULE_NAME)
    runtime = runtime_of(request)
    settings = runtime.settings
    query = dict(request.query_params)
    here = settings.public_url + request.url.path
    max_limit = settings.page_limit_for(MODULE)
    found = await service.cpo_list(
        runtime.db,
        runtime.relay,
        origin(request, caller),
        kind,
        (name, query, here, max_limit),
    )
    if isinstance(found, Reply):
        return answer(request, version, found)
    listed, page = found
    paging = Paging(settings.public_url + base, query, page, max_limit)
    data = [egress(version, name, item) for item in listed.items]
    return ocpi_response(data, headers=paging.headers(listed))


async def _cpo_one(
    request: Request, caller: Caller, version: str, object_id: str, *, kind: str, name: str
) -> Response:
    check_version(caller, version, sole=MODULE_NAME)
    runtime = runtime_of(request)
    found = await service.cpo_one(
        runtime.db,
        runtime.relay,
        origin(request, caller),
        object_id,
        kind,
        name,
    )
    if isinstance(found, Reply):
        return answer(request, version, found)
    return ocpi_response(egress(version, name, found))


# --- routes --------------------------------------------------------------------------------------


_TERMINALS_PATH, _FACS_PATH = "/" + SEGMENTS[TERMINAL], "/" + SEGMENTS[FAC]
_TERMINAL = {"kind": TERMINAL, "name": "Terminal"}
_FAC = {"kind": FAC, "name": "FinancialAdviceConfirmation"}


def _receiver(version: str, path: str) -> list[HttpRoute]:
    return [
        HttpRoute("POST", _create_terminal, _TERMINALS_PATH),
        HttpRoute("GET", _get_own, _TERMINALS_PATH + "/{terminal_id}", _TERMINAL),
        HttpRoute("POST", _create_fac, _FACS_PATH),
        HttpRoute("GET", _get_own, _FACS_PATH + "/{fac_id}", _FAC),
    ]


def _sender(version: str, path: str) -> list[HttpRoute]:
    terminal = _TERMINALS_PATH + "/{terminal_id}"
    return [
        HttpRoute("GET", _cpo_list, _TERMINALS_PATH, {**_TERMINAL, "base": path + _TERMINALS_PATH}),
        HttpRoute("POST", _activate, _TERMINALS_PATH + "/activate"),
        HttpRoute("GET", _cpo_one, terminal, _TERMINAL),
        HttpRoute("PUT", _write_terminal, terminal, {"patch": False}),
        HttpRoute("PATCH", _write_terminal, terminal, {"patch": True}),
        HttpRoute("POST", _deactivate, terminal + "/deactivate"),
        HttpRoute("GET", _cpo_list, _FACS_PATH, {**_FAC, "base": path + _FACS_PATH}),
        HttpRoute("GET", _cpo_one, _FACS_PATH + "/{fac_id}", _FAC),
    ]


ROUTES: Declared = declare(ModuleId.PAYMENTS, receiver=_receiver, sender=_sender)
