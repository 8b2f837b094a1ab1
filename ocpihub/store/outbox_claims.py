"""Claiming due outbox items, fairly across receivers (issue 16.3).

A claim takes heads of (receiver, ordering key) queues: items that are due (PENDING/RETRY with
``next_attempt_at`` reached, or IN_FLIGHT with an expired lease) with no earlier item of their
queue still open. It works per receiver platform, so that one receiver's backlog costs the
others nearly nothing:

1. the receivers: REGISTERED platforms and their parties (two small tables); a platform whose
   every party is OFFLINE or SUSPENDED is paused and its items are never read, and on a
   platform with some paused parties those parties' items are filtered out of its walk;
2. for each receiver with room, the oldest due ids of each claimable status (a walk of
   ``ix_outbox_receiver_due``, at most twice the receiver's share), all receivers in one
   statement; then the queue-head check on just those ids (PostgreSQL: ``FOR UPDATE SKIP
   LOCKED``, so processes claim disjoint sets; SQLite: the caller holds the write lock). A
   receiver whose window was full of held-back items (the tail of one busy object) is searched
   further on its own;
3. the claim takes one head of each receiver in turn — receivers ordered by their oldest due
   head — until the limit or every receiver's room is used.

A receiver that is down gets its turn like any other, so its due backlog never delays another
receiver's new items by more than one claim.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    Integer,
    Select,
    and_,
    bindparam,
    exists,
    or_,
    select,
    text,
    tuple_,
    union_all,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import BindParameter, ColumnElement
from sqlalchemy.sql.expression import Executable

from ocpihub.model.outbox import CLAIMABLE, OPEN, OutboxItem, Status
from ocpihub.model.parties import ConnectionStatus, PlatformStatus
from ocpihub.store.outbox import item_from_row
from ocpihub.store.schema import outbox, parties, platforms

__all__ = ["claim"]

_PAUSED = frozenset((ConnectionStatus.OFFLINE.value, ConnectionStatus.SUSPENDED.value))

_BRANCHES = 200
"""Receiver windows per statement (SQLite allows 500 terms in one compound SELECT)."""

Candidate = tuple[datetime, int, int]
"""(next_attempt_at, id, receiver platform id) of a claimable queue head."""


@dataclass
class _Receiver:
    """A REGISTERED receiver platform and which of its parties are paused."""

    platform_id: int
    parties: set[tuple[str, str]] = field(default_factory=set)
    paused: set[tuple[str, str]] = field(default_factory=set)

    @property
    def asleep(self) -> bool:
        """Every party it hosts is paused: none of its items is read."""
        return bool(self.parties) and self.paused >= self.parties


@functools.cache
def _receivers_query() -> Executable:
    return (
        select(platforms.c.id, parties.c.country_code, parties.c.party_id, parties.c.status)
        .select_from(platforms.outerjoin(parties, parties.c.platform_id == platforms.c.id))
        .where(platforms.c.status == PlatformStatus.REGISTERED.value)
    )


async def _receivers(conn: AsyncConnection) -> dict[int, _Receiver]:
    found: dict[int, _Receiver] = {}
    for platform_id, cc, pid, status in (await conn.execute(_receivers_query())).all():
        receiver = found.setdefault(platform_id, _Receiver(platform_id))
        if cc is None:
            continue
        receiver.parties.add((cc, pid))
        if status in _PAUSED:
            receiver.paused.add((cc, pid))
    return found


def _not_paused(receiver: _Receiver) -> list[ColumnElement[bool]]:
    if not receiver.paused:
        return []
    party = tuple_(outbox.c.to_country_code, outbox.c.to_party_id)
    return [party.not_in(sorted(receiver.paused))]


_NOW = bindparam("now", type_=outbox.c.next_attempt_at.type)
_HELD: BindParameter[list[int]] = bindparam("held", expanding=True)
"""The claim's time and the ids its caller holds, bound at each claim (``{"now": …, "held":
[…]}``) in the statements built once."""


@functools.cache
def _is_due() -> ColumnElement[bool]:
    return or_(
        and_(outbox.c.status.in_([s.value for s in CLAIMABLE]), outbox.c.next_attempt_at <= _NOW),
        and_(
            outbox.c.status == Status.IN_FLIGHT.value,
            outbox.c.lease_until < _NOW,
            outbox.c.id.not_in(_HELD),
        ),
    )


@functools.cache
def _queue_head() -> ColumnElement[bool]:
    earlier = outbox.alias("earlier")
    return ~(
        exists()
        .where(
            earlier.c.receiver_platform_id == outbox.c.receiver_platform_id,
            earlier.c.ordering_key == outbox.c.ordering_key,
            earlier.c.id < outbox.c.id,
            earlier.c.status.in_([s.value for s in OPEN]),
        )
        .correlate(outbox)
    )


def _window(receiver: _Receiver, status: Status, now: datetime, size: int | None) -> Select[Any]:
    """The oldest due ids of one receiver and status, in due order (an index range)."""
    query = (
        select(outbox.c.next_attempt_at, outbox.c.id, outbox.c.receiver_platform_id)
        .where(
            outbox.c.receiver_platform_id == receiver.platform_id,
            outbox.c.status == status.value,
            outbox.c.next_attempt_at <= now,
            *_not_paused(receiver),
        )
        .order_by(outbox.c.next_attempt_at, outbox.c.id)
    )
    return query if size is None else query.limit(size)


@functools.lru_cache(maxsize=64)
def _plain_windows(count: int) -> Executable:
    """``count`` windows in one statement, their receiver, status and size bound when it runs
    (``r0``, ``s0``, ``k0``, …, ``now``): built once per count, since making SQLAlchemy
    constructs for every claim cost more than running them."""
    parts = []
    for i in range(count):
        window = (
            select(outbox.c.next_attempt_at, outbox.c.id, outbox.c.receiver_platform_id)
            .where(
                outbox.c.receiver_platform_id == bindparam(f"r{i}"),
                outbox.c.status == bindparam(f"s{i}"),
                outbox.c.next_attempt_at <= _NOW,
            )
            .order_by(outbox.c.next_attempt_at, outbox.c.id)
            .limit(bindparam(f"k{i}", type_=Integer()))
            .subquery()
        )
        parts.append(select(*window.c).select_from(window))
    return parts[0] if count == 1 else union_all(*parts)


async def _windows(
    conn: AsyncConnection, walks: Sequence[tuple[_Receiver, int]], now: datetime
) -> dict[int, list[Candidate]]:
    """Each receiver's oldest due ids, up to its window size; all receivers in few statements
    (receivers with some parties paused, rare, in statements of their own shape)."""
    branches = [(r, status, size) for r, size in walks for status in CLAIMABLE]
    found: dict[int, list[Candidate]] = {r.platform_id: [] for r, _ in walks}
    plain = [b for b in branches if not b[0].paused]
    for start in range(0, len(plain), _BRANCHES):
        chunk = plain[start : start + _BRANCHES]
        params: dict[str, Any] = {"now": now}
        for i, (r, status, size) in enumerate(chunk):
            params.update({f"r{i}": r.platform_id, f"s{i}": status.value, f"k{i}": size})
        for due, item_id, receiver in await conn.execute(_plain_windows(len(chunk)), params):
            found[receiver].append((due, item_id, receiver))
    for r, status, size in (b for b in branches if b[0].paused):
        for due, item_id, receiver in await conn.execute(_window(r, status, now, size)):
            found[receiver].append((due, item_id, receiver))
    return found


@functools.cache
def _expired_query() -> Executable:
    return (
        select(
            outbox.c.next_attempt_at,
            outbox.c.id,
            outbox.c.receiver_platform_id,
            outbox.c.to_country_code,
            outbox.c.to_party_id,
        )
        .where(
            outbox.c.status == Status.IN_FLIGHT.value,
            outbox.c.lease_until < _NOW,
            outbox.c.id.not_in(_HELD),
        )
        .order_by(outbox.c.next_attempt_at, outbox.c.id)
        .limit(bindparam("limit", type_=Integer()))
    )


async def _expired(
    conn: AsyncConnection, now: datetime, held: Collection[int], limit: int
) -> list[tuple[Candidate, tuple[str, str]]]:
    """Claims whose lease ran out (their process died): few, whoever their receiver."""
    params = {"now": now, "held": list(held), "limit": limit}
    rows = (await conn.execute(_expired_query(), params)).all()
    return [((due, item_id, receiver), (cc, pid)) for due, item_id, receiver, cc, pid in rows]


def _only_heads(query: Select[Any], dialect: str) -> Select[Any]:
    """Of ``query``'s rows, the claimable queue heads (locked on PostgreSQL; ``now`` and
    ``held`` bound)."""
    query = query.where(_queue_head())
    if dialect == "postgresql":
        # another process may have claimed a row since it was read: the lock re-checks
        # (SQLite: the windows were read under this transaction's write lock; the check would
        # only lead its planner to walk every due item instead of the ids at hand)
        query = query.where(_is_due()).with_for_update(skip_locked=True, of=outbox)
    return query


@functools.cache
def _heads_of_ids(dialect: str) -> Select[Any]:
    """:func:`_only_heads` of the ids ``ids``: built once per dialect."""
    columns = select(outbox.c.next_attempt_at, outbox.c.id, outbox.c.receiver_platform_id)
    return _only_heads(columns.where(outbox.c.id.in_(bindparam("ids", expanding=True))), dialect)


async def _heads(
    conn: AsyncConnection, query: Select[Any], params: dict[str, Any]
) -> list[Candidate]:
    """``query``'s rows (see :func:`_only_heads`), run with ``params``."""
    rows = await conn.execute(query, params)
    return [(due, item_id, receiver) for due, item_id, receiver in rows]


def _take_turns(
    candidates: Mapping[int, Sequence[Candidate]], shares: Mapping[int, int], limit: int
) -> list[int]:
    """One head of each receiver in turn (oldest receivers first) until ``limit``."""
    queues = {r: sorted(c)[: shares[r]] for r, c in candidates.items() if c and shares[r] > 0}
    order = sorted(queues, key=lambda r: queues[r][0])
    chosen: list[int] = []
    turn = 0
    while len(chosen) < limit and order:
        still = []
        for r in order:
            if turn < len(queues[r]):
                chosen.append(queues[r][turn][1])
                if len(chosen) >= limit:
                    break
                still.append(r)
        order = still
        turn += 1
    return chosen


async def _candidates(
    conn: AsyncConnection,
    receivers: Mapping[int, _Receiver],
    shares: Mapping[int, int],
    now: datetime,
    held: Collection[int],
) -> dict[int, list[Candidate]]:
    """Claimable heads per receiver: its window, searched further when that held too few."""
    walks = [(receivers[r], 2 * n) for r, n in shares.items() if not receivers[r].asleep]
    windows = await _windows(conn, walks, now)
    expired = await _expired(conn, now, held, 2 * sum(shares.values()))
    for (due, item_id, r), party in expired:
        if r in windows and party not in receivers[r].paused:
            windows[r].append((due, item_id, r))
    ids = [c[1] for found in windows.values() for c in found]
    heads: dict[int, list[Candidate]] = {r: [] for r in shares}
    if not ids:
        return heads
    bound = {"now": now, "held": list(held)}
    for c in await _heads(conn, _heads_of_ids(conn.dialect.name), {"ids": ids, **bound}):
        heads[c[2]].append(c)
    custom_plans = False
    for receiver, size in walks:
        r = receiver.platform_id
        if len(windows[r]) < size or len(heads[r]) >= shares[r]:
            continue
        # the window was full of held-back items: search this receiver's due items further
        if conn.dialect.name == "postgresql" and not custom_plans:
            # a plan made for the bind values at hand (asyncpg's prepared statements may
            # otherwise settle on a generic plan that is slow for a freshly grown outbox)
            await conn.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
            custom_plans = True
        found = [
            c
            for status in CLAIMABLE
            for c in await _heads(
                conn,
                _only_heads(
                    _window(receiver, status, now, None).limit(2 * shares[r]), conn.dialect.name
                ),
                bound,
            )
        ]
        heads[r] = sorted(set(heads[r]) | set(found))
    return heads


@functools.cache
def _claim_query() -> Executable:
    """The claim of the items ``chosen``, for ``c_worker`` until ``c_until``; built once."""
    return (
        update(outbox)
        .where(outbox.c.id.in_(bindparam("chosen", expanding=True)))
        .values(
            status=Status.IN_FLIGHT.value,
            attempts=outbox.c.attempts + 1,
            lease_until=bindparam("c_until", type_=outbox.c.lease_until.type),
            claimed_by=bindparam("c_worker", type_=outbox.c.claimed_by.type),
            updated_at=bindparam("c_now", type_=outbox.c.updated_at.type),
        )
        .returning(outbox)
    )


async def claim(
    conn: AsyncConnection,
    *,
    worker_id: str,
    now: datetime,
    lease: float,
    limit: int,
    room: Mapping[int, int],
    default_room: int,
    held: Collection[int] = (),
) -> list[OutboxItem]:
    """Claim up to ``limit`` due queue heads for ``worker_id``, lease ``lease`` seconds, taking
    turns across receivers (see the module docstring).

    ``room`` is how many more items each receiver platform may have in flight in this process
    (``default_room`` for receivers not named); receivers without room are not read. ``held``:
    items the caller is delivering now; never claimed again by it, even if a stall let their
    lease run out. Each claim counts as an attempt.
    """
    if limit <= 0:
        return []
    receivers = await _receivers(conn)
    shares = {
        r: min(limit, room.get(r, default_room)) for r in receivers if room.get(r, default_room) > 0
    }
    if not shares:
        return []
    heads = await _candidates(conn, receivers, shares, now, held)
    chosen = _take_turns(heads, shares, limit)
    if not chosen:
        return []
    params = {
        "chosen": chosen,
        "c_until": now + timedelta(seconds=lease),
        "c_worker": worker_id,
        "c_now": now,
    }
    rows = (await conn.execute(_claim_query(), params)).mappings().all()
    return sorted((item_from_row(r) for r in rows), key=lambda i: i.id)
