"""How fast the ``ocpihub`` command answers: ``--help``, ``--version`` and the listing commands.

Each command runs ``--runs`` times as a fresh process (as an operator types it) against a
migrated SQLite database in a temp folder; the table shows the median, best and worst wall time
against the goal of issue 18.4 (under 0.5 s), and the modules that cost most to import for
``platform list`` (``python -X importtime``). Run: ``.venv/bin/python -m bench.cli_startup``.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.harness import machine, table, verdict, write_results

GOAL_S = 0.5
COMMANDS = (
    ["--help"],
    ["--version"],
    ["platform", "list"],
    ["agreement", "list"],
    ["outbox", "list"],
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="runs per command")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        env = {k: v for k, v in os.environ.items() if not k.startswith("OCPIHUB_")}
        env["OCPIHUB_DATABASE_URL"] = f"sqlite+aiosqlite:///{folder}/hub.db"
        base = _ocpihub()
        subprocess.run([*base, "migrate"], env=env, cwd=folder, check=True, capture_output=True)
        rows, results = [], {}
        for command in COMMANDS:
            _time([*base, *command], env, folder)  # warm the file cache
            runs = [_time([*base, *command], env, folder) for _ in range(args.runs)]
            times = [wall for wall, _ in runs]
            median = statistics.median(times)
            cpu = statistics.median(c for _, c in runs)
            results[" ".join(command)] = {
                "median": median,
                "min": min(times),
                "max": max(times),
                "cpu_median": cpu,
            }
            rows.append(
                [
                    "ocpihub " + " ".join(command),
                    f"{median:.3f}",
                    f"{min(times):.3f}",
                    f"{max(times):.3f}",
                    f"{cpu:.3f}",
                    verdict(median < GOAL_S),
                ]
            )
        heavy = _heaviest_imports(env, folder)
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")
    print(table(["command", "median s", "best s", "worst s", "CPU s", f"< {GOAL_S} s"], rows))
    print("\nheaviest top-level imports of `platform list` (cumulative s):")
    print(table(["module", "s"], [[name, f"{s:.3f}"] for name, s in heavy]))
    path = write_results(
        "cli_startup", {"machine": machine(), "runs": args.runs, "results": results}
    )
    print(f"\nwritten to {path}")


if __name__ == "__main__":
    main()
