"""What the hub did with each CDR it stored: the reads behind the CDR reconciliation report.

One row per stored CDR (``objects``, module ``cdrs``) received in a time range, with:

- its outbox items (module ``cdrs``, ordering key ``cdrs:CC:PID:ID``): what became of the
  delivery. Items outlive their receiver platform (migration 0009) and only DONE items are ever
  deleted (``prune_done``, after the retention);
- without a delivery: its *mailbox copy* (module ``cdrs.to``, filed under the party the CDR was
  addressed to, in the transaction that stored the CDR and queued its delivery), and without
  that too, the owner its ``cdr_token`` names.

The judgement (delivered, refused, ...) is the hub's (``hub/cdr_reconciliation.py``); this
module only reads. Rows come in pages in receipt order (``created_at``, ``key``), so a report
over months never holds every CDR at once. Each page costs three index lookups: the range
(partial index ``ix_objects_cdrs_created_at``), the mailbox copies
(``ix_objects_module_upper_object_id``) and the deliveries (partial index
``ix_outbox_cdrs_ordering_key``), never a scan of everything stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, literal, literal_column, select
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnClause

from ocpihub.model.outbox import ordering_key
from ocpihub.store.schema import objects, outbox

__all__ = ["CDRS", "MAILBOX", "CdrTrace", "DeliveryTrace", "cdr_traces"]

CDRS = "cdrs"
MAILBOX = "cdrs.to"
"""The objects-table module of CDR mailbox copies (``hub.sessions.mailbox_module``)."""

# the module written into the SQL text, not bound: only then may the planners (PostgreSQL's
# generic plans, SQLite's) use the partial indexes, whose predicate is ``module = 'cdrs'``
_CDRS: ColumnClause[str] = literal_column(f"'{CDRS}'")

Party = tuple[str, str]


@dataclass(frozen=True, slots=True)
class DeliveryTrace:
    """One outbox item of a CDR, as it stands."""

    id: int
    status: str
    receiver_party: Party
    receiver_platform_id: int | None
    attempts: int
    last_error: str | None
    last_http_status: int | None
    last_ocpi_status: int | None
    delivered_at: datetime | None
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class CdrTrace:
    """One stored CDR with where it was addressed and its deliveries (id order)."""

    key: int
    cpo: Party
    cdr_id: str
    received_at: datetime
    # both read only when they matter (None otherwise): the addressee for a CDR without a
    # delivery, the token party for one with neither a delivery nor a mailbox copy
    addressee: Party | None
    token_party: Party | None
    deliveries: tuple[DeliveryTrace, ...]


def _party(cc: str | None, pid: str | None) -> Party | None:
    if not cc or not pid:
        return None
    return (str(cc).upper(), str(pid).upper())


async def _page(
    conn: AsyncConnection,
    *,
    since: datetime,
    until: datetime,
    cpo: Party | None,
    after: tuple[datetime, int] | None,
    limit: int,
) -> list[Any]:
    cdr = objects.alias("cdr")
    query = (
        select(cdr.c.key, cdr.c.country_code, cdr.c.party_id, cdr.c.object_id, cdr.c.created_at)
        .where(cdr.c.module == _CDRS, cdr.c.created_at >= since, cdr.c.created_at < until)
        .order_by(cdr.c.created_at, cdr.c.key)
        .limit(limit)
    )
    if cpo is not None:
        query = query.where(cdr.c.country_code == cpo[0], cdr.c.party_id == cpo[1])
    if after is not None:
        at, key = after
        query = query.where((cdr.c.created_at > at) | and_(cdr.c.created_at == at, cdr.c.key > key))
    return list((await conn.execute(query)).all())


async def _addressees(conn: AsyncConnection, keys: list[int]) -> dict[int, Party]:
    """The party the mailbox copy of each CDR (by key) is filed under, where there is one.

    One index probe per CDR (a correlated subquery on ``(module, upper(object_id))``): a plan
    that cannot turn into a scan whatever the planner's statistics say (an ``IN`` list of the
    page's ids can, and then costs seconds per page)."""
    if not keys:
        return {}
    cdr = objects.alias("cdr")
    box = objects.alias("box")
    filed = (
        select(box.c.country_code + literal("-") + box.c.party_id)
        .where(
            box.c.module == MAILBOX,
            func.upper(box.c.object_id) == func.upper(cdr.c.object_id),
            box.c.kind == cdr.c.country_code + cdr.c.party_id,  # both upper-cased
        )
        .order_by(box.c.key)
        .limit(1)
        .correlate(cdr)
        .scalar_subquery()
    )
    query = select(cdr.c.key, filed).where(cdr.c.key.in_(keys))
    found: dict[int, Party] = {}
    for key, code in (await conn.execute(query)).all():
        if code:
            cc, _, pid = str(code).partition("-")
            found[int(key)] = (cc, pid)
    return found


async def _token_parties(conn: AsyncConnection, keys: list[int]) -> dict[int, Party | None]:
    """The ``cdr_token`` owner of the CDRs with these keys (reads their documents: only for
    the few CDRs that have neither a mailbox copy nor a delivery)."""
    if not keys:
        return {}
    token = objects.c.document["cdr_token"]
    query = select(
        objects.c.key,
        token["country_code"].as_string(),
        token["party_id"].as_string(),
    ).where(objects.c.key.in_(keys))
    return {int(key): _party(cc, pid) for key, cc, pid in (await conn.execute(query)).all()}


_ITEM_COLUMNS = [
    outbox.c[name]
    for name in (
        "id",
        "ordering_key",
        "status",
        "to_country_code",
        "to_party_id",
        "receiver_platform_id",
        "attempts",
        "last_error",
        "last_http_status",
        "last_ocpi_status",
        "delivered_at",
        "updated_at",
    )
]


async def _deliveries(conn: AsyncConnection, keys: list[str]) -> dict[str, list[DeliveryTrace]]:
    """Outbox items of the CDRs with these ordering keys, by key, in id order."""
    found: dict[str, list[DeliveryTrace]] = {}
    if not keys:
        return found
    query = (
        select(*_ITEM_COLUMNS)  # never the payloads: a CDR's document is kilobytes
        .where(outbox.c.module == _CDRS, outbox.c.ordering_key.in_(keys))
        .order_by(outbox.c.id)
    )
    for row in (await conn.execute(query)).mappings():
        found.setdefault(row["ordering_key"], []).append(
            DeliveryTrace(
                id=int(row["id"]),
                status=row["status"],
                receiver_party=(row["to_country_code"], row["to_party_id"]),
                receiver_platform_id=row["receiver_platform_id"],
                attempts=int(row["attempts"]),
                last_error=row["last_error"],
                last_http_status=row["last_http_status"],
                last_ocpi_status=row["last_ocpi_status"],
                delivered_at=row["delivered_at"],
                updated_at=row["updated_at"],
            )
        )
    return found


async def cdr_traces(
    conn: AsyncConnection,
    *,
    since: datetime,
    until: datetime,
    cpo: Party | None = None,
    after: tuple[datetime, int] | None = None,
    limit: int = 2000,
) -> list[CdrTrace]:
    """Up to ``limit`` CDRs received in [``since``, ``until``) (of ``cpo`` when given), in
    receipt order after ``after`` (the ``(received_at, key)`` of the last one seen)."""
    rows = await _page(conn, since=since, until=until, cpo=cpo, after=after, limit=limit)

    def okey(row: Any) -> str:
        return ordering_key(CDRS, str(row.country_code), str(row.party_id), str(row.object_id))

    items = await _deliveries(conn, sorted({okey(r) for r in rows}))
    # a delivery names its receiver: the copies and documents are read only for the others
    boxes = await _addressees(conn, [int(r.key) for r in rows if okey(r) not in items])
    unknown = [int(r.key) for r in rows if okey(r) not in items and int(r.key) not in boxes]
    tokens = await _token_parties(conn, unknown)
    return [
        CdrTrace(
            key=int(row.key),
            cpo=(str(row.country_code).upper(), str(row.party_id).upper()),
            cdr_id=str(row.object_id),
            received_at=row.created_at,
            addressee=boxes.get(int(row.key)),
            token_party=tokens.get(int(row.key)),
            deliveries=tuple(items.get(okey(row), ())),
        )
        for row in rows
    ]
