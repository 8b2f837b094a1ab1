"""Tokens through the hub: an eMSP's push stored (``kind`` = token type) and queued to every
agreed CPO whose version can hold the token (``hub/tokens.py`` decides), in one transaction;
reads of what the hub holds. Real-time authorization is ``hub/services/authorize.py``."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from ocpihub.errors import NotFound
from ocpihub.hub.origin import Origin, Party
from ocpihub.hub.services.objects import Push, push_receivers, queue
from ocpihub.hub.tokens import DEFAULT_TOKEN_TYPE, pushes_token, token_url_suffix
from ocpihub.ocpi.fields import parse_datetime
from ocpihub.outbox.items import ordering_key
from ocpihub.store.db import Database
from ocpihub.store.objects import ObjectKey, StoredObject, find_visible, get_object, put_object
from ocpihub.store.routing import Target, agreed_targets
from ocpihub.translate import PRIVATE_KEY

__all__ = ["get_own", "push", "stored_token"]

MODULE = "tokens"

Doc = dict[str, Any]


async def stored_token(
    conn: AsyncConnection, owner: Party, uid: str, kind: str | None, *, lock: bool = False
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
    conn: AsyncConnection,
    origin: Origin,
    hub: Party,
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
    receivers = push_receivers(
        origin.addressed(hub),
        await agreed_targets(conn, owner, MODULE),
        MODULE,
        sender_platform_id=origin.platform_id,
    )
    by_suffix: dict[str, list[Target]] = {}
    for target in receivers.targets:
        receiver_version = target.version or "2.1.1"
        if pushes_token(receiver_version, token_type, rfid_twin=rfid_twin):
            suffix = token_url_suffix(receiver_version, owner[0], owner[1], uid, token_type)
            by_suffix.setdefault(suffix, []).append(target)
    for suffix, group in by_suffix.items():
        push = Push(
            owner=owner,
            sender_platform_id=origin.platform_id,
            module=MODULE,
            method=method,
            url_suffix=suffix,
            object_name=name,
            payload=payload,
            original=original,
            original_version=origin.version,
            ordering_key=ordering_key(MODULE, owner[0], owner[1], f"{uid}:{token_type}"),
            correlation_id=origin.correlation_id,
        )
        await queue(conn, push, group, broadcast=receivers.broadcast)


async def push(
    db: Database,
    origin: Origin,
    hub: Party,
    owner: Party,
    uid: str,
    kind: str | None,
    *,
    wire: Doc,
    canon: Doc,
    patch: bool,
) -> bool:
    """Store a PUT (or apply a PATCH to the stored token) and queue it; whether it was created.

    ``kind``: the token type the URL names (None: a 2.1.1 URL, which names none).
    """
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
        created = await put_object(
            conn,
            key,
            document=document,
            last_updated=parse_datetime(document["last_updated"]),
            source_version=origin.version,
            original=None if patch else wire,
            newer_only=not patch,
        )
        name = "TokenPatch" if patch else "Token"
        method = "PATCH" if patch else "PUT"
        await _queue_token(
            conn,
            origin,
            hub,
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
