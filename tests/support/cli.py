"""Running the ``ocpihub`` command as a subprocess of a test, without blocking its event loop."""

from __future__ import annotations

import asyncio
import os
import sys

__all__ = ["cli", "cli_env", "start_cli"]


def cli_env(database_url: str) -> dict[str, str]:
    """The environment of a CLI run on the test database (no OCPIHUB_* from outside)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OCPIHUB_")}
    env["OCPIHUB_DATABASE_URL"] = database_url
    return env


async def start_cli(
    database_url: str, *args: str, env: dict[str, str] | None = None
) -> asyncio.subprocess.Process:
    """Start ``ocpihub ARGS`` with stdout and stderr piped (``env``: more variables)."""
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "ocpihub",
        *args,
        env={**cli_env(database_url), **(env or {})},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def cli(
    database_url: str, *args: str, env: dict[str, str] | None = None
) -> tuple[int, str, str]:
    """Run ``ocpihub ARGS`` to its end: (exit code, stdout, stderr)."""
    proc = await start_cli(database_url, *args, env=env)
    out, err = await asyncio.wait_for(proc.communicate(), timeout=60)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()
