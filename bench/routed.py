"""Routed synchronous requests through the hub vs a minimal forwarder vs calling the peer.

    .venv/bin/python -m bench.routed [--seconds 8] [--concurrency 1 32] [--backend sqlite]
                                     [--request authorize start_session] [--decompose]
                                     [--profile FILE]

Two requests, each timed on three contenders from the same generator: ``authorize`` — a 2.3.0
CPO (NL-CPO) asks ``POST .../tokens/sender/{uid}/authorize`` of a 2.3.0 eMSP (DE-MSP) named by
the OCPI-to headers; ``start_session`` — the eMSP sends ``POST .../commands/receiver/
START_SESSION`` to the CPO. Contenders: ``direct`` (the peer's own endpoint), ``forwarder``
(``bench.forwarder`` in front of it) and ``hub`` (``ocpihub serve``, both peers registered over
OCPI with an agreement). Added latency is a contender's median minus the direct median. DESIGN
goal: hub throughput >= 0.5x the forwarder's, and the hub's added median <= 2x the forwarder's.
``CPU us/req``: CPU time of the relaying process (the hub's, the forwarder's; for ``direct`` the
peers' process) per request over the whole run, and ``x fwd CPU`` the hub's against the
forwarder's: on a shared machine these move far less than the rates do.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import uuid
from pathlib import Path
from typing import Any

import aiohttp
import orjson

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


def start_session(url: str, token: str) -> harness.Request:
    """One START_SESSION from the eMSP to the CPO; success is HTTP 200, OCPI 1000, ACCEPTED."""
    base_headers = {
        "Authorization": _token(token),
        "Content-Type": "application/json",
        "OCPI-from-country-code": EMSP[1],
        "OCPI-from-party-id": EMSP[2],
        "OCPI-to-country-code": CPO[1],
        "OCPI-to-party-id": CPO[2],
        "X-Correlation-ID": str(uuid.uuid4()),
    }
    template = {
        "response_url": "http://127.0.0.1:9/ocpi/2.3.0/commands/START_SESSION/bench",
        "token": {
            "country_code": EMSP[1],
            "party_id": EMSP[2],
            "uid": "RFID00000001",
            "type": "RFID",
            "contract_id": "DE-MSP-C00000001",
            "issuer": "bench",
            "valid": True,
            "whitelist": "ALLOWED",
            "last_updated": "2026-01-01T00:00:00Z",
        },
        "location_id": "LOC1",
        "evse_uid": "EVSE1",
    }

    async def request(session: aiohttp.ClientSession, n: int) -> bool:
        body = {**template, "response_url": f"{template['response_url']}{n}"}
        async with session.post(
            f"{url}/START_SESSION",
            data=orjson.dumps(body),
            headers={**base_headers, "X-Request-ID": f"bench-{n}"},
        ) as response:
            raw = await response.read()
            compact = raw.replace(b" ", b"")
            return (
                response.status == 200
                and b'"status_code":1000' in compact
                and b'"result":"ACCEPTED"' in compact
            )

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
    requests: tuple[str, ...] = ("authorize", "start_session"),
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
        emsp, cpo = fleet.peers["emsp"], fleet.peers["cpo"]
        tokens_path = f"/ocpi/{VERSION}/tokens/sender"
        commands_path = f"/ocpi/{VERSION}/commands/receiver"
        async with (
            harness.forwarder(emsp["base_url"]) as fwd_emsp,
            harness.forwarder(cpo["base_url"]) as fwd_cpo,
        ):
            contenders: dict[str, dict[str, harness.Request]] = {
                "authorize": {
                    "direct": authorize(emsp["base_url"] + tokens_path, emsp["accepted_token"]),
                    "forwarder": authorize(fwd_emsp.url + tokens_path, emsp["accepted_token"]),
                    "hub": authorize(fleet.endpoint("cpo", "tokens", "SENDER"), cpo["hub_token"]),
                },
            }
            if "start_session" in requests:
                contenders["start_session"] = {
                    "direct": start_session(cpo["base_url"] + commands_path, cpo["accepted_token"]),
                    "forwarder": start_session(fwd_cpo.url + commands_path, cpo["accepted_token"]),
                    "hub": start_session(
                        fleet.endpoint("emsp", "commands", "RECEIVER"), emsp["hub_token"]
                    ),
                }
            if decompose:
                contenders["authorize"]["hub-versions"] = versions(
                    f"{hub.url}/ocpi/versions", cpo["hub_token"]
                )
            # whose CPU a contender's request costs: the relaying process (direct: the peers')
            pids = {"direct": fleet.proc.pid, "hub": hub.pid, "hub-versions": hub.pid}
            for kind, by_name in contenders.items():
                if kind not in requests:
                    continue
                pids["forwarder"] = (fwd_emsp if kind == "authorize" else fwd_cpo).pid
                for concurrency in concurrencies:
                    for name, request in by_name.items():
                        run = await harness.closed_loop(
                            name,
                            request,
                            concurrency=concurrency,
                            seconds=seconds,
                            cpu_of=pids[name],
                        )
                        run.kind = kind
                        print(
                            f"  {kind:13} {name:12} c={concurrency:<3} "
                            f"{run.throughput:8.0f} req/s ({run.errors} errors)"
                        )
                        runs.append(run)
    return {"backend": backend, **report(runs, seconds)}


def report(runs: list[Run], seconds: float) -> dict[str, Any]:
    """Print the table with ratios and the goal verdicts; the results dict."""
    rows = []
    goals: dict[str, Any] = {}
    for kind, concurrency in sorted({(r.kind, r.concurrency) for r in runs}):
        by = {r.contender: r for r in runs if r.concurrency == concurrency and r.kind == kind}
        direct_p50 = harness.percentile(by["direct"].latencies, 50)
        direct_p99 = harness.percentile(by["direct"].latencies, 99)
        fwd = by["forwarder"]
        for name, run in by.items():
            added50 = harness.percentile(run.latencies, 50) - direct_p50
            added99 = harness.percentile(run.latencies, 99) - direct_p99
            rows.append(
                [
                    kind,
                    concurrency,
                    name,
                    run.throughput,
                    run.throughput / fwd.throughput if fwd.throughput else 0.0,
                    harness.percentile(run.latencies, 50) * 1000,
                    harness.percentile(run.latencies, 99) * 1000,
                    added50 * 1000,
                    added99 * 1000,
                    run.cpu_us or 0.0,
                    (run.cpu_us or 0.0) / fwd.cpu_us if fwd.cpu_us else 0.0,
                    run.errors,
                ]
            )
        hub_run = by["hub"]
        fwd_added = harness.percentile(fwd.latencies, 50) - direct_p50
        hub_added = harness.percentile(hub_run.latencies, 50) - direct_p50
        ratio_tp = hub_run.throughput / fwd.throughput if fwd.throughput else 0.0
        ratio_lat = hub_added / fwd_added if fwd_added > 0 else float("inf")
        goals[f"{kind}/c{concurrency}"] = {
            "throughput_ratio_hub_vs_forwarder": round(ratio_tp, 3),
            "throughput_goal": harness.verdict(ratio_tp >= 0.5),
            "added_p50_ratio_hub_vs_forwarder": round(ratio_lat, 2),
            "latency_goal": harness.verdict(ratio_lat <= 2.0),
        }
    print()
    print(
        harness.table(
            [
                "request",
                "conc",
                "contender",
                "req/s",
                "x fwd",
                "p50 ms",
                "p99 ms",
                "+p50 ms",
                "+p99 ms",
                "CPU us/req",
                "x fwd CPU",
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
        "--request",
        nargs="+",
        choices=["authorize", "start_session"],
        default=["authorize", "start_session"],
    )
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
        bench(
            args.seconds,
            args.concurrency,
            args.backend,
            args.profile,
            args.decompose,
            tuple(args.request),
        )
    )
    print(f"\nwrote {harness.write_results('routed', results)}")


if __name__ == "__main__":
    main()
