"""What every simulated partner shares: a :class:`Peer` to speak OCPI with, a counterpart (the
hub, or a partner's own platform) to call, and a log of the actions it took.

A simulated partner decides its next action from its own state and the random generator it is
given, never from timing, so a run with one seed takes the same actions in the same order.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Coroutine
from typing import Any

import aiohttp

from ocpihub.testing.peer import Peer

__all__ = ["Answer", "Simulated", "ok", "pace"]

Answer = tuple[int, Any]
JSON = dict[str, Any]
Log = Callable[[str], None]
MAX_PAGES = 20  # a pull follows at most this many Link pages


def ok(answer: Answer) -> bool:
    """Whether an answer is HTTP 2xx with OCPI status 1000."""
    status, body = answer
    return 200 <= status < 300 and isinstance(body, dict) and body.get("status_code") == 1000


class Simulated:
    """Base of the simulated CPO, eMSPs and PTP."""

    def __init__(self, peer: Peer, log: Log | None = None) -> None:
        self.peer = peer
        self.actions: list[str] = []
        self.counterpart: tuple[str, str] | None = None  # OCPI-to party (without a hub)
        self._log = log or (lambda line: None)
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def code(self) -> str:
        """The party this partner plays, CC-PID."""
        _, cc, pid = self.peer.parties[0]
        return f"{cc}-{pid}"

    def note(self, action: str, outcome: str = "", *, planned: bool = True) -> None:
        """Print an action; ``planned`` ones (the partner's own decisions, taken in a fixed
        order for a given seed) are also recorded in :attr:`actions`."""
        if planned:
            self.actions.append(action)
        self._log(f"{self.code:<7} {action}" + (f"  -> {outcome}" if outcome else ""))

    def _headers(self) -> dict[str, str]:
        if not self.peer.speaks.has_roles:  # no routing headers
            return {}
        _, cc, pid = self.peer.parties[0]
        headers = {"OCPI-from-country-code": cc, "OCPI-from-party-id": pid}
        if self.counterpart is not None:
            headers["OCPI-to-country-code"], headers["OCPI-to-party-id"] = self.counterpart
        return headers

    async def call(
        self, method: str, url: str, body: Any = None, params: dict[str, str] | None = None
    ) -> tuple[int, Any, Any]:
        """One OCPI request to the counterpart; transport failures are answered 599."""
        try:
            return await self.peer.request(
                method, url, json=body, headers=self._headers(), params=params
            )
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            return 599, {"status_message": f"{type(exc).__name__}: {exc}"}, {}

    async def send(
        self, method: str, module: str, role: str, suffix: str = "", body: Any = None
    ) -> Answer:
        """A request to the counterpart's ``module`` interface (``role``) plus ``suffix``."""
        status, answer, _ = await self.call(method, self.peer.hub_url(module, role) + suffix, body)
        return status, answer

    async def pull(self, module: str) -> list[JSON]:
        """GET all of ``module`` from the counterpart, following ``Link`` pages."""
        url: str | None = self.peer.hub_url(module, "SENDER")
        found: list[JSON] = []
        for _ in range(MAX_PAGES):
            if url is None:
                break
            status, body, headers = await self.call("GET", url)
            if not ok((status, body)):
                break
            found.extend(d for d in body.get("data") or [] if isinstance(d, dict))
            url = _next_link(headers.get("Link", "") if headers else "")
        return found

    def later(self, work: Coroutine[Any, Any, None]) -> None:
        """Run ``work`` beside the scheduler (a CPO acting on a command it accepted)."""
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def settle(self) -> None:
        """Wait for the follow-ups still running (bounded), then cancel what is left."""
        if self._tasks:
            _, pending = await asyncio.wait(set(self._tasks), timeout=5)
            for task in pending:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    async def setup(self) -> None:
        """What the partner does once, right after registering."""

    async def step(self, rng: Any) -> None:
        """One action, chosen with ``rng`` (a :class:`random.Random`)."""


def _next_link(header: str) -> str | None:
    for part in header.split(","):
        if 'rel="next"' in part and "<" in part:
            return part[part.index("<") + 1 : part.index(">")]
    return None


async def pace(work: Coroutine[Any, Any, None], stop: asyncio.Event, seconds: float) -> None:
    """Run one action, then wait ``seconds``; ``stop`` interrupts both (an action waiting for
    its partner is cancelled)."""
    task = asyncio.ensure_future(work)
    stopped = asyncio.ensure_future(stop.wait())
    await asyncio.wait({task, stopped}, return_when=asyncio.FIRST_COMPLETED)
    if not task.done():
        task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    if not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stopped, timeout=seconds)
    stopped.cancel()
