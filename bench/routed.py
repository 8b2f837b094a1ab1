"""Routed synchronous requests: real-time authorize through the hub vs a forwarder vs direct.

    .venv/bin/python -m bench.routed [--seconds 8] [--concurrency 1 32] [--backend sqlite]
                                     [--decompose] [--profile FILE]

A 2.3.0 CPO (NL-CPO) asks ``POST .../tokens/sender/{uid}/authorize`` of a 2.3.0 eMSP (DE-MSP)
named by the OCPI-to headers. Three contenders answer the same request from the same generator:
``direct`` (the eMSP's own endpoint), ``forwarder`` (``bench.forwarder`` in front of it) and
``hub`` (``ocpihub serve`` with the two registered over OCPI and an agreement). Added latency is
a contender's median minus the direct median. DESIGN goal: hub throughput >= 0.5x the
forwarder's, and the hub's added median latency <= 2x the forwarder's.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import uuid
from pathlib import Path
from typing import Any

import aiohttp

from bench import harness
from bench.harness import Run

CPO = ("CPO", "NL", "CPO")
EMSP = ("EMSP", "DE", "MSP")
VERSION = "2.3.0"


def versions(url: str, token: str) -> harness.Request:
    """GET the hub's versions list: authentication and the HTTP stack, no routing, no relay."""
    headers = {"Authorization": _token(token)}

    async def request(session: aiohttp.ClientSession, n: int) -> bool:
        async with session.get(url, headers=headers) as response:
            await response.read()
            return response.status == 200

    return request


def _token(value: str) -> str:
    return "Token " + base64.b64encode(value.encode()).decode()


def authorize(url: str, token: str) -> harness.Request:
    """One authorize request for a fresh RFID uid; success is HTTP 200 with OCPI 1000."""
    base_headers = {
        "Authorization": _token(token),
        "OCPI-from-country-code": CPO[1],
        "OCPI-from-party-id": CPO[2],
        "OCPI-to-country-code": EMSP[1],
        "OCPI-to-party-id": EMSP[2],
        "X-Correlation-ID": str(uuid.uuid4()),
    }

    async def request(session: aiohttp.ClientSession, n: int) -> bool:
        headers = {**base_headers, "X-Request-ID": f"bench-{n}"}
        async with session.post(
            f"{url}/RFID{n:08d}/authorize", params={"type": "RFID"}, headers=headers
        ) as response:
            raw = await response.read()
            return response.status == 200 and b'"status_code":1000' in raw.replace(b" ", b"")

    return request


async def bench(
    seconds: float,
    concurrencies: list[int],
    backend: str,
    profile: Path | None,
    decompose: bool = False,
) -> dict[str, Any]:
    """Run every contender at every concurrency; returns the JSON-ready results."""
    runs: list[Run] = []
    async with (
        harness.database(backend) as db_url,
        harness.hub(db_url, profile=profile) as hub,
        harness.fleet(
            hub.url,
            [
                {"name": "cpo", "version": VERSION, "parties": [CPO]},
                {"name": "emsp", "version": VERSION, "parties": [EMSP]},
            ],
            [[f"{CPO[1]}-{CPO[2]}", f"{EMSP[1]}-{EMSP[2]}"]],
        ) as fleet,
    ):
        emsp = fleet.peers["emsp"]
        direct_path = f"/ocpi/{VERSION}/tokens/sender"
        async with harness.forwarder(emsp["base_url"]) as fwd:
            contenders = {
                "direct": authorize(emsp["base_url"] + direct_path, emsp["accepted_token"]),
                "forwarder": authorize(fwd.url + direct_path, emsp["accepted_token"]),
                "hub": authorize(
                    fleet.endpoint("cpo", "tokens", "SENDER"), fleet.peers["cpo"]["hub_token"]
                ),
            }
            if decompose:
                contenders["hub-versions"] = versions(
                    f"{hub.url}/ocpi/versions", fleet.peers["cpo"]["hub_token"]
                )
            for concurrency in concurrencies:
                for name, request in contenders.items():
                    run = await harness.closed_loop(
                        name, request, concurrency=concurrency, seconds=seconds
                    )
                    print(
                        f"  {name:9} c={concurrency:<3} {run.throughput:8.0f} req/s "
                        f"({run.errors} errors)"
                    )
                    runs.append(run)
    return {"backend": backend, **report(runs, seconds)}


def report(runs: list[Run], seconds: float) -> dict[str, Any]:
    """Print the table with ratios and the goal verdicts; the results dict."""
    rows = []
    goals: dict[str, Any] = {}
    for concurrency in sorted({r.concurrency for r in runs}):
        by = {r.contender: r for r in runs if r.concurrency == concurrency}
        direct_p50 = harness.percentile(by["direct"].latencies, 50)
        direct_p99 = harness.percentile(by["direct"].latencies, 99)
        fwd = by["forwarder"]
        for name, run in by.items():
            added50 = harness.percentile(run.latencies, 50) - direct_p50
            added99 = harness.percentile(run.latencies, 99) - direct_p99
            rows.append(
                [
                    concurrency,
                    name,
                    run.throughput,
                    run.throughput / fwd.throughput if fwd.throughput else 0.0,
                    harness.percentile(run.latencies, 50) * 1000,
                    harness.percentile(run.latencies, 99) * 1000,
                    added50 * 1000,
                    added99 * 1000,
                    run.errors,
                ]
            )
        hub_run = by["hub"]
        fwd_added = harness.percentile(fwd.latencies, 50) - direct_p50
        hub_added = harness.percentile(hub_run.latencies, 50) - direct_p50
        ratio_tp = hub_run.throughput / fwd.throughput if fwd.throughput else 0.0
        ratio_lat = hub_added / fwd_added if fwd_added > 0 else float("inf")
        goals[f"c{concurrency}"] = {
            "throughput_ratio_hub_vs_forwarder": round(ratio_tp, 3),
            "throughput_goal": harness.verdict(ratio_tp >= 0.5),
            "added_p50_ratio_hub_vs_forwarder": round(ratio_lat, 2),
            "latency_goal": harness.verdict(ratio_lat <= 2.0),
        }
    print()
    print(
        harness.table(
            [
                "conc",
                "contender",
                "req/s",
                "x fwd",
                "p50 ms",
                "p99 ms",
                "+p50 ms",
                "+p99 ms",
                "errors",
            ],
            rows,
        )
    )
    print()
    for key, goal in goals.items():
        print(
            f"{key}: hub/forwarder throughput {goal['throughput_ratio_hub_vs_forwarder']:.2f} "
            f"(>= 0.5: {goal['throughput_goal']}); hub/forwarder added p50 "
            f"{goal['added_p50_ratio_hub_vs_forwarder']:.1f}x (<= 2x: {goal['latency_goal']})"
        )
    return {
        "seconds_per_run": seconds,
        "runs": [r.summary() for r in runs],
        "goals": goals,
    }


def main() -> None:
    """Parse flags, run, print, write JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=8.0, help="measured seconds per run")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 32])
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument(
        "--decompose",
        action="store_true",
        help="also time GET /ocpi/versions at the hub (authentication + HTTP stack only)",
    )
    parser.add_argument(
        "--profile",
        type=Path,
        help="py-spy the hub into FILE (folded stacks; read with bench.flat)",
    )
    args = parser.parse_args()
    results = asyncio.run(
        bench(args.seconds, args.concurrency, args.backend, args.profile, args.decompose)
    )
    print(f"\nwrote {harness.write_results('routed', results)}")


if __name__ == "__main__":
    main()
