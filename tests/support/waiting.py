"""Waiting on a condition (never a fixed sleep), with the last value in the failure message."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

__all__ = ["eventually"]

T = TypeVar("T")


async def eventually(
    probe: Callable[[], Awaitable[T]],
    holds: Callable[[T], Any],
    *,
    timeout: float = 15,
    what: str = "condition",
) -> T:
    """Call ``probe`` until ``holds(result)``; the result that held."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        value = await probe()
        if holds(value):
            return value
        assert loop.time() < deadline, f"{what} never held; last: {value!r}"
        await asyncio.sleep(0.05)
