"""Tokens through the hub: an eMSP's push stored (``kind`` = token type) and queued to every
agreed CPO whose version can hold the token (``hub/tokens.py`` decides), in one transaction;
reads of what the hub holds. Real-time authorization is ``hub/services/authorize.py``."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ocpihub.errors import NotFound
from ocpihub.hub.enums import EnumRegistry
from ocpihub.hub.origin import Origin, Party
from ocpihub.hub.services.objects import Push, agreed_receivers, queue, store_object
from ocpihub.hub.tokens import DEFAULT_TOKEN_TYPE, pushes_token, token_url_suffix
from ocpihub.model.parties import Target
from ocpihub.ocpi.version import OLDEST
from ocpihub.store.db import Connection, Database
from ocpihub.store.objects import ObjectKey, StoredObject, find_visible, get_object
from ocpihub.translate import PRIVATE_KEY, TranslationContext, to_canonical

__all__ = ["get_own", "push", "stored_token"]

MODULE = "tokens"

Doc = dict[str, Any]


async def stored_token(
    conn: Connection, owner: Party, uid: str, kind: str | None, *, lock: bool = False
) -> StoredObject | None:
    """The owner's token ``uid`` of type ``kind``; without a type (2.1.1), RFID first.

    ``lock``: it is read to be written back (see ``get_object``'s ``for_update``).
    """
    if kind is not None:
        return await find_visible(conn, MODULE, uid, [owner], kind=kind, for_update=lock)
    return await find_visible(
        conn, MODULE, uid, [owner], kind=DEFAULT_TOKEN_TYPE, for_update=lock
    ) or (await find_visible(conn, MODULE, uid, [owner], for_update=lock))


async def _queue_token(
    conn: Connection,
    origin: Origin,
    owner: Party,
    token: Doc,
    *,
    method: str,
    name: str,
    payload: Doc,
    original: Doc,
) -> None:
    """Queue a token push to every agreed CPO whose version can hold this token."""
    uid, token_type = str(token["uid"]), str(token["type"])
    rfid_twin = token_type != DEFAULT_TOKEN_TYPE and (
        await get_object(conn, ObjectKey.of(MODULE, owner[0], owner[1], uid, DEFAULT_TOKEN_TYPE))
        is not None
    )
    receivers = await agreed_receivers(conn, origin, owner, MODULE)
    by_suffix: dict[str, list[Target]] = {}
    for target in receivers.targets:
        receiver_version = target.version or OLDEST.number
        if pushes_token(receiver_version, token_type, rfid_twin=rfid_twin):
            suffix = token_url_suffix(receiver_version, owner[0], owner[1], uid, token_type)
            by_suffix.setdefault(suffix, []).append(target)
    for suffix, group in by_suffix.items():
        sent = (method, suffix, f"{uid}:{token_type}")
        push = Push.of(origin, owner, MODULE, sent, name=name, payload=payload, original=original)
        await queue(conn, push, group, broadcast=receivers.broadcast)


async def push(
    db: Database,
    origin: Origin,
    owner: Party,
    uid: str,
    kind: str | None,
    *,
    wire: Doc,
    patch: bool,
    enums: EnumRegistry,
) -> bool:
    """Translate a PUT (or a PATCH, applied to the stored token), store it and queue it;
    whether it was created.

    ``kind``: the token type the URL names (None: a 2.1.1 URL, which names none).
    """
    ctx = TranslationContext(
        country_code=owner[0], party_id=owner[1], now=datetime.now(UTC), enums=enums
    )
    canon = to_canonical(origin.version, "TokenPatch" if patch else "Token", wire, ctx)
    async with db.write() as conn:
        if patch:
            stored = await stored_token(conn, owner, uid, kind or wire.get("type"), lock=True)
            if stored is None:
                raise NotFound(f"the hub holds no such token {uid!r} of {owner[0]}-{owner[1]}")
            document = dict(stored.document)
            document.update({k: v for k, v in canon.items() if k != PRIVATE_KEY})
            key = stored.key
        else:
            document = canon
            key = ObjectKey.of(MODULE, owner[0], owner[1], uid, str(canon["type"]))
        created = await store_object(
            conn, key, document, origin.version, None if patch else wire, newer_only=not patch
        )
        name = "TokenPatch" if patch else "Token"
        method = "PATCH" if patch else "PUT"
        await _queue_token(
            conn,
            origin,
            owner,
            document,
            method=method,
            name=name,
            payload=canon,
            original=wire,
        )
    return created


async def get_own(db: Database, owner: Party, uid: str, kind: str | None) -> StoredObject | None:
    """The owner's stored token (``kind`` None: RFID first)."""
    async with db.read() as conn:
        return await stored_token(conn, owner, uid, kind)
