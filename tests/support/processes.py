"""Processes of the real program for tests: ``python -m ocpihub ...`` with its own log file."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import ssl
import subprocess
import sys
import time
from pathlib import Path

import aiohttp

__all__ = ["OcpihubProcess", "wait_for_http"]


async def wait_for_http(
    url: str, *, alive: subprocess.Popen[bytes] | None = None, timeout: float = 120
) -> None:
    """Wait until ``url`` answers 200 (and, when given, while ``alive`` keeps running)."""
    deadline = time.monotonic() + timeout
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    async with aiohttp.ClientSession() as session:
        while True:
            assert alive is None or alive.poll() is None, f"{alive.args} exited"
            with contextlib.suppress(aiohttp.ClientError, OSError):
                async with session.get(url, ssl=context) as r:
                    if r.status == 200:
                        return
            assert time.monotonic() < deadline, f"{url} did not answer in {timeout} s"
            await asyncio.sleep(0.1)


class OcpihubProcess:
    """``python -m ocpihub ARGS`` with only the given ``OCPIHUB_*`` settings."""

    def __init__(self, args: list[str], env: dict[str, str], log: Path) -> None:
        clean = {k: v for k, v in os.environ.items() if not k.startswith("OCPIHUB_")}
        self.args = args
        self.env = clean | env
        self.log_path = log
        self.proc = self._start()

    def _start(self) -> subprocess.Popen[bytes]:
        with self.log_path.open("ab") as log:
            return subprocess.Popen(
                [sys.executable, "-m", "ocpihub", *self.args],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def restart(self) -> None:
        """Start the same command again (after it stopped)."""
        assert self.proc.poll() is not None, "still running"
        self.proc = self._start()

    def tail(self, chars: int = 3000) -> str:
        """The end of the log, for failure messages."""
        return self.log_path.read_text(errors="replace")[-chars:]

    async def stop(self, sig: signal.Signals = signal.SIGTERM, timeout: float = 30) -> int:
        """Send ``sig`` and wait for the process to exit; its exit code."""
        self.proc.send_signal(sig)
        deadline = time.monotonic() + timeout
        while self.proc.poll() is None:
            assert time.monotonic() < deadline, f"no exit after {sig.name}:\n{self.tail()}"
            await asyncio.sleep(0.05)
        return self.proc.returncode

    def close(self) -> None:
        """Kill what is still running (end of test)."""
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
