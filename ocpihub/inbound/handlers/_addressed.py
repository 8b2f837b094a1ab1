"""Steps shared by the addressed modules (Sessions, CDRs): token cache lookups for 2.1.1,
translation contexts, the receiver check, per-receiver bodies, and the mailbox listing.

An addressed push goes to the ONE party it concerns (OCPI-to headers, else the ``cdr_token``
owner, else — 2.1.1 — the stored token behind ``auth_id``; digest §1.9), never broadcast; each
object is also filed under its receiver (the "mailbox"), which is what GET all lists.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime
from typing import Any

import orjson
import structlog
from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncConnection
from starlette.responses import Response

from ocpihub.errors import (
    InvalidParameters,
    UnknownReceiver,
)
from ocpihub.hub.agreements import partners
from ocpihub.hub.routing import addressed
from ocpihub.hub.sessions import (
    PRIVATE,
    mailbox_key,
    mailbox_module,
)
from ocpihub.inbound.auth import Caller, runtime_of, version_of
from ocpihub.inbound.handlers._objects import (
    egress_json,
    list_response,
)
from ocpihub.ocpi.fields import parse_datetime
from ocpihub.ocpi.headers import parse_routing_headers
from ocpihub.ocpi.pagination import PageRequest, page_headers, parse_page_request
from ocpihub.runtime import Runtime
from ocpihub.store.agreements import list_agreements
from ocpihub.store.objects import (
    ObjectKey,
    StoredObject,
    find_visible,
    get_object,
    list_page,
    list_page_json,
    put_object,
)
from ocpihub.store.platforms import list_parties
from ocpihub.store.routing import Target, agreed_targets
from ocpihub.translate import MissingContext, TranslationContext, from_canonical

__all__ = [
    "OWNER_ROLES",
    "down_context",
    "file_in_mailbox",
    "list_addressed",
    "receiver_for",
    "render",
    "target_body",
    "to_party",
    "up_context",
]

OWNER_ROLES = ("CPO",)
log = structlog.get_logger("ocpihub.addressed")


# --- ------------------------------------------------------------------------


def to_party(request: Request) -> tuple[str, str] | None:
    """The OCPI-to party of the request, if it names one."""
    to = parse_routing_headers(request.headers).to_party
    return None if to is None else (to.country_code, to.party_id)


async def _token_lookup(
    conn: AsyncConnection, owner: tuple[str, str], module: str, auth_id: str
) -> dict[str, Any] | None:
    """The stored Token a 2.1.1 ``auth_id`` names, among the tokens of the owner's partners.

    2.1.1's ``auth_id`` is the token's contract id (canonical ``contract_id``); a uid match is
    the fallback. Only parties with an agreement covering ``module`` count: a token of anyone
    else could not receive the object anyway.
    """
    owners = partners(await list_agreements(conn, owner), owner, module)
    if not owners:
        return None
    cursor: int | None = None
    wanted = auth_id.upper()
    while True:
        items, _ = await list_page(
            conn, "tokens", PageRequest(0, 500, cursor=cursor), owners=owners
        )
        for item in items:
            if str(item.document.get("contract_id", "")).upper() == wanted:
                return item.document
        if len(items) < 500:
            break
        cursor = items[-1].seq
    found = await find_visible(conn, "tokens", auth_id, owners)
    return found.document if found else None


async def up_context(
    conn: AsyncConnection,
    runtime: Runtime,
    owner: tuple[str, str],
    version: str,
    wire: dict[str, Any],
    module: str,
) -> TranslationContext:
    """What translating a Session/CDR up needs: owner, receipt time, and for 2.1.1 the token
    behind ``auth_id`` (pre-fetched; the translator's lookup is synchronous)."""
    tokens: dict[str, dict[str, Any]] = {}
    auth_id = wire.get("auth_id")
    if version == "2.1.1" and isinstance(auth_id, str):
        token = await _token_lookup(conn, owner, module, auth_id)
        if token is not None:
            tokens[auth_id] = token
    return TranslationContext(
        country_code=owner[0],
        party_id=owner[1],
        now=datetime.now(UTC),
        enums=runtime.enums,
        token_by_uid=tokens.get,
    )


def _location_id(document: dict[str, Any]) -> str | None:
    place = document.get("cdr_location")
    value = place.get("id") if isinstance(place, dict) else document.get("location_id")
    return value if isinstance(value, str) else None


async def down_context(
    conn: AsyncConnection, owner: tuple[str, str], documents: Collection[dict[str, Any]]
) -> TranslationContext:
    """What translating the owner's Sessions/CDRs down to 2.1.1 needs: its stored Locations."""
    locations: dict[str, dict[str, Any]] = {}
    for document in documents:
        location_id = _location_id(document)
        if location_id is not None and location_id not in locations:
            stored = await get_object(
                conn, ObjectKey.of("locations", owner[0], owner[1], location_id)
            )
            if stored is not None:
                locations[location_id] = stored.document
    return TranslationContext(
        country_code=owner[0], party_id=owner[1], location_by_id=locations.get
    )


def render(version: str, name: str, stored: StoredObject, ctx: TranslationContext) -> Any:
    """A stored object in the caller's version (the original when it is exact)."""
    if stored.original is not None and stored.source_version == version:
        return stored.original
    out, _ = from_canonical(version, name, stored.document, ctx)
    out.pop(PRIVATE, None)
    return out


async def receiver_for(
    conn: AsyncConnection,
    owner: tuple[str, str],
    party: tuple[str, str],
    module: str,
    sender_platform_id: int,
) -> Target:
    """The target of an addressed push, or 4001 when the hub may not or cannot deliver it."""
    target = addressed(
        await agreed_targets(conn, owner, module),
        party,
        module,
        sender_platform_id=sender_platform_id,
    )
    if target is None:
        raise UnknownReceiver(
            f"{module} of {owner[0]}-{owner[1]} for {party[0]}-{party[1]}: the hub has no "
            f"ACTIVE agreement covering {module} between these parties, or {party[0]}-"
            f"{party[1]} is not connected with a {module} receiver endpoint; nothing was stored"
        )
    return target


def target_body(
    target_version: str,
    source_version: str,
    wire: dict[str, Any],
    name: str,
    payload: dict[str, Any],
    ctx: TranslationContext,
) -> tuple[dict[str, Any] | None, str]:
    """What to hand the outbox as ``original`` for one receiver, and its version.

    Same version: the sender's payload, untouched (DESIGN rule 8). A 2.1.1 receiver: translated
    now, because 2.1.1 Sessions and CDRs embed the stored Location, which the delivery worker
    cannot look up (it translates without context). Others: None, the worker translates the
    canonical payload. A Session that cannot be said in 2.1.1 is refused (2002).
    """
    if target_version == source_version:
        return wire, source_version
    if target_version == "2.1.1":
        out, _ = from_canonical("2.1.1", name, payload, ctx)
        out.pop(PRIVATE, None)
        return out, "2.1.1"
    return None, source_version


async def file_in_mailbox(
    conn: AsyncConnection,
    module: str,
    owner: tuple[str, str],
    party: tuple[str, str],
    object_id: str,
    *,
    document: dict[str, Any],
    source_version: str,
    original: dict[str, Any] | None,
) -> None:
    """Keep the copy ``party`` was sent, so that its GET all lists exactly what concerns it."""
    await put_object(
        conn,
        ObjectKey.of(mailbox_module(module), party[0], party[1], object_id, mailbox_key(owner)),
        document=document,
        last_updated=parse_datetime(document["last_updated"]),
        source_version=source_version,
        original=original,
    )


async def list_addressed(
    request: Request,
    caller: Caller,
    module: str,
    name: str,
    *,
    base_path: str,
    require_date_from: bool,
) -> Response:
    """GET all on a hub Sender interface: what was addressed to the caller's parties."""
    runtime = runtime_of(request)
    version = version_of(caller)
    params = dict(request.query_params)
    if require_date_from and not params.get("date_from"):
        raise InvalidParameters(
            f"query parameter date_from is required for GET all {module} (OCPI Sender interface)"
        )
    max_limit = runtime.settings.page_limit_for(module)
    page = parse_page_request(params, max_limit=max_limit)
    documents: dict[int, dict[str, Any]] = {}
    contexts: dict[int, TranslationContext] = {}
    async with runtime.db.read() as conn:
        mine = {(p.country_code, p.party_id) for p in await list_parties(conn, caller.platform.id)}
        box = mailbox_module(module)
        items, total, more = await list_page_json(conn, box, page, version=version, owners=mine)
        if version == "2.1.1":
            for item in items:
                if not item.exact:
                    owner = (item.kind[:2], item.kind[2:])
                    document = documents[item.seq] = orjson.loads(item.text)
                    contexts[item.seq] = await down_context(conn, owner, [document])
    data = []
    for item in items:
        try:
            data.append(
                egress_json(
                    version,
                    name,
                    item,
                    contexts.get(item.seq, TranslationContext()),
                    document=documents.get(item.seq),
                )
            )
        except MissingContext as exc:
            log.warning("list_item_untranslatable", module=module, seq=item.seq, error=exc.message)
    headers = page_headers(
        runtime.settings.public_url + base_path,
        params,
        page,
        returned=len(items),
        total=total,
        last_key=items[-1].seq if items else None,
        max_limit=max_limit,
        more=more,
    )
    return list_response(data, headers)
