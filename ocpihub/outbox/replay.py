"""Operator actions on the outbox, shared by the admin API and the CLI: list and retry.

A retry puts an item back in its queue (same id, so same place in its object's order), due now,
with a fresh attempt budget and age window. Any state but IN_FLIGHT can be retried; retrying a
DONE item delivers it once more (a replay). Note that replaying an old item after later items
of the same object were delivered sends the receiver older data last: replay the newest item
of an object, or let the owner push again.
"""

from __future__ import annotations

from datetime import UTC, datetime

from ocpihub.errors import ClientError, InvalidParameters, NotFound
from ocpihub.model.outbox import OutboxItem, Status
from ocpihub.store import outbox as store
from ocpihub.store.db import Database

__all__ = ["list_outbox", "parse_status", "retry_all_dead", "retry_item"]


def parse_status(value: str | None) -> Status | None:
    """An outbox state named by an operator (any case), or a 2001 naming the valid ones."""
    if value is None or value == "":
        return None
    try:
        return Status(value.upper())
    except ValueError:
        valid = ", ".join(s.value for s in Status)
        raise InvalidParameters(f"status {value!r} is not one of {valid}") from None


async def list_outbox(
    db: Database,
    *,
    status: Status | None = None,
    receiver_platform_id: int | None = None,
    limit: int = 100,
    after_id: int | None = None,
    module: str | None = None,
    object_id: str | None = None,
) -> list[OutboxItem]:
    """Items in queue order, filtered (``object_id``: the items of that object)."""
    async with db.read() as conn:
        return await store.list_items(
            conn,
            status=status,
            receiver_platform_id=receiver_platform_id,
            limit=limit,
            after_id=after_id,
            module=module,
            object_id=object_id,
        )


async def retry_item(db: Database, item_id: int) -> OutboxItem:
    """Queue one item again (see the module docstring); the item as it is now."""
    async with db.write() as conn:
        item = await store.get_item(conn, item_id)
        if item is None:
            raise NotFound(f"no outbox item with id {item_id}")
        if item.status is Status.IN_FLIGHT:
            raise ClientError(f"outbox item {item_id} is being delivered right now")
        if item.delivery.receiver_platform_id is None:
            raise ClientError(
                f"outbox item {item_id} cannot be delivered: its receiver platform was removed"
            )
        await store.retry_items(conn, datetime.now(UTC), item_ids=[item_id])
        again = await store.get_item(conn, item_id)
    assert again is not None
    return again


async def retry_all_dead(db: Database, receiver_platform_id: int | None = None) -> list[int]:
    """Queue every DEAD item again (of one receiver platform, when given); their ids."""
    async with db.write() as conn:
        return await store.retry_items(
            conn, datetime.now(UTC), all_dead=True, receiver_platform_id=receiver_platform_id
        )
