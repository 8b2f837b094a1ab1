"""GET all: an eMSP crawls every stored Location at the hub's Sender interface, following Link.

    .venv/bin/python -m bench.get_all [--objects 100000] [--limit 1000] [--backend sqlite]
                                      [--emsp-version 2.3.0 2.2.1] [--offsets] [--profile FILE]

A 2.3.0 CPO (NL-CPO) and one eMSP per ``--emsp-version`` (default 2.3.0 and 2.2.1) register
over OCPI with agreements; the CPO pushes one Location through the hub and ``bench.seed``
stores ``--objects`` copies of it. Each eMSP in turn GETs ``locations/sender?limit=1000`` and
follows each ``Link`` to the end: objects/s, the time of the first and of the last page. To a
2.3.0 eMSP the hub sends the stored originals; to 2.2.1 or 2.1.1 it sends every object
translated. The 2.3.0 crawl is the baseline of the same run (``x 2.3.0``: a loaded machine
moves both alike). On PostgreSQL the seeded table is vacuumed before the crawl
(``--no-vacuum``: not), as autovacuum would do within a minute of the burst. ``--offsets``
adds a second crawl that builds its own ``offset`` (no cursor), the OFFSET-scan path, for
comparison. DESIGN goal: >= 30,000 objects/s, last page <= 1.5x the first.
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
EMSP_PARTIES = {
    "2.3.0": ("EMSP", "DE", "MSP"),
    "2.2.1": ("EMSP", "DE", "MS2"),
    "2.1.1": ("EMSP", "DE", "MS1"),
}
VERSION = "2.3.0"
_NEXT = re.compile(r'<([^>]+)>\s*;\s*rel="?next"?')


async def crawl(
    url: str, token: str, limit: int, *, offsets: bool, emsp: tuple[str, str, str] = EMSP
) -> dict[str, Any]:
    """Fetch every page; with ``offsets`` the client builds offset URLs, not following Link."""
    headers = {
        "Authorization": "Token " + base64.b64encode(token.encode()).decode(),
        "X-Correlation-ID": str(uuid.uuid4()),
        "OCPI-from-country-code": emsp[1],
        "OCPI-from-party-id": emsp[2],
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
        "emsp_version": "",
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
    emsp_versions: list[str],
    settle: bool = True,
) -> dict[str, Any]:
    """Set up, seed, crawl once per eMSP version; returns the JSON-ready results."""
    emsps = {version: EMSP_PARTIES[version] for version in emsp_versions}
    async with (
        harness.database(backend) as db_url,
        harness.hub(db_url, profile=profile, page_limit=str(limit)) as hub,
        harness.fleet(
            hub.url,
            [
                {"name": "cpo", "version": VERSION, "parties": [CPO]},
                *(
                    {"name": f"emsp{v}", "version": v, "parties": [party]}
                    for v, party in emsps.items()
                ),
            ],
            [[f"{CPO[1]}-{CPO[2]}", f"{p[1]}-{p[2]}"] for p in emsps.values()],
        ) as fleet,
    ):
        cpo = fleet.peers["cpo"]
        await push_one(
            fleet.endpoint("cpo", "locations", "RECEIVER"), cpo["hub_token"], CPO[1], CPO[2], "T1"
        )
        seeded = await seed_locations(db_url, CPO[1], CPO[2], "T1", objects - 1, settle=settle)
        print(f"  seeded {objects - 1} Locations in {seeded:.1f} s")
        crawls = []
        for version, party in emsps.items():
            url = fleet.endpoint(f"emsp{version}", "locations", "SENDER")
            token = fleet.peers[f"emsp{version}"]["hub_token"]
            modes = [False, True] if offsets else [False]
            for by_offset in modes:
                cpu = harness.cpu_seconds(hub.pid)
                done = await crawl(url, token, limit, offsets=by_offset, emsp=party)
                cpu = harness.cpu_seconds(hub.pid) - cpu
                per_cpu = round(done["objects"] / cpu) if cpu else 0
                crawls.append({**done, "emsp_version": version, "objects_per_hub_cpu_s": per_cpu})
    baseline = next((c for c in crawls if c["emsp_version"] == VERSION), None)
    print()
    print(harness.table(_HEADERS, [_row(c, baseline) for c in crawls]))
    goals = {
        f"{c['emsp_version']}_{c['mode']}": {
            "objects_30000_per_s": harness.verdict(c["objects_per_s"] >= 30000),
            "last_page_within_1_5x_first": harness.verdict(c["last_over_first"] <= 1.5),
            "all_objects_seen": harness.verdict(c["objects"] == objects),
        }
        for c in crawls
    }
    print(f"goals: {goals}")
    return {
        "backend": backend,
        "emsp_versions": emsp_versions,
        "objects": objects,
        "limit": limit,
        "seed_seconds": round(seeded, 1),
        "vacuumed_after_seeding": settle and backend == "postgres",
        "crawls": crawls,
        "goals": goals,
    }


_HEADERS = [
    "eMSP",
    "crawl",
    "objects",
    "pages",
    "s",
    "obj/s",
    "x goal",
    "x 2.3.0",
    "obj/CPU-s",
    "first ms",
    "last ms",
    "last/1st",
]


def _row(c: dict[str, Any], baseline: dict[str, Any] | None) -> list[Any]:
    ratio = c["objects_per_s"] / baseline["objects_per_s"] if baseline else float("nan")
    return [
        c["emsp_version"],
        c["mode"],
        c["objects"],
        c["pages"],
        c["seconds"],
        c["objects_per_s"],
        c["objects_per_s"] / 30000,
        ratio,
        c["objects_per_hub_cpu_s"],
        c["first_page_ms"],
        c["last_page_ms"],
        c["last_over_first"],
    ]


def main() -> None:
    """Parse flags, run, print, write JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--objects", type=int, default=100_000)
    parser.add_argument("--limit", type=int, default=1000)
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--offsets", action="store_true", help="also crawl by client offsets")
    parser.add_argument(
        "--emsp-version",
        nargs="+",
        choices=sorted(EMSP_PARTIES),
        default=[VERSION, "2.2.1"],
        help="one crawling eMSP per version (other than 2.3.0: every object is translated)",
    )
    parser.add_argument(
        "--profile",
        type=Path,
        help="py-spy the hub into FILE (folded stacks; read with bench.flat)",
    )
    parser.add_argument(
        "--no-vacuum",
        action="store_true",
        help="PostgreSQL: crawl right after seeding, before the table is vacuumed",
    )
    args = parser.parse_args()
    results = asyncio.run(
        bench(
            args.objects,
            args.limit,
            args.backend,
            args.offsets,
            args.profile,
            args.emsp_version,
            settle=not args.no_vacuum,
        )
    )
    print(f"\nwrote {harness.write_results('get_all', results)}")


if __name__ == "__main__":
    main()
