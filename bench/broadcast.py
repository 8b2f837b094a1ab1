"""Broadcast push: a CPO pushing Locations through the hub to 10 eMSP receivers.

    .venv/bin/python -m bench.broadcast [--seconds 5] [--receivers 10] [--concurrency 16]
                                        [--backend sqlite postgres] [--profile FILE]
                                        [--backlog 20000 [--away down offline]]
                                        [--versions 2.3.0 2.2.1 2.1.1] [--hub-workers 2]
                                        [--half-rate 30]

Per backend (SQLite always; PostgreSQL when ``OCPIHUB_BENCH_POSTGRES_URL`` is set, e.g.
``postgresql+asyncpg://postgres@127.0.0.1/postgres``; a fresh database is created and dropped):

1. saturation: ``--concurrency`` CPO connections PUT distinct Locations as fast as the hub
   acknowledges them, for ``--seconds``: acknowledged objects/s. The fleet's receivers note when
   each Location arrives; deliveries/s is every delivery over the time from the first push to
   the last arrival (or to the drain deadline).
2. half load: pushes paced at half the acknowledged rate for ``--seconds`` (``--half-rate``:
   at that many pushes per second instead); push-to-delivery p50/p95 is arrival time at a
   receiver minus the time the push was sent.

0. baseline (issue 20): ``bench.forwarder`` in front of the first receiver, the same Location
   PUTs over the same ``--concurrency`` connections: its requests/s (``fwd PUT/s``) and CPU per
   request (``fwd CPU us``).

Goals, as ratios to that baseline in the same run (issue 20): acknowledged objects/s >= 0.24x
(``x fwd``) and deliveries/s >= 0.8x; p95 < 250 ms at half load. The DESIGN figures (>= 1,500
objects/s, >= 5,000 deliveries/s) are those ratios on the machine where the forwarder does
~6,300 requests/s; they stay in the JSON.

``CPU us/deliv``: the hub's CPU time (all its processes) over phase 1 and its drain, per
delivery (its push's share included); on a shared machine it moves far less with the load than
the rates. ``--versions`` cycles the receivers' versions (``2.3.0 2.2.1 2.1.1``: mixed, the
2.2.1 and 2.1.1 receivers get translated bodies); ``--hub-workers 2``: ``serve --workers 2``
(PostgreSQL only).

``--backlog N`` (issue 16.3): per backend, the run above once as it is and once per ``--away``
mode with the last receiver away and N items queued for it first (``bench/backlog.py``: ``down``,
its URLs refuse connections and its items are retried; ``offline``, its party is OFFLINE and its
items wait). Every figure is then taken over the other receivers only, in every run, and
printed as ratios against the run without the backlog. Goal: within 10 %. ``busy`` and ``cpu
wait``: shares of the half-load phase the hub was on a CPU, or runnable but kept off one by
other work on the machine (``harness.sched_seconds``).

Half the acknowledged rate is not half of what the hub can deliver: acknowledging a push costs
far less than delivering it to 10 receivers, so at that pace the hub is close to (or past) its
delivery capacity and latency swings between tens of milliseconds and seconds from one run to
the next. ``--half-rate`` paces the second phase below that, where latency is a property of
the hub rather than of which side of its capacity a run fell.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import copy
import os
import statistics
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import orjson

from bench import backlog as away_backlog
from bench import harness
from tests.examples import load_example

CPO = ("CPO", "NL", "CPO")
VERSION = "2.3.0"


def location_body() -> dict[str, Any]:
    """The spec's destination-charger example, owned by NL-CPO."""
    body: dict[str, Any] = load_example(VERSION, "location_example_uc2_destination_charger.json")
    body["country_code"], body["party_id"] = CPO[1], CPO[2]
    return body


class Pusher:
    """PUTs Location ``L{n}`` for the CPO and remembers when each push was sent."""

    def __init__(self, url: str, token: str) -> None:
        self.url = url
        self.headers = {
            "Authorization": "Token " + base64.b64encode(token.encode()).decode(),
            "Content-Type": "application/json",
            "X-Correlation-ID": str(uuid.uuid4()),
        }
        self.template = location_body()
        self.sent: dict[str, float] = {}
        self.prefix = uuid.uuid4().hex[:6]

    async def __call__(self, session: aiohttp.ClientSession, n: int) -> bool:
        """Push one new Location; True when the hub acknowledged it (OCPI 1000)."""
        loc_id = f"{self.prefix}{n:07d}"
        body = copy.copy(self.template)
        body["id"] = loc_id
        data = orjson.dumps(body)
        self.sent[loc_id] = time.time()
        async with session.put(
            f"{self.url}/{CPO[1]}/{CPO[2]}/{loc_id}",
            data=data,
            headers={**self.headers, "X-Request-ID": f"b{n}"},
        ) as response:
            raw = await response.read()
            return response.status in (200, 201) and b'"status_code":1000' in raw


async def drain(
    fleet: harness.Fleet,
    session: aiohttp.ClientSession,
    expected: int,
    within: float,
    skip: str | None = None,
) -> dict[str, dict[str, float]]:
    """Poll the receivers (all but ``skip``) until ``expected`` deliveries arrived or ``within``
    seconds passed; their arrivals."""
    deadline = time.monotonic() + within
    while True:
        stats = {k: v for k, v in (await fleet.stats(session)).items() if k != skip}
        got = sum(len(v) for v in stats.values())
        if got >= expected or time.monotonic() > deadline:
            return stats
        await asyncio.sleep(0.5)


def latencies(pusher: Pusher, stats: dict[str, dict[str, float]]) -> list[float]:
    """Arrival minus send time of every delivery of a Location this pusher sent."""
    return [
        arrived - pusher.sent[loc_id]
        for per_peer in stats.values()
        for loc_id, arrived in per_peer.items()
        if loc_id in pusher.sent
    ]


async def paced(pusher: Pusher, rate: float, seconds: float) -> tuple[int, int]:
    """Open-loop pushes at ``rate`` per second for ``seconds``; (acknowledged, failed)."""
    ok = failed = 0
    count = int(rate * seconds)
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=64)) as session:
        loop = asyncio.get_running_loop()
        start = loop.time()

        async def one(n: int) -> None:
            nonlocal ok, failed
            await asyncio.sleep(max(0.0, start + n / rate - loop.time()))
            try:
                good = await pusher(session, n)
            except aiohttp.ClientError:
                good = False
            ok, failed = ok + good, failed + (not good)

        await asyncio.gather(*(one(n) for n in range(count)))
    return ok, failed


async def forwarder_baseline(
    fleet: harness.Fleet, receiver: str, version: str, concurrency: int, seconds: float
) -> tuple[float, float]:
    """The issue's yardstick: ``bench.forwarder`` in front of one receiver, the same Location
    PUTs over ``concurrency`` connections; (its requests/s, its CPU µs per request)."""
    peer = fleet.peers[receiver]
    async with harness.forwarder(peer["base_url"]) as fwd:
        pusher = Pusher(f"{fwd.url}/ocpi/{version}/locations", peer["accepted_token"])
        run = await harness.closed_loop(
            "forwarder", pusher, concurrency=concurrency, seconds=seconds, cpu_of=fwd.pid
        )
    print(f"  forwarder: {run.throughput:.0f} PUT/s ({run.errors} errors)")
    return run.throughput, run.cpu_us or 0.0


@dataclass(frozen=True)
class Setup:
    """What a run varies beside the backend: receivers' versions (cycled), hub processes."""

    versions: tuple[str, ...] = (VERSION,)
    hub_workers: int = 1
    half_rate: float | None = None


async def run_backend(
    backend: str,
    seconds: float,
    receivers: int,
    concurrency: int,
    profile: Path | None,
    away: tuple[str | None, int] | None = None,
    half_rate: float | None = None,
    setup: Setup = Setup(),
) -> dict[str, Any]:
    """Both phases on one backend. ``away``: (mode or None, backlog size) — measure the other
    receivers only, with the last one away and its backlog queued when a mode is given.
    ``half_rate``: pace of the second phase (default: half the first phase's rate)."""
    emsps = [("EMSP", "DE", f"M{i:02d}") for i in range(receivers)]
    victim = f"emsp{receivers - 1:02d}" if away else None
    counted = receivers - 1 if away else receivers
    versions = [setup.versions[i % len(setup.versions)] for i in range(receivers)]
    peers = [{"name": "cpo", "version": VERSION, "parties": [CPO]}] + [
        {"name": f"emsp{i:02d}", "version": versions[i], "parties": [p]}
        for i, p in enumerate(emsps)
    ]
    agreements = [[f"{CPO[1]}-{CPO[2]}", f"{cc}-{pid}"] for _, cc, pid in emsps]
    async with (
        harness.database(backend) as db_url,
        harness.hub(db_url, profile=profile, workers=setup.hub_workers) as hub,
        harness.fleet(hub.url, peers, agreements) as fleet,
        aiohttp.ClientSession() as session,
    ):
        url = fleet.endpoint("cpo", "locations", "RECEIVER")
        token = fleet.peers["cpo"]["hub_token"]
        victim_id: int = fleet.peers[victim]["platform_id"] if victim else 0
        if away and away[0] is not None:
            await away_backlog.queue_backlog(
                db_url,
                victim_id,
                emsps[-1][1:],
                CPO[1:],
                location_body(),
                count=away[1],
                mode=away[0],
            )

        # baseline: the same PUTs relayed by bench.forwarder to one receiver, same connections
        fwd_rate, fwd_cpu_us = await forwarder_baseline(
            fleet, f"emsp{0:02d}", versions[0], concurrency, seconds
        )
        await fleet.reset(session)

        # phase 1: saturation
        pusher = Pusher(url, token)
        cpu = harness.cpu_seconds(hub.pid)
        t0 = time.time()
        run = await harness.closed_loop(
            "hub", pusher, concurrency=concurrency, seconds=seconds, warmup=0.5
        )
        pushed = len(pusher.sent)
        stats = await drain(
            fleet, session, pushed * counted, within=max(30.0, seconds * 8), skip=victim
        )
        cpu = harness.cpu_seconds(hub.pid) - cpu
        arrivals = [t for per in stats.values() for t in per.values()]
        delivered = len(arrivals)
        span = (max(arrivals) - t0) if arrivals else 0.0
        sat_lat = latencies(pusher, stats)
        acked_rate = run.throughput
        print(
            f"  [{backend}] saturation: {acked_rate:.0f} acknowledged/s, {delivered} of "
            f"{pushed * counted} deliveries in {span:.1f} s"
        )

        # phase 2: half load
        await fleet.reset(session)
        half = Pusher(url, token)
        rate = half_rate or setup.half_rate or max(1.0, acked_rate / 2)
        sched, t_half = harness.sched_seconds(hub.pid), time.monotonic()
        ok, failed = await paced(half, rate, seconds)
        busy, held = (b - a for a, b in zip(sched, harness.sched_seconds(hub.pid), strict=True))
        t_half = time.monotonic() - t_half
        stats = await drain(
            fleet, session, ok * counted, within=max(30.0, seconds * 8), skip=victim
        )
        half_lat = latencies(half, stats)
        half_delivered = sum(len(v) for v in stats.values())
        rss = harness.rss_mb(hub.pid) if profile is None else {}
        backlog_tried = await away_backlog.tried(db_url, victim_id) if away and away[0] else 0
        print(
            f"  [{backend}] half load {rate:.0f}/s: {ok} acknowledged, {half_delivered} "
            f"delivered, p95 {harness.percentile(half_lat, 95) * 1000:.0f} ms"
        )
    deliveries_rate = delivered / span if span else 0.0
    p95_half = harness.percentile(half_lat, 95)
    acked_x, deliv_x = acked_rate / fwd_rate, deliveries_rate / fwd_rate
    return {
        "backend": backend,
        "receivers": receivers,
        "away": away[0] if away else None,
        "backlog": away[1] if away and away[0] else 0,
        "backlog_tried": backlog_tried,
        "measured_receivers": counted,
        "receiver_versions": versions,
        "hub_workers": setup.hub_workers,
        "concurrency": concurrency,
        "saturation": {
            **run.summary(),
            # hub CPU over the phase and its drain, per delivery (its push's share included)
            "hub_cpu_s": round(cpu, 2),
            "hub_cpu_us_per_delivery": round(cpu / delivered * 1e6) if delivered else None,
            "acknowledged_per_s": round(acked_rate, 1),
            "pushed": pushed,
            "deliveries_expected": pushed * counted,
            "deliveries_arrived": delivered,
            "deliveries_per_s": round(deliveries_rate, 1),
            "push_to_delivery_p50_ms": round(harness.percentile(sat_lat, 50) * 1000, 1),
            "push_to_delivery_p95_ms": round(harness.percentile(sat_lat, 95) * 1000, 1),
        },
        "half_load": {
            "rate_per_s": round(rate, 1),
            "acknowledged": ok,
            "failed": failed,
            "deliveries_expected": ok * counted,
            "deliveries_arrived": half_delivered,
            "push_to_delivery_p50_ms": round(harness.percentile(half_lat, 50) * 1000, 1),
            "push_to_delivery_p95_ms": round(p95_half * 1000, 1),
            # shares of the phase the hub spent on a CPU / runnable but kept off one
            "hub_busy": round(busy / t_half, 2),
            "hub_cpu_wait": round(held / t_half, 2),
        },
        "hub_rss": rss,
        "forwarder": {
            "requests_per_s": round(fwd_rate, 1),
            "cpu_us_per_request": round(fwd_cpu_us, 1),
            "acknowledged_x_forwarder": round(acked_x, 3),
            "deliveries_x_forwarder": round(deliv_x, 3),
        },
        "goals": {
            "acknowledged_0.24x_forwarder": harness.verdict(acked_x >= 0.24),
            "deliveries_0.8x_forwarder": harness.verdict(deliv_x >= 0.8),
            "acknowledged_1500_per_s": harness.verdict(acked_rate >= 1500),
            "deliveries_5000_per_s": harness.verdict(deliveries_rate >= 5000),
            "p95_half_load_under_250ms": harness.verdict(
                p95_half < 0.25 and half_delivered >= ok * counted
            ),
        },
    }


async def bench(
    backends: list[str],
    seconds: float,
    receivers: int,
    concurrency: int,
    profile: Path | None,
    setup: Setup = Setup(),
    repeat: int = 1,
) -> dict[str, Any]:
    """Every backend in turn (``repeat`` runs each); prints the table."""
    results = [
        await run_backend(b, seconds, receivers, concurrency, profile, setup=setup)
        for b in backends
        for _ in range(repeat)
    ]
    rows = []
    for r in results:
        sat, half, fwd = r["saturation"], r["half_load"], r["forwarder"]
        rows.append(
            [
                r["backend"],
                fwd["requests_per_s"],
                sat["acknowledged_per_s"],
                fwd["acknowledged_x_forwarder"],
                sat["deliveries_per_s"],
                fwd["deliveries_x_forwarder"],
                f"{sat['deliveries_arrived']}/{sat['deliveries_expected']}",
                sat["hub_cpu_us_per_delivery"],
                fwd["cpu_us_per_request"],
                half["rate_per_s"],
                half["push_to_delivery_p50_ms"],
                half["push_to_delivery_p95_ms"],
                half["push_to_delivery_p95_ms"] / 250,
            ]
        )
    print()
    print(
        harness.table(
            [
                "backend",
                "fwd PUT/s",
                "acked/s",
                "x fwd",
                "deliv/s",
                "x fwd",
                "arrived",
                "CPU us/deliv",
                "fwd CPU us",
                "half /s",
                "p50 ms",
                "p95 ms",
                "p95/goal",
            ],
            rows,
        )
    )
    for r in results:
        print(f"{r['backend']}: {r['goals']}")
    if repeat > 1:
        print()
        for backend in backends:
            print(spread(backend, [r for r in results if r["backend"] == backend]))
    return {"seconds": seconds, "results": results}


def spread(backend: str, runs: list[dict[str, Any]]) -> str:
    """Median and range over repeated runs of the figures the goals read: on a machine whose
    speed moves between runs, one run is one sample."""

    def line(name: str, values: list[float], fmt: str) -> str:
        return f"{name} {statistics.median(values):{fmt}} ({min(values):{fmt}}-{max(values):{fmt}})"

    fwd = [r["forwarder"] for r in runs]
    cpu = [float(r["saturation"]["hub_cpu_us_per_delivery"] or 0) for r in runs]
    return f"{backend}, {len(runs)} runs, median (range): " + "; ".join(
        [
            line("acked x fwd", [f["acknowledged_x_forwarder"] for f in fwd], ".3f"),
            line("deliv x fwd", [f["deliveries_x_forwarder"] for f in fwd], ".3f"),
            line("CPU us/deliv", cpu, ".0f"),
            line("fwd PUT/s", [f["requests_per_s"] for f in fwd], ".0f"),
        ]
    )


async def _backlog_round(
    backend: str,
    seconds: float,
    receivers: int,
    concurrency: int,
    backlog: int,
    modes: list[str],
    setup: Setup,
) -> list[dict[str, Any]]:
    """The run without the backlog, then one per mode at the same half-load pace."""
    runs: list[dict[str, Any]] = []
    for mode in [None, *modes]:
        load = os.getloadavg()[0]
        run = await run_backend(
            backend,
            seconds,
            receivers,
            concurrency,
            None,
            (mode, backlog),
            half_rate=runs[0]["half_load"]["rate_per_s"] if runs else None,
            setup=setup,
        )
        runs.append({**run, "loadavg_at_start": load})
    return runs


async def bench_backlog(
    backends: list[str],
    seconds: float,
    receivers: int,
    concurrency: int,
    backlog: int,
    modes: list[str],
    rounds: int,
    setup: Setup,
) -> dict[str, Any]:
    """Per backend and round: the run without a backlog, then one per mode with it; prints
    every run against its round's run without the backlog, and the median ratios."""
    results: list[dict[str, Any]] = []
    rows: list[list[Any]] = []
    ratios: dict[tuple[str, str], list[list[float]]] = {}
    for b in backends:
        for _ in range(rounds):
            runs = await _backlog_round(b, seconds, receivers, concurrency, backlog, modes, setup)
            results.extend(runs)
            for run in runs:
                row = away_backlog.row(run, runs[0])
                rows.append(row)
                if run["away"]:
                    got = [row[4], row[6], row[8], row[10]]
                    ratios.setdefault((b, run["away"]), []).append(got)
    headers = ["backend", "away", "tried", "cpu ms/d", "x base", "deliv/s", "x base", "p50 ms"]
    headers += ["x base", "p95 ms", "x base", "arrived", "busy", "cpu wait", "load"]
    print()
    print(f"healthy receivers ({receivers - 1}), with a {backlog}-item backlog for one away,")
    print("each run against its round's run without it (x base 1.00 = unchanged; goal ±10 %)")
    print(harness.table(headers, rows))
    summary = [
        [b, mode, *(statistics.median(r[i] for r in got) for i in range(4)), len(got)]
        for (b, mode), got in ratios.items()
    ]
    print()
    print("medians: hub CPU per healthy delivery (saturation), healthy deliveries/s, p50, p95")
    headers = ["backend", "away", "cpu/d x", "deliv/s x", "p50 x", "p95 x", "rounds"]
    print(harness.table(headers, summary))
    return {"seconds": seconds, "backlog": backlog, "rounds": rounds, "results": results}


def _backlog_flags(parser: argparse.ArgumentParser) -> None:
    """The flags of the run with a receiver away (issue 16.3)."""
    parser.add_argument(
        "--backlog",
        type=int,
        default=0,
        help="items queued for the last receiver, away (issue 16.3); 0: the usual run",
    )
    parser.add_argument(
        "--away",
        nargs="+",
        choices=away_backlog.MODES,
        default=list(away_backlog.MODES),
        help="how the receiver with the backlog is away (with --backlog)",
    )
    parser.add_argument(
        "--rounds", type=int, default=1, help="with --backlog: repeat base and away runs"
    )


def main() -> None:
    """Parse flags, run, print, write JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=5.0, help="seconds of each phase")
    parser.add_argument("--receivers", type=int, default=10)
    parser.add_argument("--concurrency", type=int, default=16, help="CPO connections")
    parser.add_argument(
        "--backend",
        nargs="+",
        choices=["sqlite", "postgres"],
        default=["sqlite", "postgres"] if os.environ.get(harness.PG_ENV) else ["sqlite"],
    )
    parser.add_argument(
        "--profile",
        type=Path,
        help="py-spy the hub into FILE (folded stacks; read with bench.flat)",
    )
    parser.add_argument(
        "--versions",
        nargs="+",
        choices=["2.3.0", "2.2.1", "2.1.1"],
        default=[VERSION],
        help="receivers' versions, cycled (e.g. 2.3.0 2.2.1 2.1.1: mixed)",
    )
    parser.add_argument(
        "--hub-workers", type=int, default=1, help="hub processes (serve --workers; PostgreSQL)"
    )
    parser.add_argument(
        "--half-rate",
        type=float,
        help="pushes per second of the second phase (default: half the acknowledged rate)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="runs per backend (without --backlog); prints the median and range of the ratios",
    )
    _backlog_flags(parser)
    args = parser.parse_args()
    setup = Setup(tuple(args.versions), args.hub_workers, args.half_rate)
    if args.backlog:
        results = asyncio.run(
            bench_backlog(
                args.backend,
                args.seconds,
                args.receivers,
                args.concurrency,
                args.backlog,
                args.away,
                args.rounds,
                setup,
            )
        )
        print(f"\nwrote {harness.write_results('broadcast-backlog', results)}")
        return
    results = asyncio.run(
        bench(
            args.backend,
            args.seconds,
            args.receivers,
            args.concurrency,
            args.profile,
            setup,
            args.repeat,
        )
    )
    print(f"\nwrote {harness.write_results('broadcast', results)}")


if __name__ == "__main__":
    main()
