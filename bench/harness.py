"""What every benchmark shares: the hub subprocess, its database, helper processes, the load
generator, percentiles, the results table and the JSON file.

Everything runs on 127.0.0.1. The hub is started exactly as an operator starts it
(``python -m ocpihub serve``) so that its numbers include uvicorn, the middleware and the
traffic log; peers (``bench.fleet``) and the baseline forwarder (``bench.forwarder``) are
separate processes too, so the one load generator in the benchmark's own process competes
with them for the two cores equally, whichever contender it drives.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import platform
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import orjson

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PYTHON = sys.executable
ADMIN_TOKEN = "bench-admin-token"
PG_ENV = "OCPIHUB_BENCH_POSTGRES_URL"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


# --- databases ---------------------------------------------------------------------------------


@contextlib.asynccontextmanager
async def database(backend: str) -> AsyncIterator[str]:
    """A fresh database URL: a temp SQLite file, or a new PostgreSQL database (dropped after)."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory(prefix="ocpihub-bench-") as tmp:
            yield f"sqlite+aiosqlite:///{tmp}/hub.db"
        return
    import asyncpg  # type: ignore[import-untyped]

    base = os.environ.get(PG_ENV)
    if not base:
        raise SystemExit(f"{PG_ENV} is not set: no PostgreSQL run")
    dsn = base.replace("postgresql+asyncpg://", "postgresql://")
    name = f"ocpihub_bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(dsn)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    head, _, _ = base.rpartition("/")
    try:
        yield f"{head}/{name}"
    finally:
        admin = await asyncpg.connect(dsn)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


# --- processes ---------------------------------------------------------------------------------


def spawn(cmd: list[str], **kwargs: Any) -> subprocess.Popen[bytes]:
    """Start ``cmd`` in the repository root (starting a process does not wait for it)."""
    return subprocess.Popen(cmd, cwd=ROOT, **kwargs)


@dataclass
class Proc:
    """A helper process started by a benchmark, stopped (SIGTERM, then SIGKILL) at the end."""

    popen: subprocess.Popen[bytes]
    url: str

    @property
    def pid(self) -> int:
        """The process id (for RSS and profilers)."""
        return self.popen.pid

    def stop(self) -> None:
        """Stop the process and wait for it."""
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()


def rss_mb(pid: int) -> dict[str, float]:
    """Current and peak resident set size of ``pid`` in MB (from /proc)."""
    out: dict[str, float] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(("VmRSS:", "VmHWM:")):
            out[line.split(":")[0]] = int(line.split()[1]) / 1024
    return {"rss_mb": out.get("VmRSS", 0.0), "peak_rss_mb": out.get("VmHWM", 0.0)}


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) in seconds used by ``pid`` and its processes (``serve --workers``).

    On a machine shared with other work, a contender's CPU per request moves far less with
    the load than its requests per second do.
    """
    total = 0.0
    for one in _tree(pid):
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{one}/stat").read_text().rsplit(")", 1)[1].split()
            total += sum(int(v) for v in fields[11:15])  # utime, stime, cutime, cstime
    return total / os.sysconf("SC_CLK_TCK")


def sched_seconds(pid: int) -> tuple[float, float]:
    """(on a CPU, runnable but waiting for one) in seconds, over every thread of ``pid`` and
    its processes (``/proc/*/task/*/schedstat``).

    Over a phase, on-CPU near the wall time means the process was saturated; waiting for a
    CPU means other work on the machine held it back; neither means it had nothing to do.
    """
    on = waited = 0.0
    for one in _tree(pid):
        for task in Path(f"/proc/{one}/task").glob("*/schedstat"):
            with contextlib.suppress(OSError, ValueError):
                ran, wait, _ = (int(v) for v in task.read_text().split())
                on, waited = on + ran / 1e9, waited + wait / 1e9
    return on, waited


def _tree(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        one = todo.pop()
        found.append(one)
        for task in Path(f"/proc/{one}/task").glob("*/children"):
            with contextlib.suppress(OSError):
                todo.extend(int(c) for c in task.read_text().split())
    return found


async def wait_http(url: str, proc: subprocess.Popen[bytes], within: float = 60) -> None:
    """Wait until ``url`` answers any HTTP status (the server is up)."""
    deadline = time.monotonic() + within
    async with aiohttp.ClientSession() as session:
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"process exited with {proc.returncode} before serving {url}")
            with contextlib.suppress(aiohttp.ClientError):
                async with session.get(url) as response:
                    await response.read()
                    return
            if time.monotonic() > deadline:
                raise RuntimeError(f"{url} did not answer within {within} s")
            await asyncio.sleep(0.1)


@contextlib.asynccontextmanager
async def hub(
    database_url: str,
    *,
    profile: Path | None = None,
    prefix: Sequence[str] = (),
    workers: int = 1,
    **settings: str,
) -> AsyncIterator[Proc]:
    """``python -m ocpihub serve`` on a free port; ``profile``: py-spy samples of it go there;
    ``prefix``: a command the hub is started under (``bench.takeover``: another host name);
    ``workers`` > 1: ``serve --workers N`` (PostgreSQL only)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "OCPIHUB_DATABASE_URL": database_url,
        "OCPIHUB_PUBLIC_URL": url,
        "OCPIHUB_PORT": str(port),
        "OCPIHUB_ADMIN_TOKEN": ADMIN_TOKEN,
        "OCPIHUB_LOG_LEVEL": "warning",
        "OCPIHUB_LOG_FORMAT": "json",
        "OCPIHUB_LIVENESS_INTERVAL_SECONDS": "0",
    }
    env.update({f"OCPIHUB_{k.upper()}": v for k, v in settings.items()})
    serve = [*prefix, PYTHON, "-m", "ocpihub", "serve"]
    if workers > 1:
        serve += ["--workers", str(workers)]
    popen = spawn(serve, env=env, stdout=subprocess.DEVNULL)
    proc = Proc(popen, url)
    spy: subprocess.Popen[bytes] | None = None
    try:
        await wait_http(f"{url}/ocpi/versions", popen)
        if profile is not None:
            # CPU samples only (py-spy leaves idle stacks out), as folded stacks for bench.flat
            spy = spawn(
                [
                    *(str(Path(PYTHON).parent / "py-spy"), "record", "--pid", str(popen.pid)),
                    *(["--subprocesses"] if workers > 1 else []),
                    *("--rate", "200", "--nonblocking", "--format", "raw"),
                    *("--output", str(profile)),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        yield proc
    finally:
        if spy is not None:
            spy.send_signal(signal.SIGINT)
            with contextlib.suppress(subprocess.TimeoutExpired):
                spy.wait(timeout=30)
        proc.stop()


@contextlib.asynccontextmanager
async def forwarder(target: str) -> AsyncIterator[Proc]:
    """The baseline: ``bench.forwarder`` relaying every request to ``target``."""
    port = free_port()
    popen = spawn([PYTHON, "-m", "bench.forwarder", "--port", str(port), "--target", target])
    proc = Proc(popen, f"http://127.0.0.1:{port}")
    try:
        await wait_http(f"{proc.url}/-/ready", popen)
        yield proc
    finally:
        proc.stop()


@dataclass
class Fleet:
    """Peers registered with the hub, served by the ``bench.fleet`` process."""

    proc: Proc
    peers: dict[str, dict[str, Any]]

    def endpoint(self, peer: str, module: str, role: str) -> str:
        """The hub's URL for ``module``/``role`` as ``peer`` discovered it."""
        return str(self.peers[peer]["hub_endpoints"][f"{module}|{role}"])

    async def stats(self, session: aiohttp.ClientSession) -> dict[str, Any]:
        """Arrival times of Locations at each receiver: {peer: {location id: unix time}}."""
        async with session.get(f"{self.proc.url}/stats") as response:
            result: dict[str, Any] = orjson.loads(await response.read())
            return result

    async def reset(self, session: aiohttp.ClientSession) -> None:
        """Forget every recorded arrival."""
        async with session.post(f"{self.proc.url}/reset") as response:
            await response.read()


@contextlib.asynccontextmanager
async def fleet(
    hub_url: str, peers: list[dict[str, Any]], agreements: list[list[str]]
) -> AsyncIterator[Fleet]:
    """Start ``bench.fleet``: it serves the peers, registers each over OCPI, adds agreements."""
    spec = {"hub": hub_url, "admin_token": ADMIN_TOKEN, "peers": peers, "agreements": agreements}
    popen = spawn([PYTHON, "-m", "bench.fleet"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert popen.stdin is not None
    assert popen.stdout is not None
    popen.stdin.write(json.dumps(spec).encode() + b"\n")
    popen.stdin.flush()
    line = await asyncio.to_thread(popen.stdout.readline)
    if not line:
        popen.wait()
        raise RuntimeError(f"bench.fleet exited with {popen.returncode} before it was ready")
    ready = json.loads(line)
    proc = Proc(popen, ready["stats_url"])
    try:
        yield Fleet(proc, ready["peers"])
    finally:
        proc.stop()


async def admin(
    session: aiohttp.ClientSession, hub_url: str, method: str, path: str, body: Any = None
) -> Any:
    """Call the hub's admin API; raises on a non-2xx answer."""
    headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    async with session.request(
        method, f"{hub_url}/admin/api{path}", json=body, headers=headers
    ) as response:
        raw = await response.read()
        if response.status >= 300:
            raise RuntimeError(f"admin {method} {path}: {response.status} {raw[:300]!r}")
        return orjson.loads(raw) if raw else None


# --- load generation -----------------------------------------------------------------------------


@dataclass
class Run:
    """The outcome of one load run against one contender."""

    contender: str
    concurrency: int
    seconds: float
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    kind: str = ""  # what was requested, when a benchmark times several kinds
    cpu_us: float | None = None  # CPU of the measured process per request, warm-up included

    @property
    def throughput(self) -> float:
        """Successful requests per second."""
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def summary(self) -> dict[str, Any]:
        """Numbers for the JSON file (latencies in milliseconds)."""
        return {
            "kind": self.kind,
            "contender": self.contender,
            "concurrency": self.concurrency,
            "seconds": round(self.seconds, 3),
            "requests": len(self.latencies),
            "errors": self.errors,
            "throughput_rps": round(self.throughput, 1),
            "p50_ms": round(percentile(self.latencies, 50) * 1000, 3),
            "p99_ms": round(percentile(self.latencies, 99) * 1000, 3),
            "cpu_us_per_request": None if self.cpu_us is None else round(self.cpu_us, 1),
        }


Request = Callable[[aiohttp.ClientSession, int], Awaitable[bool]]


async def closed_loop(
    contender: str,
    request: Request,
    *,
    concurrency: int,
    seconds: float,
    warmup: float = 1.0,
    cpu_of: int | None = None,
) -> Run:
    """``concurrency`` workers, each sending its next request when the last one is answered.

    ``request(session, n)`` returns whether the answer was the expected one. Requests during
    the first ``warmup`` seconds are not counted (connection set-up, first-call caches).
    ``cpu_of``: a process (with its children) whose CPU time per request, over every request
    of the run, goes in ``Run.cpu_us`` — on a shared machine it moves far less than the rate.
    """
    connector = aiohttp.TCPConnector(limit=concurrency, force_close=False)
    run = Run(contender, concurrency, 0.0)
    counter = iter(range(1 << 62))
    async with aiohttp.ClientSession(connector=connector) as session:
        loop = asyncio.get_running_loop()
        start = loop.time()
        counted_from = start + warmup
        stop = counted_from + seconds

        async def worker() -> None:
            while True:
                t0 = loop.time()
                if t0 >= stop:
                    return
                try:
                    ok = await request(session, next(counter))
                except (TimeoutError, aiohttp.ClientError):
                    ok = False
                t1 = loop.time()
                if t0 >= counted_from:
                    if ok:
                        run.latencies.append(t1 - t0)
                    else:
                        run.errors += 1

        cpu_before = cpu_seconds(cpu_of) if cpu_of is not None else 0.0
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        run.seconds = loop.time() - counted_from
        if cpu_of is not None:
            sent = next(counter)
            run.cpu_us = (cpu_seconds(cpu_of) - cpu_before) / max(sent, 1) * 1e6
    return run


def percentile(values: Sequence[float], pct: float) -> float:
    """The ``pct``-th percentile (nearest rank) of ``values``; 0 when empty."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


# --- reporting -----------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    """The machine the numbers come from."""
    model = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    mem_gb = 0.0
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
    return {
        "nproc": os.cpu_count(),
        "cpu": model,
        "ram_gb": mem_gb,
        "python": platform.python_version(),
        "kernel": platform.release(),
        # other work on the machine skews every contender; the load average says how much
        "loadavg": os.getloadavg(),
    }


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A plain-text table with right-aligned columns."""
    cells = [[str(h) for h in headers]] + [[_fmt(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = ["  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)) for r in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}" if abs(value) < 100 else f"{value:,.0f}"
    return str(value)


def write_results(name: str, data: dict[str, Any]) -> Path:
    """Write ``bench/results/<name>-<timestamp>.json`` (with the machine) and return its path."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%S")
    path = RESULTS / f"{name}-{stamp}.json"
    payload = {"benchmark": name, "when": stamp, "machine": machine(), **data}
    path.write_bytes(orjson.dumps(payload, option=orjson.OPT_INDENT_2))
    return path


def verdict(ok: bool) -> str:
    """MET / NOT MET for a goal."""
    return "MET" if ok else "NOT MET"


def chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    """``items`` in slices of ``size``."""
    for i in range(0, len(items), size):
        yield items[i : i + size]
