"""Shutdown stops background loops even when a cancellation reaches one as an ordinary error
(a database driver interrupted mid-transaction can do that) and its retry swallows it."""

from __future__ import annotations

import asyncio

from ocpihub.app import _stop


async def test_a_loop_that_swallows_one_cancellation_still_stops() -> None:
    rounds = 0

    async def stubborn() -> None:
        nonlocal rounds
        while True:
            try:
                await asyncio.sleep(10)
            except asyncio.CancelledError:
                if rounds == 0:  # the first cancellation turns into an ordinary error...
                    rounds += 1
                    try:
                        raise RuntimeError("connection lost") from None
                    except RuntimeError:
                        continue  # ...which the loop's retry swallows
                raise

    async def polite() -> None:
        await asyncio.sleep(10)

    tasks = [asyncio.create_task(stubborn()), asyncio.create_task(polite())]
    await asyncio.sleep(0)
    await asyncio.wait_for(_stop(tasks), timeout=10)

    assert all(t.done() for t in tasks)
    assert rounds == 1


async def test_nothing_to_stop() -> None:
    await _stop([])
