"""Summarise a py-spy folded-stack file: ``python -m bench.flat FILE [--top 25]``.

Prints where the hub's CPU went: the share of samples in each of a few coarse buckets (the
event loop and HTTP server, SQLAlchemy, the SQLite/PostgreSQL driver, aiohttp client, JSON and
pydantic, ocpihub's own code), the ocpihub functions with the most inclusive samples, and the
functions (any package) with the most self samples. Samples of aiosqlite's worker threads
waiting for work are left out: py-spy counts them as active.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path

_FRAME = re.compile(r"^(?P<func>.*?) \((?P<file>[^:()]+)(?::\d+)?\)$")
# leaf frames that are a thread waiting, not working (py-spy cannot tell for these)
_IDLE = ("_connection_worker_thread (aiosqlite/core.py:59)", "Condition.wait (threading.py")
_BUCKETS = [
    ("sqlalchemy", "sqlalchemy/"),
    ("db driver (aiosqlite/sqlite3/asyncpg)", ("aiosqlite/", "sqlite3/", "asyncpg/")),
    ("pydantic", "pydantic"),
    ("aiohttp (outbound client)", "aiohttp/"),
    ("fastapi/starlette", ("fastapi/", "starlette/")),
    ("uvicorn/asyncio/uvloop", ("uvicorn/", "asyncio/", "uvloop")),
    ("structlog/logging", ("structlog/", "logging/")),
    ("ocpihub", "ocpihub/"),
]


def _frames(stack: str) -> list[tuple[str, str]]:
    out = []
    for raw in stack.split(";"):
        match = _FRAME.match(raw.strip())
        if match:
            out.append((match["func"], match["file"]))
        else:
            out.append((raw.strip(), ""))
    return out


def _bucket(file: str) -> str:
    for name, marks in _BUCKETS:
        if any(m in file for m in ((marks,) if isinstance(marks, str) else marks)):
            return name
    return "other"


def summarise(path: Path, top: int) -> str:
    """The three tables as text."""
    total = idle = 0
    buckets: Counter[str] = Counter()
    own: Counter[str] = Counter()
    self_time: Counter[str] = Counter()
    for line in path.read_text().splitlines():
        stack, _, count_s = line.rpartition(" ")
        if not stack or not count_s.isdigit():
            continue
        count = int(count_s)
        if stack.rsplit(";", 1)[-1].strip().startswith(_IDLE):
            idle += count
            continue
        total += count
        frames = _frames(stack)
        leaf_func, leaf_file = frames[-1]
        buckets[_bucket(leaf_file)] += count
        self_time[f"{leaf_func} ({_short(leaf_file)})"] += count
        seen = set()
        for func, file in frames:
            if "ocpihub/" in file:
                key = f"{func} ({_short(file)})"
                if key not in seen:
                    seen.add(key)
                    own[key] += count
    if not total:
        return "no samples"
    lines = [f"{total} busy samples ({idle} idle-thread samples left out)", ""]
    lines += ["self samples by package (leaf frame):"]
    lines += [f"  {n / total:6.1%}  {name}" for name, n in buckets.most_common()]
    lines += ["", f"ocpihub functions, inclusive (top {top}):"]
    lines += [f"  {n / total:6.1%}  {name}" for name, n in own.most_common(top)]
    lines += ["", f"functions, self (top {top}):"]
    lines += [f"  {n / total:6.1%}  {name}" for name, n in self_time.most_common(top)]
    return "\n".join(lines)


def _short(file: str) -> str:
    for mark in ("site-packages/", "lib/python3.11/", "/work/main/"):
        if mark in file:
            return file.split(mark, 1)[1]
    return file


def main() -> None:
    """Parse flags and print the summary."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("file", type=Path)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    print(summarise(args.file, args.top))


if __name__ == "__main__":
    main()
