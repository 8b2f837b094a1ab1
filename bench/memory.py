"""Memory: RSS of the hub process with 100,000 Locations stored and 50 platforms registered.

    .venv/bin/python -m bench.memory [--objects 100000] [--platforms 50] [--backend sqlite]

One 2.3.0 CPO and ``--platforms - 1`` 2.3.0 eMSPs register over OCPI (each its own peer in the
``bench.fleet`` process), each eMSP with an agreement with the CPO; ``bench.seed`` stores the
Locations. The hub's RSS (``/proc/PID/status`` VmRSS; VmHWM is the peak) is read after start,
after registration, after seeding, after one eMSP's full GET-all crawl, and after a burst of
Location pushes broadcast to every eMSP. DESIGN goal: under 300 MB.
"""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

import aiohttp

from bench import harness
from bench.broadcast import Pusher, drain
from bench.get_all import crawl
from bench.seed import push_one, seed_locations

CPO = ("CPO", "NL", "CPO")
EMSP_CC = "DE"
VERSION = "2.3.0"


async def bench(objects: int, platforms: int, backend: str, pushes: int) -> dict[str, Any]:
    """Set up, load, read RSS at each step; returns the JSON-ready results."""
    emsps = [("EMSP", EMSP_CC, "MSP" if i == 0 else f"M{i:02d}") for i in range(platforms - 1)]
    peers = [{"name": "cpo", "version": VERSION, "parties": [CPO]}] + [
        {"name": f"emsp{i:02d}", "version": VERSION, "parties": [p]} for i, p in enumerate(emsps)
    ]
    agreements = [[f"{CPO[1]}-{CPO[2]}", f"{cc}-{pid}"] for _, cc, pid in emsps]
    steps: list[dict[str, Any]] = []

    def note(step: str, pid: int) -> None:
        steps.append({"step": step, **harness.rss_mb(pid)})
        print(
            f"  {step:34} RSS {steps[-1]['rss_mb']:6.1f} MB (peak {steps[-1]['peak_rss_mb']:.1f})"
        )

    async with harness.database(backend) as db_url, harness.hub(db_url) as hub:
        note("started", hub.pid)
        async with harness.fleet(hub.url, peers, agreements) as fleet:
            note(f"{platforms} platforms registered", hub.pid)
            cpo = fleet.peers["cpo"]
            receiver = fleet.endpoint("cpo", "locations", "RECEIVER")
            await push_one(receiver, cpo["hub_token"], CPO[1], CPO[2], "T1")
            await seed_locations(db_url, CPO[1], CPO[2], "T1", objects - 1)
            await asyncio.sleep(1.0)
            note(f"{objects} Locations stored", hub.pid)
            result = await crawl(
                fleet.endpoint("emsp00", "locations", "SENDER"),
                fleet.peers["emsp00"]["hub_token"],
                1000,
                offsets=False,
            )
            note(f"after GET all ({result['objects']} objects)", hub.pid)
            pusher = Pusher(receiver, cpo["hub_token"])
            await harness.closed_loop(
                "hub", pusher, concurrency=8, seconds=max(1.0, pushes / 50), warmup=0
            )
            async with aiohttp.ClientSession() as session:
                await drain(fleet, session, len(pusher.sent) * (platforms - 1), within=60)
            note(f"after {len(pusher.sent)} pushes x {platforms - 1}", hub.pid)
    peak = max(s["peak_rss_mb"] for s in steps)
    print()
    print(
        harness.table(
            ["step", "RSS MB", "peak MB"],
            [[s["step"], s["rss_mb"], s["peak_rss_mb"]] for s in steps],
        )
    )
    goal = harness.verdict(peak < 300)
    print(f"goal (< 300 MB): {goal} (peak {peak:.0f} MB)")
    return {
        "backend": backend,
        "objects": objects,
        "platforms": platforms,
        "steps": steps,
        "peak_rss_mb": peak,
        "goals": {"rss_under_300mb": goal},
    }


def main() -> None:
    """Parse flags, run, print, write JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--objects", type=int, default=100_000)
    parser.add_argument("--platforms", type=int, default=50)
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--pushes", type=int, default=200, help="roughly, Locations pushed last")
    args = parser.parse_args()
    results = asyncio.run(bench(args.objects, args.platforms, args.backend, args.pushes))
    print(f"\nwrote {harness.write_results('memory', results)}")


if __name__ == "__main__":
    main()
