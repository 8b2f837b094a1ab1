"""Results of asynchronous requests (Commands, Charging Profiles): the pending request the hub
keeps while a receiver works, the result it POSTs to the hub's callback URL relayed to the
requester's own ``response_url`` through the durable outbox, and the sweeper that sends TIMEOUT
results and forgets expired mappings (``hub/commands.py`` decides the deadlines and which
results go on).
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog

from ocpihub.errors import HubError, NotFound
from ocpihub.hub import commands as policy
from ocpihub.hub.origin import Origin
from ocpihub.hub.relay import Relay, Relayed, Reply, Route
from ocpihub.ocpi.version import ocpi_version
from ocpihub.ocpi.versions import InterfaceRole
from ocpihub.outbox.enqueue import Delivery, enqueue
from ocpihub.store import pending as store
from ocpihub.store.db import Database
from ocpihub.translate import TranslationContext, to_canonical

__all__ = [
    "CallbackUrl",
    "Result",
    "accept_result",
    "expire_pending",
    "forward_pending",
    "new_pending",
    "result_delivery",
    "sweep",
]

log = structlog.get_logger("ocpihub.commands")

Doc = dict[str, Any]

CallbackUrl = Callable[[str, str], str]
"""``(receiver's version, pending request id)``: the hub URL the receiver POSTs its result to,
in place of the requester's own ``response_url`` (built at the edge, where routes are known)."""

BodyReader = Callable[[], Awaitable[Any]]
"""Reads the result's JSON body: only once the pending request it is for is known."""


def new_pending(
    origin: Origin,
    route: Route,
    module: str,
    kind: str,
    response_url: str,
    reference: str | None,
    request_timeout: float,
) -> store.PendingRequest:
    """The pending request of a forwarded request, until the receiver answers: long enough for
    a result racing the answer."""
    now = datetime.now(UTC)
    return store.PendingRequest(
        id=secrets.token_urlsafe(24),
        module=module,
        kind=kind,
        requester_platform_id=origin.platform_id,
        requester=route.requester,
        requester_version=origin.version,
        receiver_platform_id=route.platform.id,
        receiver=route.receiver,
        receiver_version=route.version,
        response_url=response_url,
        correlation_id=origin.correlation_id,
        reference=reference,
        expires_at=now + timedelta(seconds=request_timeout + 60),
        created_at=now,
    )


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


Result = tuple[store.PendingRequest, str]
"""A result accepted for relaying: the pending request it answers, and the result value."""


async def accept_result(
    db: Database,
    relay: Relay,
    platform_id: int,
    request_id: str,
    module: str,
    result_name: str | Callable[[store.PendingRequest], str],
    decide: store.RelayPolicy,
    read_body: BodyReader,
) -> Result | None:
    """A result arriving on a hub callback URL: find the pending request (only its receiver
    may post there), validate the body in the receiver's version, claim the relay and queue
    the result for the requester in the claim's transaction (so no crash can lose it).
    None: a duplicate, not relayed."""
    async with db.read() as conn:
        req = await store.get_pending(conn, request_id)
    if req is None or req.module != module or req.receiver_platform_id != platform_id:
        raise NotFound("unknown or expired response_url: the hub expects no result here")
    name = result_name(req) if callable(result_name) else str(result_name)
    # a 2.1.1 CPO posts its result as a CommandResponse body (digest §7 item 15)
    legacy = module == "commands" and not ocpi_version(req.receiver_version).has_command_result
    wire_name = "CommandResponse" if legacy else name
    body = relay.parse(req.receiver_version, wire_name, await read_body())
    result = str(body["result"])
    ctx = TranslationContext(country_code=req.receiver[0], party_id=req.receiver[1])
    canonical = to_canonical(req.receiver_version, name, body, ctx)
    async with db.write() as conn:
        claimed = await store.claim_result(conn, request_id, result, decide)
        if claimed is not None and claimed.response_url is not None:
            await enqueue(conn, [result_delivery(claimed, name, canonical, body)])
    if claimed is None:
        log.info("result_not_relayed", pending=req.id, result=result)
        return None
    return claimed, result


Keep = Callable[[int], Awaitable[None]]
"""Keeps a pending request for a result expected within the given seconds (plus the grace)."""


async def forward_pending(
    db: Database,
    relay: Relay,
    req: store.PendingRequest,
    hop: tuple[Route, str, str],
    *,
    expect: str,
    keep: Keep,
    json: Any = None,
    params: dict[str, str] | None = None,
) -> tuple[Relayed, Doc] | Reply:
    """The synchronous hop of a request whose result comes later (``hop``: the route, the
    method and the URL), and the receiver's ``expect`` response object, validated.

    The pending request is forgotten when the hop fails or the receiver refuses (no result will
    come; its 2xxx/3xxx is the Reply). A success without a valid response object is answered
    4000 and the pending request kept for the default wait (the receiver took the request,
    after a fashion): its result is still relayed.
    """
    route, method, url = hop
    try:
        answer = await relay.forward(
            route, method, url, correlation_id=req.correlation_id, json=json, params=params
        )
    except BaseException:
        async with db.write() as conn:
            await store.delete_pending(conn, req.id)
        raise
    if not answer.success:
        async with db.write() as conn:
            await store.delete_pending(conn, req.id)
        return Reply.failure(answer)
    try:
        return answer, relay.checked(answer, expect)
    except HubError:
        await keep(policy.UNANSWERED_TIMEOUT)
        raise


async def sweep(db: Database, now: datetime) -> None:
    """Send TIMEOUT results that are due, then forget expired mappings."""
    async with db.read() as conn:
        due = await store.due_timeouts(conn, now)
    timeout = policy.timeout_result()
    for request_id in due:
        async with db.write() as conn:
            req = await store.claim_result(conn, request_id, "TIMEOUT", policy.relays)
            if req is not None and req.module == "commands" and req.response_url is not None:
                await enqueue(conn, [result_delivery(req, "CommandResult", timeout)])
    async with db.write() as conn:
        await store.delete_expired(conn, now)


async def expire_pending(db: Database, grace_seconds: float) -> None:
    """Background task (``app.py`` lifespan): sweep every few seconds, sooner for a small
    grace period, so a TIMEOUT reaches the eMSP soon after the grace ends."""
    every = min(5.0, max(0.1, grace_seconds / 2))
    while True:
        await asyncio.sleep(every)
        try:
            await sweep(db, datetime.now(UTC))
        except Exception:  # one failed sweep must not end the task; the next one retries
            log.warning("pending_sweep_failed", exc_info=True)
