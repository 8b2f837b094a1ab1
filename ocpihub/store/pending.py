"""Pending requests: commands and charging-profile requests awaiting their async result.

Each row maps the opaque id of a hub callback URL to the requester's own ``response_url``, the
two parties and their versions, and the request's deadlines (``hub/commands.py`` computes
them). A few rows of kind ``SETTER`` record, per (CPO, session), the party that last set a
charging profile, so the CPO's ActiveChargingProfile updates reach it (digest §3.7).

Claims are read-modify-write under a row lock (``FOR UPDATE`` on PostgreSQL; SQLite write
transactions are serialised with ``BEGIN IMMEDIATE``), so two hub processes never relay the same
result twice, nor a result and a TIMEOUT both. The caller queues the claimed result's delivery
in the outbox in the same transaction: once claimed, a result is owed to the requester.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, delete, insert, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from ocpihub.store.schema import pending_requests as table

__all__ = [
    "PendingRequest",
    "RelayPolicy",
    "add_pending",
    "claim_result",
    "delete_expired",
    "delete_pending",
    "due_timeouts",
    "find_reservation",
    "get_pending",
    "get_setter",
    "set_deadlines",
    "set_setter",
]

SETTER = "SETTER"

RelayPolicy = Callable[[str, list[str], str], bool]
"""Whether a result goes on: (request kind, results relayed so far, this result) → bool."""


@dataclass(frozen=True, slots=True)
class PendingRequest:
    """One relayed request and where its results go."""

    id: str
    module: str
    kind: str
    requester_platform_id: int
    requester: tuple[str, str]
    requester_version: str
    receiver_platform_id: int
    receiver: tuple[str, str]
    receiver_version: str
    response_url: str | None
    correlation_id: str
    expires_at: datetime
    created_at: datetime
    reference: str | None = None
    result_due_at: datetime | None = None
    results: list[str] = field(default_factory=list)


def _values(req: PendingRequest) -> dict[str, Any]:
    return {
        "id": req.id,
        "module": req.module,
        "kind": req.kind,
        "requester_platform_id": req.requester_platform_id,
        "requester_country_code": req.requester[0],
        "requester_party_id": req.requester[1],
        "requester_version": req.requester_version,
        "receiver_platform_id": req.receiver_platform_id,
        "receiver_country_code": req.receiver[0],
        "receiver_party_id": req.receiver[1],
        "receiver_version": req.receiver_version,
        "response_url": req.response_url,
        "correlation_id": req.correlation_id,
        "reference": req.reference,
        "results": list(req.results),
        "result_due_at": req.result_due_at,
        "expires_at": req.expires_at,
        "created_at": req.created_at,
    }


def _row(row: RowMapping) -> PendingRequest:
    return PendingRequest(
        id=row["id"],
        module=row["module"],
        kind=row["kind"],
        requester_platform_id=row["requester_platform_id"],
        requester=(row["requester_country_code"], row["requester_party_id"]),
        requester_version=row["requester_version"],
        receiver_platform_id=row["receiver_platform_id"],
        receiver=(row["receiver_country_code"], row["receiver_party_id"]),
        receiver_version=row["receiver_version"],
        response_url=row["response_url"],
        correlation_id=row["correlation_id"],
        reference=row["reference"],
        results=list(row["results"] or []),
        result_due_at=row["result_due_at"],
        expires_at=row["expires_at"],
        created_at=row["created_at"],
    )


# the statements of a command's path, built once: building one costs SQLAlchemy several
# times what running it does
_INSERT = insert(table)
_GET = select(table).where(table.c.id == bindparam("req_id"), table.c.kind != SETTER)
_GET_LOCKED = _GET.with_for_update()
_SET_DEADLINES = (
    update(table)
    .where(table.c.id == bindparam("req_id"))
    .values(result_due_at=bindparam("due"), expires_at=bindparam("expires"))
)
_SET_RESULTS = (
    update(table)
    .where(table.c.id == bindparam("req_id"))
    .values(results=bindparam("results"), result_due_at=None)
)
_DELETE = delete(table).where(table.c.id == bindparam("req_id"))


async def add_pending(conn: AsyncConnection, req: PendingRequest) -> None:
    """Record a request before it is forwarded (its result may come before the answer)."""
    await conn.execute(_INSERT, _values(req))


async def get_pending(
    conn: AsyncConnection, request_id: str, *, lock: bool = False
) -> PendingRequest | None:
    """The pending request behind a callback id (never a SETTER record)."""
    query = _GET_LOCKED if lock and conn.dialect.name != "sqlite" else _GET
    row = (await conn.execute(query, {"req_id": request_id})).mappings().first()
    return _row(row) if row else None


async def set_deadlines(
    conn: AsyncConnection,
    request_id: str,
    *,
    result_due_at: datetime | None,
    expires_at: datetime,
) -> None:
    """Set the deadlines once the receiver accepted; a result already in keeps no TIMEOUT due."""
    current = await get_pending(conn, request_id, lock=True)
    if current is None:
        return
    due = None if current.results else result_due_at
    await conn.execute(
        _SET_DEADLINES,
        {"req_id": request_id, "due": due, "expires": max(expires_at, current.expires_at)},
    )


async def delete_pending(conn: AsyncConnection, request_id: str) -> None:
    """Forget a request (the receiver refused it, or it never reached the receiver)."""
    await conn.execute(_DELETE, {"req_id": request_id})


async def claim_result(
    conn: AsyncConnection, request_id: str, result: str, decide: RelayPolicy
) -> PendingRequest | None:
    """Claim the relay of ``result``; None when it must not be relayed.

    ``decide(kind, relayed, result)`` is the policy (``hub/commands.py``): whether a result goes
    on, given the results relayed before. Claiming clears the TIMEOUT due time.
    """
    current = await get_pending(conn, request_id, lock=True)
    if current is None or not decide(current.kind, current.results, result):
        return None
    results = [*current.results, result]
    await conn.execute(_SET_RESULTS, {"req_id": request_id, "results": results})
    return current


async def due_timeouts(conn: AsyncConnection, now: datetime, limit: int = 100) -> list[str]:
    """Ids of requests whose result is overdue (TIMEOUT to be sent)."""
    query = (
        select(table.c.id)
        .where(table.c.result_due_at.is_not(None), table.c.result_due_at <= now)
        .order_by(table.c.result_due_at)
        .limit(limit)
    )
    return [str(r) for r in (await conn.execute(query)).scalars().all()]


async def delete_expired(conn: AsyncConnection, now: datetime) -> int:
    """Forget requests past their expiry whose result (or TIMEOUT) went out; how many."""
    result = await conn.execute(
        delete(table).where(table.c.expires_at <= now, table.c.result_due_at.is_(None))
    )
    return int(result.rowcount or 0)


async def find_reservation(
    conn: AsyncConnection, requester: tuple[str, str], reservation_id: str, now: datetime
) -> PendingRequest | None:
    """The newest live RESERVE_NOW of ``requester`` with this ``reservation_id``."""
    query = (
        select(table)
        .where(
            table.c.module == "commands",
            table.c.reference == reservation_id,
            table.c.kind == "RESERVE_NOW",
            table.c.requester_country_code == requester[0],
            table.c.requester_party_id == requester[1],
            table.c.expires_at > now,
        )
        .order_by(table.c.created_at.desc())
    )
    row = (await conn.execute(query)).mappings().first()
    return _row(row) if row else None


def _setter_id(cpo: tuple[str, str], session_id: str) -> str:
    return f"setter:{cpo[0]}{cpo[1]}:{session_id}"[:64]


async def set_setter(conn: AsyncConnection, req: PendingRequest, expires_at: datetime) -> None:
    """Record ``req``'s requester as the party that last set a profile on its session."""
    assert req.reference is not None
    key = _setter_id(req.receiver, req.reference)
    values = {
        **_values(req),
        "id": key,
        "kind": SETTER,
        "response_url": None,
        "results": [],
        "result_due_at": None,
        "expires_at": expires_at,
    }
    await conn.execute(delete(table).where(table.c.id == key))
    await conn.execute(insert(table).values(**values))


async def get_setter(
    conn: AsyncConnection, cpo: tuple[str, str], session_id: str, now: datetime
) -> PendingRequest | None:
    """Who last set a charging profile on the CPO's session, if anyone (and not long ago)."""
    query = select(table).where(
        and_(table.c.id == _setter_id(cpo, session_id), table.c.expires_at > now)
    )
    row = (await conn.execute(query)).mappings().first()
    return _row(row) if row else None
