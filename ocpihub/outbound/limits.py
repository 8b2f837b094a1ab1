"""Per-partner limits on the hub's calls, from the platform's interoperability profile.

- :class:`CallLimits` — what one call to a platform is bound by: its own request timeout and
  its concurrency limit (``model/profiles.py``);
- :class:`Gates` — the per-process semaphores that carry out the concurrency limit: deliveries
  and relays to one platform wait for a free slot (the wait is not part of the timeout);
- :func:`capped_page` — the paging parameters of a GET to the partner with ``limit`` no larger
  than its page size cap.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass

from ocpihub.model.parties import Platform

__all__ = ["CallLimits", "Gates", "capped_page"]


@dataclass(frozen=True, slots=True)
class CallLimits:
    """The limits one call to platform ``platform_id`` is bound by (None: none of its own)."""

    platform_id: int
    timeout: float | None = None
    concurrency: int | None = None

    @classmethod
    def of(cls, platform: Platform) -> CallLimits:
        """The limits the platform's profile sets."""
        profile = platform.profile
        return cls(platform.id, profile.timeout_seconds, profile.concurrency)


class Gates:
    """One semaphore per limited platform, in this process (a changed limit takes effect for
    the calls that start after the change)."""

    def __init__(self) -> None:
        self._gates: dict[int, tuple[int, asyncio.Semaphore]] = {}

    @contextlib.asynccontextmanager
    async def slot(self, limits: CallLimits | None) -> AsyncIterator[None]:
        """Hold one of the platform's slots for the block (no limit: at once)."""
        if limits is None or limits.concurrency is None:
            yield
            return
        entry = self._gates.get(limits.platform_id)
        if entry is None or entry[0] != limits.concurrency:
            entry = (limits.concurrency, asyncio.Semaphore(limits.concurrency))
            self._gates[limits.platform_id] = entry
        async with entry[1]:
            yield


def capped_page(params: Mapping[str, str] | None, cap: int | None) -> dict[str, str]:
    """``params`` for a GET of a list from the partner, its ``limit`` at most ``cap``.

    Without a cap the parameters are unchanged; with one, a missing, larger or unreadable
    ``limit`` becomes the cap (the partner pages the rest through ``Link``).
    """
    out = dict(params or {})
    if cap is None:
        return out
    given = out.get("limit", "")
    if not (given.isascii() and given.isdigit()) or int(given) > cap:
        out["limit"] = str(cap)
    return out
