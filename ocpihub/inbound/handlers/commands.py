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

The steps shared with Charging Profiles (callback URLs, relaying a result, the sweeper that
sends TIMEOUT results and forgets expired mappings) live here too; the synchronous hop itself is
``_relay.py``.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog
from fastapi import Depends, Request
from starlette.responses import Response

from ocpihub.errors import (
    HubError,
    InvalidParameters,
    NotFound,
    UnknownReceiver,
)
from ocpihub.hub import commands as policy
from ocpihub.inbound.auth import Caller, check_version, registered, runtime_of, version_of
from ocpihub.inbound.body import read_json
from ocpihub.inbound.handlers._objects import correlation_id, parse_wire
from ocpihub.inbound.handlers._relay import (
    Relayed,
    Route,
    forward,
    invalid_object,
    relay_failure,
    relay_object,
    requester_of,
    respond,
    route_to,
    single_object,
)
from ocpihub.inbound.interfaces import Declared, HttpRoute, module_path
from ocpihub.inbound.responses import ocpi_response
from ocpihub.ocpi.fields import parse_datetime
from ocpihub.ocpi.headers import parse_routing_headers
from ocpihub.ocpi.modules import InterfaceRole, ModuleId
from ocpihub.outbound.urls import check_partner_url, join_url
from ocpihub.outbox.enqueue import Delivery, enqueue
from ocpihub.runtime import Runtime
from ocpihub.store import pending as store
from ocpihub.store.objects import find_visible
from ocpihub.translate import TranslationContext, from_canonical, to_canonical

__all__ = [
    "ROUTES",
    "accept_result",
    "callback_url",
    "expire_pending",
    "result_delivery",
    "translated",
]

MODULE = "commands"
SENDER_ROLES = ("EMSP", "OTHER")
log = structlog.get_logger("ocpihub.commands")

Doc = dict[str, Any]


# --- shared with charging profiles ---------------------------------------------------------------


def callback_url(runtime: Runtime, version: str, module: ModuleId, request_id: str) -> str:
    """The hub URL a receiver POSTs its result to, in place of the requester's own."""
    base = module_path(version, module, InterfaceRole.SENDER)
    return f"{runtime.settings.public_url}{base}/results/{request_id}"


def translated(doc: Doc, name: str, source: str, target: str, ctx: TranslationContext) -> Doc:
    """A validated wire object of ``source``'s version in ``target``'s (same version: as is)."""
    if source == target:
        return doc
    out, _ = from_canonical(target, name, to_canonical(source, name, doc, ctx))
    return out


def result_delivery(
    req: store.PendingRequest, name: str, canonical: Doc, original: Doc | None = None
) -> Delivery:
    """The outbox item carrying a result to the requester's ``response_url``: from the receiver
    (OCPI-from) to the requester, in the requester's version; ``original`` (wire JSON of the
    receiver's version) goes untouched to a requester of that version."""
    assert req.response_url is not None
    return Delivery(
        receiver_platform_id=req.requester_platform_id,
        receiver_party=req.requester,
        sender_party=req.receiver,
        module=req.module,
        method="POST",
        url_suffix="",
        target_url=req.response_url,
        # one queue per request: a reservation's later results follow its first
        ordering_key=f"{req.module}:results:{req.id}",
        correlation_id=req.correlation_id,
        interface_role=InterfaceRole.SENDER.value,
        object_name=name,
        payload=canonical,
        original=original,
        original_version=req.receiver_version if original is not None else None,
    )


async def accept_result(
    request: Request,
    caller: Caller,
    request_id: str,
    module: ModuleId,
    result_name: str | Callable[[store.PendingRequest], str],
    decide: store.RelayPolicy,
) -> tuple[store.PendingRequest, Doc, str] | Response:
    """Steps 1–3 of a result arriving on a hub callback URL: find the pending request (only its
    receiver may post there), validate the body in the receiver's version, claim the relay.
    Returns the request, the body and its result value, or the answer for a duplicate."""
    runtime = runtime_of(request)
    async with runtime.db.read() as conn:
        req = await store.get_pending(conn, request_id)
    if req is None or req.module != module.value or req.receiver_platform_id != caller.platform.id:
        raise NotFound("unknown or expired response_url: the hub expects no result here")
    name = result_name(req) if callable(result_name) else str(result_name)
    # a 2.1.1 CPO posts its result as a CommandResponse body (digest §7 item 15)
    legacy = module is ModuleId.COMMANDS and req.receiver_version == "2.1.1"
    wire_name = "CommandResponse" if legacy else name
    body = parse_wire(runtime, req.receiver_version, wire_name, await read_json(request))
    result = str(body["result"])
    ctx = TranslationContext(country_code=req.receiver[0], party_id=req.receiver[1])
    canonical = to_canonical(req.receiver_version, name, body, ctx)
    async with runtime.db.write() as conn:
        claimed = await store.claim_result(conn, request_id, result, decide)
        if claimed is not None and claimed.response_url is not None:
            # relayed by the outbox: stored with the claim, so no crash can lose it
            await enqueue(conn, [result_delivery(claimed, name, canonical, body)])
    if claimed is None:
        log.info("result_not_relayed", pending=req.id, result=result)
        return ocpi_response(include_data=False)
    return claimed, body, result


async def sweep(runtime: Runtime, now: datetime) -> None:
    """Send TIMEOUT results that are due, then forget expired mappings."""
    async with runtime.db.read() as conn:
        due = await store.due_timeouts(conn, now)
    timeout = policy.timeout_result()
    for request_id in due:
        async with runtime.db.write() as conn:
            req = await store.claim_result(conn, request_id, "TIMEOUT", policy.relays)
            if req is not None and req.module == MODULE and req.response_url is not None:
                await enqueue(conn, [result_delivery(req, "CommandResult", timeout)])
    async with runtime.db.write() as conn:
        await store.delete_expired(conn, now)


async def expire_pending(runtime: Runtime) -> None:
    """Background task (``app.py`` lifespan): sweep every few seconds, sooner for a small
    grace period, so a TIMEOUT reaches the eMSP soon after the grace ends."""
    every = min(5.0, max(0.1, runtime.settings.command_result_grace_seconds / 2))
    while True:
        await asyncio.sleep(every)
        try:
            await sweep(runtime, datetime.now(UTC))
        except Exception:  # one failed sweep must not end the task; the next one retries
            log.warning("pending_sweep_failed", exc_info=True)


# --- receiver interface: the eMSP's command --------------------------------------------------


async def _route(
    runtime: Runtime, request: Request, requester: tuple[str, str], command: str, body: Doc
) -> Route:
    """Decide the CPO: OCPI-to headers, else the routing key of the command."""
    directory = runtime.directory
    targets = {
        t.party: t
        for t in await directory.agreed_targets(requester, MODULE, interface_role="RECEIVER")
        if t.role == "CPO"
    }
    to = parse_routing_headers(request.headers).to_party
    if to is not None:
        cpo = (to.country_code, to.party_id)
        if cpo not in targets:
            raise UnknownReceiver(
                f"{cpo[0]}-{cpo[1]} (OCPI-to) is no CPO you have an active agreement with "
                "covering commands: the hub does not forward your command"
            )
        return await route_to(directory, requester, targets[cpo], MODULE)
    key = policy.routing_key(command, body)
    if key.kind == "reservation":
        async with runtime.db.read() as conn:
            reservation = await store.find_reservation(
                conn, requester, key.value, datetime.now(UTC)
            )
        found = None if reservation is None else reservation.receiver
    else:
        module = "locations" if key.kind == "location" else "sessions"
        async with runtime.db.read() as conn:
            stored = await find_visible(conn, module, key.value, targets)
            found = None if stored is None else (stored.key.country_code, stored.key.party_id)
            others = set(targets) - {found} if found is not None else set()
            elsewhere = await find_visible(conn, module, key.value, others)
        if elsewhere is not None:
            raise InvalidParameters(
                f"several CPOs have a {key.kind} {key.value!r}: name the one to ask with the "
                "OCPI-to-country-code and OCPI-to-party-id headers"
            )
    if found is None or found not in targets:
        raise UnknownReceiver(
            f"the hub knows no {key.kind} {key.value!r} of a CPO you have an active agreement "
            "with covering commands: name the CPO with the OCPI-to headers"
        )
    return await route_to(directory, requester, targets[found], MODULE)


async def _new_pending(
    runtime: Runtime,
    request: Request,
    caller: Caller,
    route: Route,
    command: str,
    response_url: str,
    reference: str | None,
) -> store.PendingRequest:
    now = datetime.now(UTC)
    req = store.PendingRequest(
        id=secrets.token_urlsafe(24),
        module=MODULE,
        kind=command,
        requester_platform_id=caller.platform.id,
        requester=route.requester,
        requester_version=version_of(caller),
        receiver_platform_id=route.platform.id,
        receiver=route.receiver,
        receiver_version=route.version,
        response_url=response_url,
        correlation_id=correlation_id(request),
        reference=reference,
        # until the CPO answers: long enough for a result racing the answer
        expires_at=now + timedelta(seconds=runtime.settings.request_timeout + 60),
        created_at=now,
    )
    await runtime.db.batched(lambda conn: store.add_pending(conn, req))
    return req


async def _command(request: Request, caller: Caller, version: str, command: str) -> Response:
    check_version(caller, version)
    runtime = runtime_of(request)
    command = command.upper()
    offered = [c for c in policy.COMMANDS if version != "2.1.1" or c != "CANCEL_RESERVATION"]
    if command not in offered:
        raise NotFound(f"unknown command {command!r}: one of {', '.join(offered)}")
    name = policy.COMMAND_OBJECTS[command]
    wire = parse_wire(runtime, version, name, await read_json(request))
    response_url = check_partner_url(
        wire["response_url"],
        allow_private=runtime.settings.allow_private_addresses,
        field="response_url",
    )
    requester = await requester_of(runtime.directory, request, caller, SENDER_ROLES)
    ctx = TranslationContext(country_code=requester[0], party_id=requester[1])
    canon = to_canonical(version, name, wire, ctx)
    route = await _route(runtime, request, requester, command, canon)
    if policy.cancel_unsupported(command, route.version):
        refusal, _ = from_canonical(version, "CommandResponse", policy.not_supported_response())
        return respond(version, refusal, 1000, None, 200, route)
    reference = str(canon["reservation_id"]) if command == "RESERVE_NOW" else None
    req = await _new_pending(runtime, request, caller, route, command, response_url, reference)
    hub_url = callback_url(runtime, route.version, ModuleId.COMMANDS, req.id)
    if version == route.version:
        body = {**wire, "response_url": hub_url}
    else:
        body, _ = from_canonical(route.version, name, {**canon, "response_url": hub_url}, ctx)
    try:
        answer = await forward(
            runtime, request, route, "POST", join_url(route.url, command), json=body, module=MODULE
        )
    except BaseException:
        async with runtime.db.write() as conn:
            await store.delete_pending(conn, req.id)
        raise
    return await _answer(runtime, version, req, canon, answer)


async def _wait_for_result(
    runtime: Runtime, req: store.PendingRequest, canon: Doc, cpo_timeout: int
) -> None:
    """Keep the pending command until its result, or until the hub's TIMEOUT result."""
    expiry = canon.get("expiry_date")
    limits = policy.deadlines(
        req.kind,
        datetime.now(UTC),
        cpo_timeout,
        runtime.settings.command_result_grace_seconds,
        parse_datetime(expiry) if isinstance(expiry, str) else None,
    )
    await runtime.db.batched(
        lambda conn: store.set_deadlines(
            conn, req.id, result_due_at=limits.result_due, expires_at=limits.expires
        )
    )


async def _answer(
    runtime: Runtime, version: str, req: store.PendingRequest, canon: Doc, answer: Relayed
) -> Response:
    """The CPO's CommandResponse, relayed; an ACCEPTED one starts the wait for the result.

    A success without a valid CommandResponse is answered 4000, and the command stays pending
    (the CPO took it, after a fashion): its CommandResult is still relayed, or the hub's
    TIMEOUT after the default wait.
    """
    if not answer.success:
        async with runtime.db.write() as conn:
            await store.delete_pending(conn, req.id)
        return relay_failure(version, answer)
    route = answer.route
    try:
        wire = parse_wire(
            runtime,
            route.version,
            "CommandResponse",
            single_object(answer, "CommandResponse"),
            route.platform,
        )
    except (HubError, InvalidParameters) as exc:
        await _wait_for_result(runtime, req, canon, policy.UNANSWERED_TIMEOUT)
        if isinstance(exc, HubError):
            raise
        raise invalid_object(answer, "CommandResponse", exc.message) from None
    response = to_canonical(route.version, "CommandResponse", wire)
    grace = runtime.settings.command_result_grace_seconds
    if response["result"] == "ACCEPTED":
        await _wait_for_result(runtime, req, canon, int(response["timeout"]))
        response["timeout"] = policy.announced_timeout(int(response["timeout"]), grace)
    else:
        await runtime.db.batched(lambda conn: store.delete_pending(conn, req.id))
    out, _ = from_canonical(version, "CommandResponse", response)
    return relay_object(version, answer, out)


# --- sender interface: the CPO's result on the hub callback URL ------------------------------


async def _result(request: Request, caller: Caller, request_id: str) -> Response:
    accepted = await accept_result(
        request, caller, request_id, ModuleId.COMMANDS, "CommandResult", policy.relays
    )
    if isinstance(accepted, Response):
        return accepted
    return ocpi_response(include_data=False)


# --- routes --------------------------------------------------------------------------------------


def _receiver(version: str, path: str) -> list[HttpRoute]:
    async def post_command(
        command: str, request: Request, c: Caller = Depends(registered)
    ) -> Response:
        return await _command(request, c, version, command)

    return [HttpRoute("POST", post_command, "/{command}")]


def _sender(version: str, path: str) -> list[HttpRoute]:
    async def post_command_result(
        request_id: str, request: Request, c: Caller = Depends(registered)
    ) -> Response:
        return await _result(request, c, request_id)

    return [HttpRoute("POST", post_command_result, "/results/{request_id}")]


ROUTES: Declared = {
    (ModuleId.COMMANDS, InterfaceRole.RECEIVER): _receiver,
    (ModuleId.COMMANDS, InterfaceRole.SENDER): _sender,
}
