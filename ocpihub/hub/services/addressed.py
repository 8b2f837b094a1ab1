"""Steps shared by the addressed modules (Sessions, CDRs): token cache lookups for 2.1.1,
translation contexts, the receiver check, per-receiver bodies, storing with the mailbox copy,
and the mailbox listing.

An addressed push goes to the ONE party it concerns (OCPI-to headers, else the ``cdr_token``
owner, else — 2.1.1 — the stored token behind ``auth_id``; digest §1.9), never broadcast; each
object is also filed under its receiver (the "mailbox"), which is what GET all lists.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson

from ocpihub.errors import UnknownReceiver
from ocpihub.hub.agreements import partners
from ocpihub.hub.enums import EnumRegistry
from ocpihub.hub.origin import Party
from ocpihub.hub.routing import addressed
from ocpihub.hub.services.objects import Listed, Push, queue, store_object
from ocpihub.hub.sessions import PRIVATE, mailbox_key, mailbox_module
from ocpihub.model.parties import Target
from ocpihub.ocpi.pagination import PageRequest
from ocpihub.ocpi.version import ocpi_version
from ocpihub.store.agreements import list_agreements
from ocpihub.store.db import Connection, Database
from ocpihub.store.objects import (
    ObjectKey,
    StoredObject,
    find_visible,
    get_object,
    list_page,
    list_page_json,
)
from ocpihub.store.platforms import list_parties
from ocpihub.store.routing import agreed_targets
from ocpihub.translate import TranslationContext, from_canonical

__all__ = [
    "AddressedPage",
    "down_context",
    "get_own",
    "keep_and_queue",
    "list_addressed",
    "receiver_for",
    "target_body",
    "up_context",
]

Doc = dict[str, Any]


async def _token_lookup(conn: Connection, owner: Party, module: str, auth_id: str) -> Doc | None:
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
    db: Database, enums: EnumRegistry, owner: Party, version: str, wire: Doc, module: str
) -> TranslationContext:
    """What translating a Session/CDR up needs: owner, receipt time, and for 2.1.1 the token
    behind ``auth_id`` (pre-fetched; the translator's lookup is synchronous)."""
    tokens: dict[str, Doc] = {}
    auth_id = wire.get("auth_id")
    if not ocpi_version(version).has_cdr_token and isinstance(auth_id, str):
        async with db.read() as conn:
            token = await _token_lookup(conn, owner, module, auth_id)
        if token is not None:
            tokens[auth_id] = token
    return TranslationContext(
        country_code=owner[0],
        party_id=owner[1],
        now=datetime.now(UTC),
        enums=enums,
        token_by_uid=tokens.get,
    )


def _location_id(document: Doc) -> str | None:
    place = document.get("cdr_location")
    value = place.get("id") if isinstance(place, dict) else document.get("location_id")
    return value if isinstance(value, str) else None


async def down_context(
    conn: Connection, owner: Party, documents: Collection[Doc]
) -> TranslationContext:
    """What translating the owner's Sessions/CDRs down to 2.1.1 needs: its stored Locations."""
    locations: dict[str, Doc] = {}
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


async def receiver_for(
    conn: Connection, owner: Party, party: Party, module: str, sender_platform_id: int
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
    wire: Doc,
    name: str,
    payload: Doc,
    ctx: TranslationContext,
) -> tuple[Doc | None, str]:
    """What to hand the outbox as ``original`` for one receiver, and its version.

    Same version: the sender's payload, untouched (DESIGN rule 8). A 2.1.1 receiver: translated
    now, because 2.1.1 Sessions and CDRs embed the stored Location, which the delivery worker
    cannot look up (it translates without context). Others: None, the worker translates the
    canonical payload. A Session that cannot be said in 2.1.1 is refused (2002).
    """
    if target_version == source_version:
        return wire, source_version
    if ocpi_version(target_version).embeds_location:
        out, _ = from_canonical(target_version, name, payload, ctx)
        out.pop(PRIVATE, None)
        return out, target_version
    return None, source_version


async def keep_and_queue(
    conn: Connection,
    push: Push,
    target: Target,
    object_id: str,
    *,
    document: Doc,
    source_version: str,
    original: Doc | None,
    newer_only: bool = False,
) -> bool:
    """Store the object, file the copy its receiver is sent (so that its GET all lists exactly
    what concerns it), and queue the push to that one receiver; whether it was created."""
    owner, party = push.owner, target.party
    created = await store_object(
        conn,
        ObjectKey.of(push.module, owner[0], owner[1], object_id),
        document,
        source_version,
        original,
        newer_only=newer_only,
    )
    await store_object(
        conn,
        ObjectKey.of(
            mailbox_module(push.module), party[0], party[1], object_id, mailbox_key(owner)
        ),
        document,
        source_version,
        original,
    )
    await queue(conn, push, [target], broadcast=False)
    return created


async def get_own(
    db: Database, module: str, owner: Party, object_id: str
) -> tuple[StoredObject, TranslationContext] | None:
    """The owner's stored Session or CDR, and what translating it down needs."""
    async with db.read() as conn:
        stored = await get_object(conn, ObjectKey.of(module, owner[0], owner[1], object_id))
        if stored is None:
            return None
        return stored, await down_context(conn, owner, [stored.document])


@dataclass(frozen=True, slots=True)
class AddressedPage:
    """A page of a mailbox: the listed JSON texts, and for a 2.1.1 caller the decoded
    documents and contexts of those that are translated (by ``seq``)."""

    listed: Listed
    documents: dict[int, Doc] = field(default_factory=dict)
    contexts: dict[int, TranslationContext] = field(default_factory=dict)


async def list_addressed(
    db: Database, platform_id: int, version: str, module: str, page: PageRequest
) -> AddressedPage:
    """GET all on a hub Sender interface: what was addressed to the caller's parties."""
    async with db.read() as conn:
        mine = {(p.country_code, p.party_id) for p in await list_parties(conn, platform_id)}
        box = mailbox_module(module)
        items, total, more = await list_page_json(conn, box, page, version=version, owners=mine)
        out = AddressedPage(Listed(items, total, more))
        if ocpi_version(version).embeds_location:  # translating needs the stored Location
            for item in items:
                if not item.exact:
                    owner = (item.kind[:2], item.kind[2:])
                    document = out.documents[item.seq] = orjson.loads(item.text)
                    out.contexts[item.seq] = await down_context(conn, owner, [document])
    return out
