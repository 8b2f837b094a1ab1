"""Tariffs through the hub: a CPO's PUT, 2.1.1 PATCH or DELETE stored and queued to the
receivers in one transaction (a 2.1.1 PATCH reaches 2.2+ receivers, which have no tariff PATCH,
as a PUT of the patched tariff; digest §4.3), and reads of what the hub holds."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ocpihub.errors import NotFound
from ocpihub.hub.enums import EnumRegistry
from ocpihub.hub.origin import Origin, Party
from ocpihub.hub.services.objects import (
    Push,
    Receivers,
    agreed_receivers,
    queue,
    store_object,
    visible_owners,
)
from ocpihub.ocpi.version import ocpi_version
from ocpihub.store.db import Connection, Database
from ocpihub.store.objects import (
    ObjectKey,
    StoredObject,
    delete_object,
    find_visible,
    get_object,
)
from ocpihub.translate import PRIVATE_KEY, TranslationContext, to_canonical

__all__ = ["delete", "get_one", "get_own", "put"]

MODULE = "tariffs"

Doc = dict[str, Any]


def _patched(stored: Doc, patch: Doc) -> Doc:
    """A PATCH replaces the fields it names, lists and objects whole (digest §1.3)."""
    merged = dict(stored)
    merged.update({k: v for k, v in patch.items() if k != PRIVATE_KEY})
    return merged


def _push(
    origin: Origin,
    owner: Party,
    tariff_id: str,
    method: str,
    name: str = "Tariff",
    payload: Doc | None = None,
    original: Doc | None = None,
) -> Push:
    sent = (method, f"/{owner[0]}/{owner[1]}/{tariff_id}", tariff_id)
    return Push.of(origin, owner, MODULE, sent, name=name, payload=payload, original=original)


def _patches_tariffs(version: str | None) -> bool:
    return version is not None and ocpi_version(version).patches_tariffs


async def _queue_patch(
    conn: Connection,
    origin: Origin,
    owner: Party,
    tariff_id: str,
    patch: tuple[Doc, Doc, Doc],
    to: Receivers,
) -> None:
    """A 2.1.1 PATCH as a PATCH to 2.1.1 receivers, as a PUT of the whole tariff to others."""
    canon, wire, document = patch
    as_patch = [t for t in to.targets if _patches_tariffs(t.version)]
    as_put = [t for t in to.targets if not _patches_tariffs(t.version)]
    patched = _push(origin, owner, tariff_id, "PATCH", "TariffPatch", canon, wire)
    whole = _push(origin, owner, tariff_id, "PUT", "Tariff", document)
    await queue(conn, patched, as_patch, broadcast=to.broadcast)
    await queue(conn, whole, as_put, broadcast=to.broadcast)


async def put(
    db: Database,
    origin: Origin,
    owner: Party,
    tariff_id: str,
    *,
    wire: Doc,
    patch: bool,
    enums: EnumRegistry,
) -> bool:
    """Translate a PUT (or a 2.1.1 PATCH), store it and queue it to the receivers; whether it
    was created."""
    ctx = TranslationContext(
        country_code=owner[0], party_id=owner[1], now=datetime.now(UTC), enums=enums
    )
    canon = to_canonical(origin.version, "TariffPatch" if patch else "Tariff", wire, ctx)
    key = ObjectKey.of(MODULE, owner[0], owner[1], tariff_id)
    async with db.write() as conn:
        stored = await get_object(conn, key, for_update=True)
        if patch and stored is None:
            raise NotFound(
                f"the hub holds no tariff {tariff_id!r} of {owner[0]}-{owner[1]}: PUT it"
            )
        document = _patched(stored.document, canon) if stored and patch else canon
        created = await store_object(
            conn, key, document, origin.version, None if patch else wire, newer_only=not patch
        )
        receivers = await agreed_receivers(conn, origin, owner, MODULE)
        if patch:
            await _queue_patch(conn, origin, owner, tariff_id, (canon, wire, document), receivers)
        else:
            whole = _push(origin, owner, tariff_id, "PUT", "Tariff", canon, wire)
            await queue(conn, whole, receivers.targets, broadcast=receivers.broadcast)
    return created


async def delete(db: Database, origin: Origin, owner: Party, tariff_id: str) -> None:
    """Delete a stored tariff and queue the DELETE to the receivers (404 when not held)."""
    key = ObjectKey.of(MODULE, owner[0], owner[1], tariff_id)
    async with db.write() as conn:
        if not await delete_object(conn, key):
            raise NotFound(f"the hub holds no tariff {tariff_id!r} of {owner[0]}-{owner[1]}")
        receivers = await agreed_receivers(conn, origin, owner, MODULE)
        gone = _push(origin, owner, tariff_id, "DELETE")
        await queue(conn, gone, receivers.targets, broadcast=receivers.broadcast)


async def get_own(db: Database, owner: Party, tariff_id: str) -> StoredObject | None:
    """The owner's stored tariff."""
    async with db.read() as conn:
        return await get_object(conn, ObjectKey.of(MODULE, owner[0], owner[1], tariff_id))


async def get_one(db: Database, platform_id: int, tariff_id: str) -> StoredObject | None:
    """A stored tariff of an owner the platform's agreements cover."""
    async with db.read() as conn:
        owners = await visible_owners(conn, platform_id, MODULE)
        return await find_visible(conn, MODULE, tariff_id, owners)
