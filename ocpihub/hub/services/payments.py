"""Payments through the hub (OCPI 2.3.0 core, digest §3.9): terminals and financial advice,
routed to the one party each write concerns (``hub/payments.py`` decides; never a broadcast).

Each accepted write is stored (module ``payments``; ``kind`` ``terminal`` or ``fac``; owner the
PTP; the hub-private annotation names the CPO) and queued in the same transaction. A CPO's
request the registry cannot answer for a PTP its OCPI-to names is relayed to that PTP
(``hub/services/payments_relay.py``). Only 2.3.0 partners that publish the module's interface
can be addressed; anyone else is refused with 4001 and nothing is stored.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from ocpihub.errors import InvalidParameters, NotFound, UnknownReceiver
from ocpihub.hub.origin import Origin, Party
from ocpihub.hub.payments import (
    CPO_ROLES,
    PTP_ROLES,
    choose_party,
    hosted_party,
    merge_terminal,
    terminal_parties,
    with_registry,
)
from ocpihub.hub.relay import Relay, Reply
from ocpihub.hub.routing import addressed
from ocpihub.hub.services.objects import Listed, Push, list_selected, queue_to, store_object
from ocpihub.hub.services.payments_relay import PtpRequest, relay_to_ptp
from ocpihub.model.parties import Target
from ocpihub.ocpi.modules import ModuleId, module
from ocpihub.ocpi.pagination import PageRequest, parse_page_request
from ocpihub.store.db import Connection, Database
from ocpihub.store.objects import ObjectKey, StoredObject, get_object, list_page
from ocpihub.store.platforms import list_parties
from ocpihub.store.routing import agreed_targets

__all__ = [
    "FAC",
    "TERMINAL",
    "activate",
    "cpo_list",
    "cpo_one",
    "create_fac",
    "create_terminal",
    "deactivate",
    "get_own",
    "write_terminal",
]

MODULE = "payments"
(VERSION,) = module(ModuleId.PAYMENTS).versions  # the one version that defines it
TERMINAL = "terminal"
FAC = "fac"
SEGMENTS = {TERMINAL: "terminals", FAC: "financial-advice-confirmations"}

Doc = dict[str, Any]


def _now_text() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


async def _acting(conn: Connection, origin: Origin, roles: frozenset[str]) -> Party:
    """The caller's party of ``roles`` making this request (OCPI-from, else its only one)."""
    hosted = [
        (p.country_code, p.party_id, p.role) for p in await list_parties(conn, origin.platform_id)
    ]
    return hosted_party(hosted, origin.from_party, roles)


async def _counterpart(
    conn: Connection,
    origin: Origin,
    me: Party,
    roles: frozenset[str],
    interface_role: str,
    *,
    hint: Party | None = None,
    what: str,
) -> Target:
    """The agreed party of ``roles`` this request goes to, able to receive it (else 4001)."""
    sender = origin.platform_id
    targets = [
        t
        for t in await agreed_targets(conn, me, MODULE, interface_role=interface_role)
        if t.role in roles
    ]
    usable = [t for t in targets if addressed([t], t.party, MODULE, sender_platform_id=sender)]
    party = choose_party(origin.to_party, hint, [t.party for t in usable], what=what)
    if party not in {t.party for t in targets}:
        raise UnknownReceiver(
            f"{party[0]}-{party[1]} is no {what} you have an active agreement with covering "
            "payments: the hub does not forward your request"
        )
    target = addressed(usable, party, MODULE, sender_platform_id=sender)
    if target is None:
        raise UnknownReceiver(
            f"{party[0]}-{party[1]} cannot receive payments: it is not on OCPI 2.3.0 or does "
            f"not publish the payments {interface_role} interface"
        )
    return target


def _push(
    origin: Origin,
    sender: Party,
    ptp: Party,
    request: tuple[str, str, str],
    *,
    name: str = "",
    body: Doc | None = None,
) -> Push:
    """One request to queue (``request``: method, URL suffix, the object's id, ordered within
    the PTP's objects), sent as ``sender``."""
    return Push.of(
        origin, sender, MODULE, request, name=name, payload=body, original=body, ordered_by=ptp
    )


async def _store(
    conn: Connection,
    owner: Party,
    object_id: str,
    kind: str,
    document: Doc,
    original: Doc | None,
) -> bool:
    return await store_object(
        conn, ObjectKey.of(MODULE, owner[0], owner[1], object_id, kind), document, VERSION, original
    )


# --- receiver interface: the PTP writes to a CPO ------------------------------------------------


async def create_terminal(db: Database, origin: Origin, wire: Doc) -> None:
    """A PTP's TerminalCreate: stored (merged into a terminal it sent before, which must be
    registered with the same CPO) and queued to the CPO."""
    terminal_id = str(wire["terminal_id"])
    hint = None
    if wire.get("country_code") and wire.get("party_id"):
        hint = (str(wire["country_code"]).upper(), str(wire["party_id"]).upper())
    async with db.write() as conn:
        ptp = await _acting(conn, origin, PTP_ROLES)
        target = await _counterpart(conn, origin, ptp, CPO_ROLES, "RECEIVER", hint=hint, what="CPO")
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
        original = wire if "last_updated" in wire else None
        registered = with_registry(document, ptp, target.party)
        await _store(conn, ptp, terminal_id, TERMINAL, registered, original)
        sent = ("POST", "/terminals", f"{TERMINAL}:{terminal_id}")
        push = _push(origin, ptp, ptp, sent, name="TerminalCreate", body=wire)
        await queue_to(conn, push, target, interface_role="RECEIVER")


async def create_fac(db: Database, origin: Origin, wire: Doc) -> None:
    """A PTP's FinancialAdviceConfirmation: stored and queued to the CPO (sent once only)."""
    fac_id = str(wire["id"])
    async with db.write() as conn:
        ptp = await _acting(conn, origin, PTP_ROLES)
        target = await _counterpart(conn, origin, ptp, CPO_ROLES, "RECEIVER", what="CPO")
        stored = await get_object(conn, ObjectKey.of(MODULE, *ptp, fac_id, FAC))
        if stored is not None and terminal_parties(stored.document) != (ptp, target.party):
            raise InvalidParameters(
                f"financial advice confirmation {fac_id!r} was sent to another CPO already"
            )
        await _store(conn, ptp, fac_id, FAC, with_registry(wire, ptp, target.party), wire)
        sent = ("POST", "/financial-advice-confirmations", f"{FAC}:{fac_id}")
        push = _push(origin, ptp, ptp, sent, name="FinancialAdviceConfirmation", body=wire)
        await queue_to(conn, push, target, interface_role="RECEIVER")


async def get_own(
    db: Database, origin: Origin, object_id: str, kind: str
) -> tuple[Party, StoredObject | None]:
    """The acting PTP and its own Terminal or FinancialAdviceConfirmation, as the hub holds it."""
    async with db.read() as conn:
        ptp = await _acting(conn, origin, PTP_ROLES)
        return ptp, await get_object(conn, ObjectKey.of(MODULE, *ptp, object_id, kind))


# --- sender interface: the CPO writes to a PTP --------------------------------------------------


async def _cpo_objects(
    conn: Connection, cpo: Party, kind: str, object_id: str | None, ptp: Party | None
) -> list[StoredObject]:
    """Stored objects of ``kind`` that concern ``cpo``: PTPs it has agreements with only."""
    owners = await _cpo_ptps(conn, cpo)
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


async def _cpo_ptps(conn: Connection, cpo: Party) -> set[Party]:
    """The PTPs a CPO has agreements covering payments with."""
    return {
        t.party
        for t in await agreed_targets(conn, cpo, MODULE, interface_role="SENDER")
        if t.role in PTP_ROLES
    }


async def _cpo_terminal(
    conn: Connection, origin: Origin, terminal_id: str
) -> tuple[Party, StoredObject]:
    """The acting CPO and the terminal it may write to (registered with it), else 404."""
    cpo = await _acting(conn, origin, CPO_ROLES)
    found = await _cpo_objects(conn, cpo, TERMINAL, terminal_id, origin.to_party)
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
    db: Database, origin: Origin, kind: str, object_id: str | None
) -> tuple[Party, Target] | None:
    """(CPO, PTP) when OCPI-to names a PTP and the hub cannot answer for it in full: a list,
    or an object of ``kind`` its registry does not hold for this CPO (issue 15.3)."""
    to = origin.addressed()
    if to is None:
        return None
    async with db.read() as conn:
        cpo = await _acting(conn, origin, CPO_ROLES)
        if object_id is not None and await _cpo_objects(conn, cpo, kind, object_id, to):
            return None
        target = await _counterpart(conn, origin, cpo, PTP_ROLES, "SENDER", what="PTP")
    return cpo, target


async def _registered_terminal(
    conn: Connection, origin: Origin, terminal_id: str
) -> tuple[Party, StoredObject, Target]:
    """The acting CPO, the terminal registered with it (read locked: concurrent writes of one
    terminal apply one after the other) and the terminal's PTP to send the write to."""
    cpo, found = await _cpo_terminal(conn, origin, terminal_id)
    stored = await get_object(conn, found.key, for_update=True) or found
    ptp = (stored.key.country_code, stored.key.party_id)
    target = await _counterpart(conn, origin, cpo, PTP_ROLES, "SENDER", hint=ptp, what="PTP")
    return cpo, stored, target


async def write_terminal(
    db: Database,
    relay: Relay,
    origin: Origin,
    terminal_id: str,
    *,
    wire: Doc,
    patch: bool,
) -> Reply | None:
    """A CPO's PUT or PATCH of a terminal: stored and queued to its PTP (None), or relayed to
    the PTP OCPI-to names when the registry does not hold it for this CPO (its Reply)."""
    method = "PATCH" if patch else "PUT"
    relayed = await _addressed_ptp(db, origin, TERMINAL, terminal_id)
    if relayed is not None:
        asked = PtpRequest(method, (SEGMENTS[TERMINAL], terminal_id), body=wire)
        return await relay_to_ptp(relay, origin, *relayed, asked)
    async with db.write() as conn:
        cpo, stored, target = await _registered_terminal(conn, origin, terminal_id)
        ptp, object_id = target.party, stored.key.object_id
        document = merge_terminal(stored.document, wire) if patch else wire
        registered = with_registry(document, ptp, cpo)
        await _store(conn, ptp, object_id, TERMINAL, registered, None if patch else wire)
        sent = (method, "/terminals/" + quote(object_id, safe=""), f"{TERMINAL}:{object_id}")
        name = "TerminalPatch" if patch else "Terminal"
        push = _push(origin, cpo, ptp, sent, name=name, body=wire)
        await queue_to(conn, push, target, interface_role="SENDER")
    return None


async def activate(db: Database, origin: Origin, wire: Doc) -> None:
    """A CPO's TerminalActivation: the terminal (when named) stored for it, the activation
    queued to the PTP (OCPI-to, else the only agreed PTP)."""
    async with db.write() as conn:
        cpo = await _acting(conn, origin, CPO_ROLES)
        target = await _counterpart(conn, origin, cpo, PTP_ROLES, "SENDER", what="PTP")
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
            origin,
            cpo,
            ptp,
            ("POST", "/terminals/activate", key),
            name="TerminalActivation",
            body=wire,
        )
        await queue_to(conn, push, target, interface_role="SENDER")


async def deactivate(db: Database, relay: Relay, origin: Origin, terminal_id: str) -> Reply | None:
    """A CPO's deactivation of a terminal: queued to its PTP (None), or relayed to the PTP
    OCPI-to names when the registry does not hold it for this CPO (its Reply)."""
    relayed = await _addressed_ptp(db, origin, TERMINAL, terminal_id)
    if relayed is not None:
        asked = PtpRequest("POST", (SEGMENTS[TERMINAL], terminal_id, "deactivate"))
        return await relay_to_ptp(relay, origin, *relayed, asked)
    async with db.write() as conn:
        cpo, stored, target = await _registered_terminal(conn, origin, terminal_id)
        object_id = stored.key.object_id
        suffix = f"/terminals/{quote(object_id, safe='')}/deactivate"
        push = _push(origin, cpo, target.party, ("POST", suffix, f"{TERMINAL}:{object_id}"))
        await queue_to(conn, push, target, interface_role="SENDER")
    return None


async def cpo_list(
    db: Database,
    relay: Relay,
    origin: Origin,
    kind: str,
    listing: tuple[str, Mapping[str, str], str, int],
) -> tuple[Listed, PageRequest] | Reply:
    """The terminals or confirmations (``kind``) that concern the acting CPO, a page from the
    registry (and the page read); or the list of the PTP OCPI-to names, relayed with the
    CPO's paging parameters as given (``listing``: the object name, the query parameters, the
    hub's URL of the list, the hub's page size limit)."""
    name, query, here, max_limit = listing
    ptp = await _addressed_ptp(db, origin, kind, None)
    if ptp is not None:
        asked = PtpRequest(
            "GET", (SEGMENTS[kind],), expect=name, listing=True, query=query, here=here
        )
        return await relay_to_ptp(relay, origin, *ptp, asked)
    async with db.read() as conn:
        cpo = await _acting(conn, origin, CPO_ROLES)
        owners = await _cpo_ptps(conn, cpo)

    def concerns(item: StoredObject) -> bool:
        parties = terminal_parties(item.document)
        return item.key.kind == kind and parties is not None and parties[1] == cpo

    page = parse_page_request(query, max_limit=max_limit)
    return await list_selected(db, MODULE, owners, concerns, page), page


async def cpo_one(
    db: Database, relay: Relay, origin: Origin, object_id: str, kind: str, name: str
) -> StoredObject | Reply:
    """One terminal or confirmation that concerns the acting CPO, from the registry; else the
    PTP OCPI-to names is asked (404 when none is named)."""
    async with db.read() as conn:
        cpo = await _acting(conn, origin, CPO_ROLES)
        found = await _cpo_objects(conn, cpo, kind, object_id, origin.to_party)
    if found:
        return found[0]
    ptp = await _addressed_ptp(db, origin, kind, object_id)
    if ptp is None:
        raise NotFound(f"no {name} {object_id!r} that concerns {cpo[0]}-{cpo[1]}")
    asked = PtpRequest("GET", (SEGMENTS[kind], object_id), expect=name)
    return await relay_to_ptp(relay, origin, *ptp, asked)
