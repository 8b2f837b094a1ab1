"""A new (or resumed) agreement: each side receives what it may now see, through the outbox.

When an agreement becomes ACTIVE, the hub queues a PUT of every stored Location and Tariff of a
CPO to its new partner (when that partner consumes them), and of every stored Token of an eMSP
to its new CPO partner — exactly the deliveries a fresh broadcast push would have made, in the
same per-object order. Partners can still pull (GET all on the hub's Sender interfaces) at any
time; this push makes the new partner complete without waiting for its next crawl.
"""

from __future__ import annotations

import uuid

from ocpihub.hub.routing import broadcast
from ocpihub.hub.tokens import pushes_token, token_url_suffix
from ocpihub.model.agreements import Agreement, AgreementStatus
from ocpihub.model.outbox import Delivery, ordering_key
from ocpihub.model.parties import Target
from ocpihub.ocpi.modules import synced_modules
from ocpihub.ocpi.pagination import PageRequest
from ocpihub.outbox.enqueue import enqueue
from ocpihub.store.db import Connection
from ocpihub.store.objects import StoredObject, list_page
from ocpihub.store.routing import party_target

__all__ = ["SYNCED_MODULES", "delivery_of", "queue_initial_sync"]

SYNCED_MODULES: tuple[tuple[str, str], ...] = synced_modules()
"""(module, canonical object name) of the objects a new partner receives (the module table's
``initial_sync`` modules: Locations, Tariffs, Tokens)."""

_PAGE = 500


def delivery_of(
    item: StoredObject,
    target: Target,
    module: str,
    name: str,
    correlation_id: str,
    *,
    rfid_twin: bool = False,
) -> Delivery | None:
    """The broadcast PUT of a whole stored object to one receiver (None: its version cannot
    hold this token). Scheduled pulls queue what they store with it too (``hub/pull_ingest``).

    ``rfid_twin``: the token's owner also has an RFID token with the same uid.
    """
    key = item.key
    if module == "tokens":
        assert target.version is not None
        if not pushes_token(target.version, key.kind, rfid_twin=rfid_twin):
            return None
        suffix = token_url_suffix(
            target.version, key.country_code, key.party_id, key.object_id, key.kind
        )
        queue_id = f"{key.object_id}:{key.kind}"
    else:
        suffix = f"/{key.country_code}/{key.party_id}/{key.object_id}"
        queue_id = key.object_id
    return Delivery(
        receiver_platform_id=target.platform_id,
        receiver_party=target.party,
        sender_party=(key.country_code, key.party_id),
        module=module,
        method="PUT",
        url_suffix=suffix,
        ordering_key=ordering_key(module, key.country_code, key.party_id, queue_id),
        correlation_id=correlation_id,
        object_name=name,
        payload=item.document,
        original=item.original,
        original_version=item.source_version if item.original is not None else None,
        broadcast=True,
    )


async def queue_initial_sync(conn: Connection, agreement: Agreement) -> int:
    """Queue the initial deliveries of an ACTIVE agreement; how many were queued."""
    if agreement.status is not AgreementStatus.ACTIVE:
        return 0
    correlation_id = str(uuid.uuid4())
    queued = 0
    for owner, viewer in ((agreement.a, agreement.b), (agreement.b, agreement.a)):
        for module, name in SYNCED_MODULES:
            if not agreement.covers(module):
                continue
            candidates = await party_target(conn, viewer, module, interface_role="RECEIVER")
            targets = broadcast(candidates, module, sender_platform_id=-1)
            if not targets:
                continue
            cursor: int | None = None
            while True:
                items, _ = await list_page(
                    conn, module, PageRequest(0, _PAGE, cursor=cursor), owners=[owner]
                )
                deliveries = [
                    d
                    for item in items
                    for t in targets
                    if (d := delivery_of(item, t, module, name, correlation_id)) is not None
                ]
                if deliveries:
                    await enqueue(conn, deliveries)
                    queued += len(deliveries)
                if len(items) < _PAGE:
                    break
                cursor = items[-1].seq
    return queued
