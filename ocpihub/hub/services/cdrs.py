"""CDRs through the hub: a CPO's final CDR translated, stored (immutable: the same id again
is accepted only with the same content, as a retry) and queued as a POST to the ONE party it
concerns, in one transaction; the stored CDR read back. A CDR is never dropped in translation
(digest §7 item 18)."""

from __future__ import annotations

from typing import Any

from ocpihub.errors import InvalidParameters
from ocpihub.hub.enums import EnumRegistry
from ocpihub.hub.origin import Origin, Party
from ocpihub.hub.services.addressed import (
    down_context,
    keep_and_queue,
    receiver_for,
    target_body,
    up_context,
)
from ocpihub.hub.services.objects import Push
from ocpihub.hub.sessions import addressee
from ocpihub.store.db import Database
from ocpihub.store.objects import ObjectKey, get_object
from ocpihub.translate import to_canonical

__all__ = ["post"]

MODULE = "cdrs"

Doc = dict[str, Any]


async def post(db: Database, enums: EnumRegistry, origin: Origin, owner: Party, wire: Doc) -> bool:
    """Store a CDR and queue it to the party it concerns; False: the very same CDR was stored
    before (a retry of a POST whose answer was lost: already stored and queued)."""
    version, cdr_id = origin.version, str(wire["id"])
    ctx = await up_context(db, enums, owner, version, wire, MODULE)
    canon = to_canonical(version, "CDR", wire, ctx)
    party = addressee(origin.to_party, canon, origin.hub)
    async with db.write() as conn:
        existing = await get_object(conn, ObjectKey.of(MODULE, owner[0], owner[1], cdr_id))
        if existing is not None:
            if existing.source_version == version and existing.original == wire:
                return False
            raise InvalidParameters(
                f"CDR {cdr_id!r} of {owner[0]}-{owner[1]} exists with other content: CDRs "
                "cannot be changed (send a credit CDR and a new one)"
            )
        target = await receiver_for(conn, owner, party, MODULE, origin.platform_id)
        assert target.version is not None  # addressed() only returns usable targets
        down = await down_context(conn, owner, [canon])
        original, original_version = target_body(target.version, version, wire, "CDR", canon, down)
        push = Push.of(
            origin,
            owner,
            MODULE,
            ("POST", "", cdr_id),
            name="CDR",
            payload=canon,
            original=original,
            original_version=original_version,
        )
        await keep_and_queue(
            conn, push, target, cdr_id, document=canon, source_version=version, original=wire
        )
    return True
