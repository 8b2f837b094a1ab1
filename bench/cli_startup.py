"""How fast the ``ocpihub`` command answers: ``--help``, ``--version`` and every listing command.

Each command runs ``--runs`` times as a fresh process (as an operator types it) against a
migrated database holding a few platforms, parties and an agreement (made with the CLI itself):
a temp SQLite file, or with ``--backend postgres`` a fresh PostgreSQL database
(``OCPIHUB_BENCH_POSTGRES_URL``). The table shows the median, best and worst wall time and the
median CPU time (user + system of the process: what a busy machine inflates least) against the
goal of issue 18.4 (under 0.5 s), and the modules that cost most to import for ``platform list``
(``python -X importtime``). Run: ``.venv/bin/python -m bench.cli_startup [--backend postgres]``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.harness import database, machine, table, verdict, write_results

GOAL_S = 0.5
COMMANDS = (
    ["--help"],
    ["--version"],
    ["platform", "list"],
    ["agreement", "list"],
    ["party", "list"],
    ["outbox", "list"],
    ["traffic"],
    ["pull", "status", "CPO-1"],
    ["enum", "list"],
)
"""``--help``, ``--version`` and the listing commands of docs/cli.md."""

SETUP = (
    ["migrate"],
    ["platform", "add", "CPO-1", "--role", "CPO:NL:CPO"],
    ["platform", "add", "MSP-1", "--role", "EMSP:DE:MSP"],
    ["platform", "add", "MSP-2", "--role", "EMSP:FR:MSP"],
    ["agreement", "add", "NL-CPO", "DE-MSP"],
    ["agreement", "add", "NL-CPO", "FR-MSP", "--module", "locations"],
)


def _ocpihub() -> list[str]:
    script = Path(sys.executable).with_name("ocpihub")
    return [str(script)] if script.exists() else [sys.executable, "-m", "ocpihub"]


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _time(cmd: list[str], env: dict[str, str], cwd: str) -> tuple[float, float]:
    """(wall, CPU) seconds of one run; CPU time is what a busy machine cannot inflate much."""
    start, cpu = time.perf_counter(), _cpu()
    done = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed: {done.stderr.decode()}")
    return elapsed, _cpu() - cpu


def _heaviest_imports(env: dict[str, str], cwd: str, top: int = 8) -> list[tuple[str, float]]:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "ocpihub", "platform", "list"],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
    )
    found = []
    for line in done.stderr.splitlines():
        parts = line.removeprefix("import time:").split("|")
        if len(parts) == 3 and parts[1].strip().isdigit() and not parts[2].startswith("  "):
            found.append((parts[2].strip(), int(parts[1]) / 1e6))
    return sorted(found, key=lambda x: -x[1])[:top]


def _measure(url: str, runs: int, cwd: str) -> tuple[dict[str, Any], list[tuple[str, float]]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OCPIHUB_")}
    env["OCPIHUB_DATABASE_URL"] = url
    base = _ocpihub()
    for step in SETUP:
        subprocess.run([*base, *step], env=env, cwd=cwd, check=True, capture_output=True)
    results = {}
    for command in COMMANDS:
        _time([*base, *command], env, cwd)  # warm the file cache
        timed = [_time([*base, *command], env, cwd) for _ in range(runs)]
        walls = [wall for wall, _ in timed]
        results[" ".join(command)] = {
            "median": statistics.median(walls),
            "min": min(walls),
            "max": max(walls),
            "cpu_median": statistics.median(cpu for _, cpu in timed),
        }
    return results, _heaviest_imports(env, cwd)


async def _run(backend: str, runs: int) -> tuple[dict[str, Any], list[tuple[str, float]], float]:
    """Results, heaviest imports, and the highest 1-minute load average seen (start, end)."""
    async with database(backend) as url:
        with tempfile.TemporaryDirectory(prefix="ocpihub-cli-") as cwd:
            before = os.getloadavg()[0]
            results, heavy = _measure(url, runs, cwd)
            return results, heavy, max(before, os.getloadavg()[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="runs per command")
    parser.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite")
    args = parser.parse_args()
    results, heavy, load = asyncio.run(_run(args.backend, args.runs))
    rows = [
        [
            "ocpihub " + name,
            f"{r['median']:.3f}",
            f"{r['min']:.3f}",
            f"{r['max']:.3f}",
            f"{r['cpu_median']:.3f}",
            verdict(r["median"] < GOAL_S),
        ]
        for name, r in results.items()
    ]
    print(f"backend {args.backend}; load average (1 min) up to {load:.1f}")
    print(table(["command", "median s", "best s", "worst s", "CPU s", f"< {GOAL_S} s"], rows))
    print("\nheaviest top-level imports of `platform list` (cumulative s):")
    print(table(["module", "s"], [[name, f"{s:.3f}"] for name, s in heavy]))
    data = {
        "machine": machine(),
        "backend": args.backend,
        "runs": args.runs,
        "loadavg_max": load,
        "results": results,
    }
    path = write_results(f"cli_startup_{args.backend}", data)
    print(f"\nwritten to {path}")


if __name__ == "__main__":
    main()
