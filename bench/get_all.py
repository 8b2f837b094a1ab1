"""GET all: an eMSP crawls every stored Location at the hub's Sender interface, following Link.

    .venv/bin/python -m bench.get_all [--objects 100000] [--limit 1000] [--backend sqlite]
                                      [--emsp-version 2.3.0] [--offsets] [--profile FILE]

A 2.3.0 CPO (NL-CPO) and an eMSP (DE-MSP; 2.3.0 unless ``--emsp-version``) register over OCPI
with an agreement; the CPO pushes one Location through the hub and ``bench.seed`` stores
``--objects`` copies of it. The eMSP then GETs ``locations/sender?limit=1000`` and follows each
``Link`` to the end: objects/s, the time of the first and of the last page. With the eMSP on
2.3.0 the hub sends the stored originals; on 2.2.1 or 2.1.1 it translates every object.
``--offsets`` adds a second crawl that builds its own ``offset`` (no cursor), the OFFSET-scan
path, for comparison. DESIGN goal: >= 30,000 objects/s, last page <= 1.5x the first.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import re
import time
import uuid
from pathlib import Path
from typing import Any

import aiohttp
import orjson

from bench import harness
from bench.seed import push_one, seed_locations

CPO = ("CPO", "NL", "CPO")
EMSP = ("EMSP", "DE", "MSP")
VERSION = "2.3.0"
_NEXT = re.compile(r'<([^>]+)>\s*;\s*rel="?next"?')


async def crawl(url: str, token: str, limit: int, *, offsets: bool) -> dict[str, Any]:
    """Fetch every page; with ``offsets`` the client builds offset URLs, not following Link."""
    headers = {
        "Authorization": "Token " + base64.b64encode(token.encode()).decode(),
        "X-Correlation-ID": str(uuid.uuid4()),
        "OCPI-from-country-code": EMSP[1],
        "OCPI-from-party-id": EMSP[2],
        "OCPI-to-country-code": CPO[1],
        "OCPI-to-party-id": CPO[2],
    }
    pages: list[float] = []
    count = 0
    total = None
    next_url: str | None = f"{url}?limit={limit}"
    async with aiohttp.ClientSession() as session:
        start = time.perf_counter()
        while next_url:
            t0 = time.perf_counter()
            async with session.get(
                next_url, headers={**headers, "X-Request-ID": str(uuid.uuid4())}
            ) as response:
                raw = await response.read()
                if response.status != 200:
                    raise RuntimeError(f"GET {next_url}: {response.status} {raw[:300]!r}")
                link = response.headers.get("Link", "")
                total = int(response.headers.get("X-Total-Count", "0"))
            body = orjson.loads(raw)
            pages.append(time.perf_counter() - t0)
            count += len(body["data"])
            if offsets:
                next_url = f"{url}?limit={limit}&offset={count}" if count < total else None
            else:
                match = _NEXT.search(link)
                next_url = match.group(1) if match else None
        elapsed = time.perf_counter() - start
    return {
        "mode": "offset" if offsets else "link",
        "objects": count,
        "total_count_header": total,
        "pages": len(pages),
        "seconds": round(elapsed, 3),
        "objects_per_s": round(count / elapsed, 1) if elapsed else 0.0,
        "first_page_ms": round(pages[0] * 1000, 1),
        "last_page_ms": round(pages[-1] * 1000, 1),
        "median_page_ms": round(harness.percentile(pages, 50) * 1000, 1),
        "last_over_first": round(pages[-1] / pages[0], 2),
    }


async def bench(
    objects: int,
    limit: int,
    backend: str,
    offsets: bool,
    profile: Path | None,
    emsp_version: str = VERSION,
) -> dict[str, Any]:
    """Set up, seed, crawl; returns the JSON-ready results."""
    async with (
        harness.database(backend) as db_url,
        harness.hub(db_url, profile=profile, page_limit=str(limit)) as hub,
        harness.fleet(
            hub.url,
            [
                {"name": "cpo", "version": VERSION, "parties": [CPO]},
                {"name": "emsp", "version": emsp_version, "parties": [EMSP]},
            ],
            [[f"{CPO[1]}-{CPO[2]}", f"{EMSP[1]}-{EMSP[2]}"]],
        ) as fleet,
    ):
        cpo = fleet.peers["cpo"]
        await push_one(
            fleet.endpoint("cpo", "locations", "RECEIVER"), cpo["hub_token"], CPO[1], CPO[2], "T1"
        )
        seeded = await seed_locations(db_url, CPO[1], CPO[2], "T1", objects - 1)
        print(f"  seeded {objects - 1} Locations in {seeded:.1f} s")
        url = fleet.endpoint("emsp", "locations", "SENDER")
        token = fleet.peers["emsp"]["hub_token"]
        crawls = [await crawl(url, token, limit, offsets=False)]
        if offsets:
            crawls.append(await crawl(url, token, limit, offsets=True))
    rows = [
        [
            c["mode"],
            c["objects"],
            c["pages"],
            c["seconds"],
            c["objects_per_s"],
            c["objects_per_s"] / 30000,
            c["first_page_ms"],
            c["last_page_ms"],
            c["last_over_first"],
        ]
        for c in crawls
    ]
    print()
    print(
        harness.table(
            [
                "crawl",
                "objects",
                "pages",
                "s",
                "obj/s",
                "x goal",
                "first ms",
                "last ms",
                "last/1st",
            ],
            rows,
        )
    )
    link = crawls[0]
    goals = {
        "objects_30000_per_s": harness.verdict(link["objects_per_s"] >= 30000),
        "last_page_within_1_5x_first": harness.verdict(link["last_over_first"] <= 1.5),
        "all_objects_seen": harness.verdict(link["objects"] == objects),
    }
    print(f"goals: {goals}")
    return {
        "backend": backend,
        "emsp_version": emsp_version,
        "objects": objects,
        "limit": limit,
        "seed_seconds": round(seeded, 1),
        "crawls": crawls,
        "goals": goals,
    }


def main() -> None:
    """Parse flags, run, print, write JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--objects", type=int, default=100_000)
    parser.add_argument("--limit", type=int, default=1000)
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--offsets", action="store_true", help="also crawl by client offsets")
    parser.add_argument(
        "--emsp-version",
        choices=["2.3.0", "2.2.1", "2.1.1"],
        default=VERSION,
        help="the crawling eMSP's version (other than 2.3.0: every object is translated)",
    )
    parser.add_argument(
        "--profile",
        type=Path,
        help="py-spy the hub into FILE (folded stacks; read with bench.flat)",
    )
    args = parser.parse_args()
    results = asyncio.run(
        bench(args.objects, args.limit, args.backend, args.offsets, args.profile, args.emsp_version)
    )
    print(f"\nwrote {harness.write_results('get_all', results)}")


if __name__ == "__main__":
    main()
