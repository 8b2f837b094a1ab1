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
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncConnection
from starlette.responses import Response

from ocpihub.errors import InvalidParameters, NotFound, UnknownReceiver
from ocpihub.hub.payments import (
    CPO_ROLES,
    PTP_ROLES,
    REGISTRY_KEY,
    choose_party,
    hosted_party,
    merge_terminal,
    terminal_parties,
    with_registry,
)
from ocpihub.hub.routing import addressed
from ocpihub.inbound.auth import Caller, check_version, registered, runtime_of
from ocpihub.inbound.body import read_json
from ocpihub.inbound.handlers._objects import (
    Push,
    addressed_party,
    correlation_id,
    egress,
    list_selected,
    parse_wire,
    queue_to,
)
from ocpihub.inbound.handlers.payments_ptp import relay_to_ptp
from ocpihub.inbound.interfaces import Declared, HttpRoute
from ocpihub.inbound.responses import ocpi_response
from ocpihub.ocpi.fields import parse_datetime
from ocpihub.ocpi.headers import parse_routing_headers
from ocpihub.ocpi.modules import InterfaceRole, ModuleId
from ocpihub.ocpi.pagination import PageRequest
from ocpihub.outbox.items import ordering_key
from ocpihub.store.objects import ObjectKey, StoredObject, get_object, list_page, put_object
from ocpihub.store.platforms import list_parties
from ocpihub.store.routing import Target, agreed_targets

__all__ = ["ROUTES"]

MODULE = "payments"
MODULE_NAME = "Payments"
VERSION = "2.3.0"
TERMINAL = "terminal"
FAC = "fac"
_TERMINALS, _FACS = "terminals", "financial-advice-confirmations"

Doc = dict[str, Any]
Party = tuple[str, str]


def _wire(request: Request, name: str, body: Any) -> Doc:
    """A validated 2.3.0 body, without any key that poses as the hub's private annotation."""
    wire = parse_wire(runtime_of(request), VERSION, name, body)
    wire.pop(REGISTRY_KEY, None)
    return wire


def _now_text() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


async def _acting(
    conn: AsyncConnection, request: Request, caller: Caller, roles: frozenset[str]
) -> Party:
    """The caller's party of ``roles`` making this request (OCPI-from, else its only one)."""
    hosted = [
        (p.country_code, p.party_id, p.role) for p in await list_parties(conn, caller.platform.id)
    ]
    frm = parse_routing_headers(request.headers).from_party
    return hosted_party(hosted, (frm.country_code, frm.party_id) if frm else None, roles)


def _to_party(request: Request) -> Party | None:
    to = parse_routing_headers(request.headers).to_party
    return (to.country_code, to.party_id) if to else None


async def _counterpart(
    conn: AsyncConnection,
    request: Request,
    caller: Caller,
    me: Party,
    roles: frozenset[str],
    interface_role: str,
    *,
    hint: Party | None = None,
    what: str,
) -> Target:
    """The agreed party of ``roles`` this request goes to, able to receive it (else 4001)."""
    targets = [
        t
        for t in await agreed_targets(conn, me, MODULE, interface_role=interface_role)
        if t.role in roles
    ]
    usable = [
        t
        for t in targets
        if addressed([t], t.party, MODULE, sender_platform_id=caller.platform.id) is not None
    ]
    party = choose_party(_to_party(request), hint, [t.party for t in usable], what=what)
    if party not in {t.party for t in targets}:
        raise UnknownReceiver(
            f"{party[0]}-{party[1]} is no {what} you have an active agreement with covering "
            "payments: the hub does not forward your request"
        )
    target = addressed(usable, party, MODULE, sender_platform_id=caller.platform.id)
    if target is None:
        raise UnknownReceiver(
            f"{party[0]}-{party[1]} cannot receive payments: it is not on OCPI 2.3.0 or does "
            f"not publish the payments {interface_role} interface"
        )
    return target


def _push(
    request: Request,
    sender: Party,
    ptp: Party,
    method: str,
    suffix: str,
    key: str,
    *,
    name: str = "",
    body: Doc | None = None,
) -> Push:
    """One request to queue, sent as ``sender``, ordered per object of the PTP ``ptp``."""
    return Push(
        owner=sender,
        sender_platform_id=0,
        module=MODULE,
        method=method,
        url_suffix=suffix,
        object_name=name,
        payload=body,
        original=body,
        original_version=VERSION,
        ordering_key=ordering_key(MODULE, ptp[0], ptp[1], key),
        correlation_id=correlation_id(request),
    )


async def _store(
    conn: AsyncConnection,
    owner: Party,
    object_id: str,
    kind: str,
    document: Doc,
    original: Doc | None,
) -> bool:
    return await put_object(
        conn,
        ObjectKey.of(MODULE, owner[0], owner[1], object_id, kind),
        document=document,
        last_updated=parse_datetime(document["last_updated"]),
        source_version=VERSION,
        original=original,
    )


# --- receiver interface: the PTP writes to a CPO ------------------------------------------------


async def _create_terminal(request: Request, caller: Caller) -> Response:
    check_version(caller, VERSION, sole=MODULE_NAME)
    runtime = runtime_of(request)
    wire = _wire(request, "TerminalCreate", await read_json(request))
    terminal_id = str(wire["terminal_id"])
    hint = None
    if wire.get("country_code") and wire.get("party_id"):
        hint = (str(wire["country_code"]).upper(), str(wire["party_id"]).upper())
    async with runtime.db.write() as conn:
        ptp = await _acting(conn, request, caller, PTP_ROLES)
        target = await _counterpart(
            conn, request, caller, ptp, CPO_ROLES, "RECEIVER", hint=hint, what="CPO"
        )
        stored = await get_object(
            conn, ObjectKey.of(MODULE, *ptp, terminal_id, TERMINAL), for_update=True
        )
        if stored is not None:
            parties = terminal_parties(stored.document)
            if parties is not None and parties[1] != target.party:
                cpo = parties[1]
                raise InvalidParameters(
                    f"terminal {terminal_id!r} is registered with {cpo[0]}-{cpo[1]}: it cannot "
                    f"be created at {target.country_code}-{target.party_id} as well"
                )
        document = merge_terminal(stored.document if stored else {}, wire)
        document.setdefault("last_updated", _now_text())  # a minimal create carries none
        await _store(
            conn,
            ptp,
            terminal_id,
            TERMINAL,
            with_registry(document, ptp, target.party),
            wire if "last_updated" in wire else None,
        )
        push = _push(
            request,
            ptp,
            ptp,
            "POST",
            "/terminals",
            f"{TERMINAL}:{terminal_id}",
            name="TerminalCreate",
            body=wire,
        )
        await queue_to(conn, push, target, interface_role="RECEIVER")
    return ocpi_response(include_data=False)


async def _create_fac(request: Request, caller: Caller) -> Response:
    check_version(caller, VERSION, sole=MODULE_NAME)
    runtime = runtime_of(request)
    wire = _wire(request, "FinancialAdviceConfirmation", await read_json(request))
    fac_id = str(wire["id"])
    async with runtime.db.write() as conn:
        ptp = await _acting(conn, request, caller, PTP_ROLES)
        target = await _counterpart(conn, request, caller, ptp, CPO_ROLES, "RECEIVER", what="CPO")
        stored = await get_object(conn, ObjectKey.of(MODULE, *ptp, fac_id, FAC))
        if stored is not None and terminal_parties(stored.document) != (ptp, target.party):
            raise InvalidParameters(
                f"financial advice confirmation {fac_id!r} was sent to another CPO already"
            )
        await _store(conn, ptp, fac_id, FAC, with_registry(wire, ptp, target.party), wire)
        push = _push(
            request,
            ptp,
            ptp,
            "POST",
            "/financial-advice-confirmations",
            f"{FAC}:{fac_id}",
            name="FinancialAdviceConfirmation",
            body=wire,
        )
        await queue_to(conn, push, target, interface_role="RECEIVER")
    return ocpi_response(include_data=False)


async def _get_own(
    request: Request, caller: Caller, object_id: str, kind: str, name: str
) -> Response:
    """A PTP's own Terminal or FinancialAdviceConfirmation, as the hub holds it."""
    check_version(caller, VERSION, sole=MODULE_NAME)
    runtime = runtime_of(request)
    async with runtime.db.read() as conn:
        ptp = await _acting(conn, request, caller, PTP_ROLES)
        stored = await get_object(conn, ObjectKey.of(MODULE, *ptp, object_id, kind))
    if stored is None:
        raise NotFound(f"the hub holds no {name} {object_id!r} of {ptp[0]}-{ptp[1]}")
    return ocpi_response(egress(VERSION, name, stored))


# --- sender interface: the CPO writes to a PTP --------------------------------------------------


async def _cpo_objects(
    conn: AsyncConnection, cpo: Party, kind: str, object_id: str | None, ptp: Party | None
) -> list[StoredObject]:
    """Stored objects of ``kind`` that concern ``cpo``: PTPs it has agreements with only."""
    owners = {
        t.party
        for t in await agreed_targets(conn, cpo, MODULE, interface_role="SENDER")
        if t.role in PTP_ROLES
    }
    if ptp is not None:
        owners &= {ptp}
    if not owners:
        return []
    items, _ = await list_page(conn, MODULE, PageRequest(0, 2**31 - 1), owners=owners)
    return [
        item
        for item in items
        if item.key.kind == kind
        and (object_id is None or item.key.object_id.upper() == object_id.upper())
        and (parties := terminal_parties(item.document)) is not None
        and parties[1] == cpo
    ]


async def _cpo_terminal(
    conn: AsyncConnection, request: Request, caller: Caller, terminal_id: str
) -> tuple[Party, StoredObject]:
    """The acting CPO and the terminal it may write to (registered with it), else 404."""
    cpo = await _acting(conn, request, caller, CPO_ROLES)
    found = await _cpo_objects(conn, cpo, TERMINAL, terminal_id, _to_party(request))
    if not found:
        raise NotFound(
            f"no terminal {terminal_id!r} registered with {cpo[0]}-{cpo[1]} through the hub: "
            "you may only write to terminals of your own party"
        )
    if len(found) > 1:
        raise InvalidParameters(
            f"several PTPs have a terminal {terminal_id!r}: name the one with the "
            "OCPI-to-country-code and OCPI-to-party-id headers"
        )
    return cpo, found[0]


async def _addressed_ptp(
    request: Request, caller: Caller, kind: str, object_id: str | None
) -> tuple[Party, Target] | None:
    """(CPO, PTP) when OCPI-to names a PTP and the hub cannot answer for it in full: a list,
    or an object of ``kind`` its registry does not hold for this CPO (issue 15.3)."""
    runtime = runtime_of(request)
    to = addressed_party(request, runtime.settings.hub_party)
    if to is None:
        return None
    async with runtime.db.read() as conn:
        cpo = await _acting(conn, request, caller, CPO_ROLES)
        if object_id is not None and await _cpo_objects(conn, cpo, kind, object_id, to):
            return None
        target = await _counterpart(conn, request, caller, cpo, PTP_ROLES, "SENDER", what="PTP")
    return cpo, target


async def _write_terminal(
    request: Request, caller: Caller, terminal_id: str, *, patch: bool
) -> Response:
    check_version(caller, VERSION, sole=MODULE_NAME)
    runtime = runtime_of(request)
    name = "TerminalPatch" if patch else "Terminal"
    wire = _wire(request, name, await read_json(request))
    if "terminal_id" in wire and str(wire["terminal_id"]).upper() != terminal_id.upper():
        raise InvalidParameters(
            f"terminal_id: body says {wire['terminal_id']!r}, the URL says {terminal_id!r}"
        )
    relayed = await _addressed_ptp(request, caller, TERMINAL, terminal_id)
    if relayed is not None:
        method = "PATCH" if patch else "PUT"
        return await relay_to_ptp(request, *relayed, method, (_TERMINALS, terminal_id), body=wire)
    async with runtime.db.write() as conn:
        cpo, found = await _cpo_terminal(conn, request, caller, terminal_id)
        # read again, locked: concurrent writes of one terminal apply one after the other
        stored = await get_object(conn, found.key, for_update=True) or found
        ptp = (stored.key.country_code, stored.key.party_id)
        target = await _counterpart(
            conn, request, caller, cpo, PTP_ROLES, "SENDER", hint=ptp, what="PTP"
        )
        document = merge_terminal(stored.document, wire) if patch else wire
        await _store(
            conn,
            ptp,
            stored.key.object_id,
            TERMINAL,
            with_registry(document, ptp, cpo),
            None if patch else wire,
        )
        push = _push(
            request,
            cpo,
            ptp,
            "PATCH" if patch else "PUT",
            "/terminals/" + quote(stored.key.object_id, safe=""),
            f"{TERMINAL}:{stored.key.object_id}",
            name=name,
            body=wire,
        )
        await queue_to(conn, push, target, interface_role="SENDER")
    return ocpi_response(include_data=False)


async def _activate(request: Request, caller: Caller) -> Response:
    check_version(caller, VERSION, sole=MODULE_NAME)
    runtime = runtime_of(request)
    wire = _wire(request, "TerminalActivation", await read_json(request))
    async with runtime.db.write() as conn:
        cpo = await _acting(conn, request, caller, CPO_ROLES)
        target = await _counterpart(conn, request, caller, cpo, PTP_ROLES, "SENDER", what="PTP")
        ptp = target.party
        terminal_id = wire.get("terminal_id")
        if terminal_id:
            stored = await get_object(conn, ObjectKey.of(MODULE, *ptp, str(terminal_id), TERMINAL))
            parties = terminal_parties(stored.document) if stored else None
            if parties is not None and parties[1] != cpo:
                raise NotFound(f"terminal {terminal_id!r} is registered with another CPO")
            await _store(conn, ptp, str(terminal_id), TERMINAL, with_registry(wire, ptp, cpo), wire)
        key = f"{TERMINAL}:{terminal_id or wire.get('reference') or 'activate'}"
        push = _push(
            request,
            cpo,
            ptp,
            "POST",
            "/terminals/activate",
            key,
            name="TerminalActivation",
            body=wire,
        )
        await queue_to(conn, push, target, interface_role="SENDER")
    return ocpi_response(include_data=False)


async def _deactivate(request: Request, caller: Caller, terminal_id: str) -> Response:
    check_version(caller, VERSION, sole=MODULE_NAME)
    runtime = runtime_of(request)
    relayed = await _addressed_ptp(request, caller, TERMINAL, terminal_id)
    if relayed is not None:
        segments = (_TERMINALS, terminal_id, "deactivate")
        return await relay_to_ptp(request, *relayed, "POST", segments)
    async with runtime.db.write() as conn:
        cpo, found = await _cpo_terminal(conn, request, caller, terminal_id)
        # read again, locked: concurrent writes of one terminal apply one after the other
        stored = await get_object(conn, found.key, for_update=True) or found
        ptp = (stored.key.country_code, stored.key.party_id)
        target = await _counterpart(
            conn, request, caller, cpo, PTP_ROLES, "SENDER", hint=ptp, what="PTP"
        )
        push = _push(
            request,
            cpo,
            ptp,
            "POST",
            f"/terminals/{quote(stored.key.object_id, safe='')}/deactivate",
            f"{TERMINAL}:{stored.key.object_id}",
        )
        await queue_to(conn, push, target, interface_role="SENDER")
    return ocpi_response(include_data=False)


async def _cpo_list(request: Request, caller: Caller, kind: str, name: str, base: str) -> Response:
    check_version(caller, VERSION, sole=MODULE_NAME)
    runtime = runtime_of(request)
    ptp = await _addressed_ptp(request, caller, kind, None)
    if ptp is not None:
        segment = _TERMINALS if kind == TERMINAL else _FACS
        return await relay_to_ptp(request, *ptp, "GET", (segment,), expect=name, listing=True)
    async with runtime.db.read() as conn:
        cpo = await _acting(conn, request, caller, CPO_ROLES)
        owners = {
            t.party
            for t in await agreed_targets(conn, cpo, MODULE, interface_role="SENDER")
            if t.role in PTP_ROLES
        }

    def concerns(item: StoredObject) -> bool:
        parties = terminal_parties(item.document)
        return item.key.kind == kind and parties is not None and parties[1] == cpo

    return await list_selected(request, caller, MODULE, name, owners, concerns, base_path=base)


async def _cpo_one(
    request: Request, caller: Caller, object_id: str, kind: str, name: str
) -> Response:
    check_version(caller, VERSION, sole=MODULE_NAME)
    runtime = runtime_of(request)
    async with runtime.db.read() as conn:
        cpo = await _acting(conn, request, caller, CPO_ROLES)
        found = await _cpo_objects(conn, cpo, kind, object_id, _to_party(request))
    if not found:
        ptp = await _addressed_ptp(request, caller, kind, object_id)
        if ptp is not None:
            segment = _TERMINALS if kind == TERMINAL else _FACS
            return await relay_to_ptp(request, *ptp, "GET", (segment, object_id), expect=name)
        raise NotFound(f"no {name} {object_id!r} that concerns {cpo[0]}-{cpo[1]}")
    return ocpi_response(egress(VERSION, name, found[0]))


# --- routes --------------------------------------------------------------------------------------


_TERMINALS_PATH, _FACS_PATH = "/" + _TERMINALS, "/" + _FACS


def _receiver(version: str, path: str) -> list[HttpRoute]:
    async def post_terminal(request: Request, c: Caller = Depends(registered)) -> Response:
        return await _create_terminal(request, c)

    async def get_own_terminal(
        terminal_id: str, request: Request, c: Caller = Depends(registered)
    ) -> Response:
        return await _get_own(request, c, terminal_id, TERMINAL, "Terminal")

    async def post_fac(request: Request, c: Caller = Depends(registered)) -> Response:
        return await _create_fac(request, c)

    async def get_own_fac(
        fac_id: str, request: Request, c: Caller = Depends(registered)
    ) -> Response:
        return await _get_own(request, c, fac_id, FAC, "FinancialAdviceConfirmation")

    return [
        HttpRoute("POST", post_terminal, _TERMINALS_PATH),
        HttpRoute("GET", get_own_terminal, _TERMINALS_PATH + "/{terminal_id}"),
        HttpRoute("POST", post_fac, _FACS_PATH),
        HttpRoute("GET", get_own_fac, _FACS_PATH + "/{fac_id}"),
    ]


def _sender(version: str, path: str) -> list[HttpRoute]:
    async def list_terminals(request: Request, c: Caller = Depends(registered)) -> Response:
        return await _cpo_list(request, c, TERMINAL, "Terminal", path + _TERMINALS_PATH)

    async def get_terminal(
        terminal_id: str, request: Request, c: Caller = Depends(registered)
    ) -> Response:
        return await _cpo_one(request, c, terminal_id, TERMINAL, "Terminal")

    async def put_terminal(
        terminal_id: str, request: Request, c: Caller = Depends(registered)
    ) -> Response:
        return await _write_terminal(request, c, terminal_id, patch=False)

    async def patch_terminal(
        terminal_id: str, request: Request, c: Caller = Depends(registered)
    ) -> Response:
        return await _write_terminal(request, c, terminal_id, patch=True)

    async def activate_terminal(request: Request, c: Caller = Depends(registered)) -> Response:
        return await _activate(request, c)

    async def deactivate_terminal(
        terminal_id: str, request: Request, c: Caller = Depends(registered)
    ) -> Response:
        return await _deactivate(request, c, terminal_id)

    async def list_facs(request: Request, c: Caller = Depends(registered)) -> Response:
        return await _cpo_list(request, c, FAC, "FinancialAdviceConfirmation", path + _FACS_PATH)

    async def get_fac(fac_id: str, request: Request, c: Caller = Depends(registered)) -> Response:
        return await _cpo_one(request, c, fac_id, FAC, "FinancialAdviceConfirmation")

    terminal = _TERMINALS_PATH + "/{terminal_id}"
    return [
        HttpRoute("GET", list_terminals, _TERMINALS_PATH),
        HttpRoute("POST", activate_terminal, _TERMINALS_PATH + "/activate"),
        HttpRoute("GET", get_terminal, terminal),
        HttpRoute("PUT", put_terminal, terminal),
        HttpRoute("PATCH", patch_terminal, terminal),
        HttpRoute("POST", deactivate_terminal, terminal + "/deactivate"),
        HttpRoute("GET", list_facs, _FACS_PATH),
        HttpRoute("GET", get_fac, _FACS_PATH + "/{fac_id}"),
    ]


ROUTES: Declared = {
    (ModuleId.PAYMENTS, InterfaceRole.RECEIVER): _receiver,
    (ModuleId.PAYMENTS, InterfaceRole.SENDER): _sender,
}
