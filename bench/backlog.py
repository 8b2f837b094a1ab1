"""A large backlog for one receiver that is away (issue 16.3), for ``bench.broadcast --backlog``.

Two ways a receiver is away, both set up from the benchmark's own process through the store
while the hub runs:

- ``down``: its endpoints point at a loopback port nobody listens on, so every attempt fails at
  once and its items go RETRY (with the default backoff most of the backlog stays due for the
  whole run: the hub keeps trying it);
- ``offline``: its party is OFFLINE (HubClientInfo), so its items wait untried.

Then ``count`` Location PUTs for it (distinct objects, the sender's 2.3.0 original, as a push
stores them) are queued, due now, older than anything the benchmark pushes next.
"""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import func, select

from bench.harness import free_port
from ocpihub.model.parties import ConnectionStatus, Endpoint
from ocpihub.outbox.enqueue import Delivery, enqueue, ordering_key
from ocpihub.store import platforms as plat
from ocpihub.store.db import Database
from ocpihub.store.schema import outbox

__all__ = ["MODES", "queue_backlog", "row", "tried"]

MODES = ("down", "offline")

_CACHE_SECONDS = 2.5
"""A little more than the hub's ``directory_cache_seconds`` (2 s): then it sees the change."""


async def _take_away(conn: Any, platform_id: int, party: tuple[str, str], mode: str) -> None:
    if mode == "down":
        dead = f"http://127.0.0.1:{free_port()}/ocpi/2.3.0"
        endpoints = await plat.list_endpoints(conn, platform_id)
        await plat.replace_endpoints(
            conn,
            platform_id,
            [Endpoint(e.identifier, e.role, f"{dead}/{e.identifier}") for e in endpoints],
        )
    else:
        await plat.set_party_status(conn, party[0], party[1], ConnectionStatus.OFFLINE)


async def queue_backlog(
    database_url: str,
    platform_id: int,
    party: tuple[str, str],
    sender: tuple[str, str],
    body: dict[str, Any],
    *,
    count: int,
    mode: str,
    batch: int = 2000,
) -> None:
    """Take the receiver away (``mode``) and queue ``count`` Location PUTs for it."""
    db = Database(database_url)
    try:
        async with db.write() as conn:
            await _take_away(conn, platform_id, party, mode)
        for first in range(0, count, batch):
            deliveries = []
            for n in range(first, min(count, first + batch)):
                loc_id = f"BACKLOG{n:07d}"
                deliveries.append(
                    Delivery(
                        receiver_platform_id=platform_id,
                        receiver_party=party,
                        sender_party=sender,
                        module="locations",
                        method="PUT",
                        url_suffix=f"/{sender[0]}/{sender[1]}/{loc_id}",
                        ordering_key=ordering_key("locations", *sender, loc_id),
                        correlation_id=f"backlog-{n}",
                        object_name="Location",
                        original={**body, "id": loc_id},
                        original_version="2.3.0",
                    )
                )
            async with db.write() as conn:
                await enqueue(conn, deliveries)
        await _settle(db)
    finally:
        await db.close()
    await asyncio.sleep(_CACHE_SECONDS)


async def _settle(db: Database) -> None:
    """Bring the database to where a backlog that grew over hours leaves it: written back from
    the log (SQLite's WAL, PostgreSQL's checkpoint) and with planner statistics. Otherwise the
    hub would pay, inside the measured run, for the benchmark's burst of inserts (a checkpoint
    of ~50 MB of WAL on SQLite)."""
    async with db.engine.connect() as conn:
        if db.is_sqlite:
            await conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        else:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.exec_driver_sql("ANALYZE outbox")
            await conn.exec_driver_sql("CHECKPOINT")


async def tried(database_url: str, platform_id: int) -> int:
    """How many of the receiver's items the hub has attempted at least once."""
    db = Database(database_url)
    try:
        async with db.read() as conn:
            query = select(func.count()).where(
                outbox.c.receiver_platform_id == platform_id,
                outbox.c.attempts > 0,
                outbox.c.status != "DONE",  # not its registration's pushes
            )
            return int((await conn.execute(query)).scalar_one())
    finally:
        await db.close()


def _ratio(value: float, base: float) -> float:
    return value / base if base else 0.0


def row(run: dict[str, Any], base: dict[str, Any]) -> list[Any]:
    """One run of ``bench.broadcast --backlog`` against its round's run without the backlog:
    the healthy receivers' figures and their ratios (``x base``)."""
    sat, half = run["saturation"], run["half_load"]
    bsat, bhalf = base["saturation"], base["half_load"]
    return [
        run["backend"],
        run["away"] or "(none)",
        f"{run['backlog_tried']}/{run['backlog']}",
        (sat["hub_cpu_us_per_delivery"] or 0) / 1000,
        _ratio(sat["hub_cpu_us_per_delivery"] or 0, bsat["hub_cpu_us_per_delivery"] or 0),
        sat["deliveries_per_s"],
        _ratio(sat["deliveries_per_s"], bsat["deliveries_per_s"]),
        half["push_to_delivery_p50_ms"],
        _ratio(half["push_to_delivery_p50_ms"], bhalf["push_to_delivery_p50_ms"]),
        half["push_to_delivery_p95_ms"],
        _ratio(half["push_to_delivery_p95_ms"], bhalf["push_to_delivery_p95_ms"]),
        f"{half['deliveries_arrived']}/{half['deliveries_expected']}",
        half["hub_busy"],
        half["hub_cpu_wait"],
        round(run["loadavg_at_start"], 2),
    ]
