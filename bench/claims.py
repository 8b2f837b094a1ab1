"""What one receiver's backlog costs the others' claims (issue 16.3), in-process, store level.

    .venv/bin/python -m bench.claims [--backlog 20000] [--claims 200] [--backend sqlite postgres]

The worker's claim loop without HTTP: 10 receivers, 9 of them with 8 new items each before
every claim; each claim (limit 64, 8 per receiver) is followed by the outcomes of what it took
(DONE for the healthy receivers; RETRY, due again at once, for the one away). Three runs per
backend, each on a fresh database: no backlog; 20,000 items due for the last receiver
(``down``: due for retry, so every claim may take them); the same for a receiver whose party is
OFFLINE (``offline``: its items wait). Per run: the median wall time of a claim's
statements (the commit's flush left out), and how many healthy items each claim took — the
figures that made healthy receivers starve before, measured without the noise of a loaded
machine's HTTP traffic.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import os
import statistics
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from bench import harness
from ocpihub.model.outbox import Status
from ocpihub.model.parties import ConnectionStatus, PlatformStatus
from ocpihub.outbox.enqueue import Delivery, enqueue, ordering_key
from ocpihub.store import outbox as store
from ocpihub.store import platforms as plat
from ocpihub.store.db import Database
from ocpihub.store.migrate import migrate

RECEIVERS = 10


def _claim() -> Any:
    """The claim of the code at hand (``store.outbox.claim`` before issue 16.3)."""
    try:
        return importlib.import_module("ocpihub.store.outbox_claims").claim
    except ImportError:
        return importlib.import_module("ocpihub.store.outbox").claim


def _put(rid: int, party: str, obj: str) -> Delivery:
    return Delivery(
        receiver_platform_id=rid,
        receiver_party=("DE", party),
        sender_party=("NL", "CPO"),
        module="locations",
        method="PUT",
        url_suffix=f"/NL/CPO/{obj}",
        ordering_key=ordering_key("locations", "NL", "CPO", obj),
        correlation_id=obj,
        object_name="Location",
        original={"id": obj, "name": "x" * 400},
        original_version="2.3.0",
    )


async def _receivers(db: Database) -> list[int]:
    ids = []
    async with db.write() as conn:
        for n in range(RECEIVERS):
            p = await plat.create_platform(conn, f"r{n}")
            await plat.update_platform(
                conn, p.id, status=PlatformStatus.REGISTERED, version="2.3.0", outbound_token="t"
            )
            await plat.upsert_party(
                conn,
                p.id,
                country_code="DE",
                party_id=f"M{n:02d}",
                role="EMSP",
                status=ConnectionStatus.CONNECTED,
            )
            ids.append(p.id)
    return ids


async def _backlog(db: Database, rid: int, count: int, mode: str) -> None:
    party = f"M{RECEIVERS - 1:02d}"
    for first in range(0, count, 2000):
        async with db.write() as conn:
            batch = [_put(rid, party, f"B{n}") for n in range(first, min(count, first + 2000))]
            await enqueue(conn, batch, now=datetime.now(UTC) - timedelta(hours=1))
    async with db.write() as conn:
        if mode == "offline":
            await plat.set_party_status(conn, "DE", party, ConnectionStatus.OFFLINE)
        await store.analyze(conn)


async def _loop(db: Database, rids: list[int], claims: int) -> dict[str, float]:
    claim = _claim()
    away = rids[-1]
    wall: list[float] = []
    healthy: list[int] = []
    for n in range(claims):
        async with db.write() as conn:
            await enqueue(
                conn, [_put(r, f"M{i:02d}", f"N{n}-{i}") for i, r in enumerate(rids[:-1])]
            )
        async with db.write() as conn:  # the claim's statements, not the commit's flush
            t0 = time.perf_counter()
            got = await claim(
                conn,
                worker_id="bench",
                now=datetime.now(UTC),
                lease=30.0,
                limit=64,
                room={},
                default_room=8,
            )
            wall.append(time.perf_counter() - t0)
        healthy.append(sum(1 for i in got if i.delivery.receiver_platform_id != away))
        now = datetime.now(UTC)
        outcomes = [
            store.Finished(i.id, Status.DONE, now)
            if i.delivery.receiver_platform_id != away
            else store.Finished(i.id, Status.RETRY, now, next_attempt_at=now, error="down")
            for i in got
        ]
        async with db.write() as conn:
            await store.finish_many(conn, "bench", outcomes)
    return {
        "claim_ms_p50": round(statistics.median(wall) * 1000, 2),
        "claim_ms_p90": round(sorted(wall)[int(len(wall) * 0.9)] * 1000, 2),
        "healthy_per_claim": round(statistics.mean(healthy), 2),
        "healthy_queued_per_claim": RECEIVERS - 1,
    }


async def run(backend: str, mode: str | None, backlog: int, claims: int) -> dict[str, Any]:
    """One run on a fresh database."""
    async with harness.database(backend) as url:
        db = Database(url)
        try:
            await migrate(db)
            rids = await _receivers(db)
            if mode is not None:
                await _backlog(db, rids[-1], backlog, mode)
            load = os.getloadavg()[0]
            got = await _loop(db, rids, claims)
        finally:
            await db.close()
    return {
        "backend": backend,
        "away": mode,
        "backlog": backlog if mode else 0,
        **got,
        "loadavg": load,
    }


async def bench(backends: list[str], backlog: int, claims: int) -> dict[str, Any]:
    """Every backend: no backlog, down, offline; prints the table."""
    results = []
    rows = []
    for b in backends:
        base = await run(b, None, backlog, claims)
        results.append(base)
        for mode in (None, "down", "offline")[1:]:
            r = await run(b, mode, backlog, claims)
            results.append(r)
        for r in results[-3:]:
            rows.append(
                [
                    b,
                    r["away"] or "(none)",
                    r["claim_ms_p50"],
                    r["claim_ms_p50"] / base["claim_ms_p50"],
                    r["claim_ms_p90"],
                    r["healthy_per_claim"],
                    r["healthy_per_claim"] / base["healthy_per_claim"],
                    round(r["loadavg"], 2),
                ]
            )
    print(
        harness.table(
            [
                "backend",
                "away",
                "claim p50 ms",
                "x base",
                "p90 ms",
                "healthy/claim",
                "x base",
                "load",
            ],
            rows,
        )
    )
    return {"backlog": backlog, "claims": claims, "results": results}


def main() -> None:
    """Parse flags, run, print, write JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--backlog", type=int, default=20_000)
    parser.add_argument("--claims", type=int, default=200)
    parser.add_argument(
        "--backend",
        nargs="+",
        choices=["sqlite", "postgres"],
        default=["sqlite", "postgres"] if os.environ.get(harness.PG_ENV) else ["sqlite"],
    )
    args = parser.parse_args()
    results = asyncio.run(bench(args.backend, args.backlog, args.claims))
    print(f"\nwrote {harness.write_results('claims', results)}")


if __name__ == "__main__":
    main()
