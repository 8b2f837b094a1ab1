"""The producer API: queue deliveries in the transaction that stores what implies them.

Data modules call :func:`enqueue` with the connection of their write transaction, after the
object itself is written; when that transaction commits, the deliveries exist (DESIGN rule 7),
and the delivery workers are woken. If it rolls back, neither the object nor its deliveries
were ever there.

Example (a broadcast Location PUT, one delivery per agreed receiver)::

    async with db.write() as conn:
        await put_object(conn, key, document=canonical, ...)
        await enqueue(conn, [
            Delivery(
                receiver_platform_id=emsp.platform_id,
                receiver_party=("DE", "MSP"),
                sender_party=("NL", "CPO"),
                module="locations",
                method="PUT",
                url_suffix="/NL/CPO/LOC1",
                object_name="Location",
                payload=canonical,
                original=wire_body,
                original_version="2.2.1",
                ordering_key=ordering_key("locations", "NL", "CPO", "LOC1"),
                correlation_id=correlation_id,
                broadcast=True,
            ),
        ])
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from ocpihub.model.outbox import Delivery, ordering_key
from ocpihub.store.db import Connection
from ocpihub.store.outbox import insert_items

__all__ = ["Delivery", "enqueue", "ordering_key"]


async def enqueue(
    conn: Connection, deliveries: Sequence[Delivery], *, now: datetime | None = None
) -> list[int]:
    """Queue ``deliveries`` (in this order within each ordering key); their outbox ids."""
    for d in deliveries:
        if not d.url_suffix.startswith("/") and d.url_suffix:
            raise ValueError(f"url_suffix must start with '/': {d.url_suffix!r}")
        if d.payload is not None and d.object_name is None:
            raise ValueError("a delivery with a payload needs the object_name to translate it")
    return await insert_items(conn, deliveries, now or datetime.now(UTC))
