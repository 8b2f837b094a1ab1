"""Listing of outbox items: the query and row shaping behind ``store.outbox.list_items`` (the
admin API, the console) and ``ocpihub outbox list`` (see the package docstring)."""

from __future__ import annotations

from typing import Any

from ocpihub.model.outbox import Delivery, OutboxItem, Status
from ocpihub.store.reads import Listing, Query, RowLike

__all__ = ["item_from_row", "outbox_items", "outbox_list"]

_JSON = frozenset({"payload", "original", "loss_report"})
_TIMES = frozenset(
    {
        "next_attempt_at",
        "window_start",
        "lease_until",
        "delivered_at",
        "created_at",
        "updated_at",
    }
)


def item_from_row(row: RowLike) -> OutboxItem:
    """An ``outbox`` row as an :class:`OutboxItem`."""
    delivery = Delivery(
        receiver_platform_id=row["receiver_platform_id"],
        receiver_party=(row["to_country_code"], row["to_party_id"]),
        sender_party=(row["from_country_code"], row["from_party_id"]),
        module=row["module"],
        method=row["method"],
        url_suffix=row["url_suffix"],
        ordering_key=row["ordering_key"],
        correlation_id=row["correlation_id"],
        interface_role=row["interface_role"],
        object_name=row["object_name"],
        payload=row["payload"],
        original=row["original"],
        original_version=row["original_version"],
        broadcast=bool(row["broadcast"]),
        target_url=row["target_url"],
    )
    return OutboxItem(
        id=row["id"],
        status=Status(row["status"]),
        delivery=delivery,
        attempts=row["attempts"],
        next_attempt_at=row["next_attempt_at"],
        created_at=row["created_at"],
        window_start=row["window_start"],
        updated_at=row["updated_at"],
        lease_until=row["lease_until"],
        claimed_by=row["claimed_by"],
        delivered_at=row["delivered_at"],
        last_error=row["last_error"],
        last_http_status=row["last_http_status"],
        last_ocpi_status=row["last_ocpi_status"],
        loss_report=row["loss_report"],
        retry_after_capped=row["retry_after_capped"],
    )


def _like_suffix(suffix: str) -> str:
    """A LIKE pattern (escape character ``/``) matching values that end with ``suffix``."""
    escaped = suffix.replace("/", "//").replace("%", "/%").replace("_", "/_")
    return "%" + escaped


def outbox_items(
    *,
    status: Status | None = None,
    receiver_platform_id: int | None = None,
    ordering_key: str | None = None,
    limit: int = 100,
    after_id: int | None = None,
    module: str | None = None,
    object_id: str | None = None,
) -> Listing[list[OutboxItem]]:
    """Items in id order (queue order), optionally filtered; at most ``limit``.

    ``object_id``: items of that object (the last part of their ordering key, which names the
    Location for its EVSEs and Connectors).
    """
    where: list[str] = []
    params: dict[str, Any] = {"limit": limit}
    filters = {
        "module = :module": ("module", module),
        "ordering_key LIKE :object ESCAPE '/'": (
            "object",
            None if object_id is None else _like_suffix(":" + object_id),
        ),
        "status = :status": ("status", None if status is None else status.value),
        "receiver_platform_id = :receiver": ("receiver", receiver_platform_id),
        "ordering_key = :key": ("key", ordering_key),
        "id > :after": ("after", after_id),
    }
    for condition, (name, value) in filters.items():
        if value is not None:
            where.append(condition)
            params[name] = value
    clause = f"WHERE {' AND '.join(where)}" if where else ""
    rows = yield Query(
        f"SELECT * FROM outbox {clause} ORDER BY id LIMIT :limit",
        params,
        json=_JSON,
        times=_TIMES,
    )
    return [item_from_row(r) for r in rows]


def outbox_list(**filters: Any) -> Listing[list[dict[str, Any]]]:
    """Items as the admin API and ``ocpihub outbox list --json`` show them (no payloads);
    ``filters`` as :func:`outbox_items` takes them."""
    return [item.as_json() for item in (yield from outbox_items(**filters))]
