"""Calls to a partner while the hub's token with it changes hands.

A credentials PUT the hub sends may come back with a new token for the hub, and a partner may
drop the old one the moment it answers. Calls to that partner sent across the exchange would
then be refused (401) for no fault of theirs. :class:`TokenGate` keeps them apart, per platform
and per process:

- an exchange waits until the calls in flight to that platform have finished (at most
  ``drain_seconds``), and holds new ones back while its PUT runs;
- a call held back, or one prepared before the exchange with the token it replaced, goes with
  the token the exchange recorded (:meth:`TokenGate.exchange` yields the recorder).

Calls made inside the exchange itself (its PUT) pass straight through. Other hub processes are
not held back: their deliveries that cross the exchange are answered 401 and retried by the
outbox with the stored new token.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from contextvars import ContextVar
from dataclasses import dataclass, field

from ocpihub.outbound.auth import PartnerAuth

__all__ = ["TokenGate"]

_EXCHANGING: ContextVar[int | None] = ContextVar("ocpihub_token_exchange", default=None)

#: how many replaced tokens a platform remembers (each rotation adds one)
_REMEMBERED = 8


@dataclass
class _Platform:
    exchange_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    changed: asyncio.Condition = field(default_factory=asyncio.Condition)
    exchanging: bool = False
    in_flight: int = 0
    replaced: dict[str, str] = field(default_factory=dict)

    def current(self, auth: PartnerAuth) -> PartnerAuth:
        token = auth.token
        for _ in range(_REMEMBERED):
            if token not in self.replaced:
                break
            token = self.replaced[token]
        return auth if token == auth.token else PartnerAuth(token, auth.base64)

    def record(self, old: str, new: str) -> None:
        if old == new:
            return
        self.replaced[old] = new
        while len(self.replaced) > _REMEMBERED:
            del self.replaced[next(iter(self.replaced))]


class TokenGate:
    """Per platform: token exchanges exclusive, other calls shared (see the module doc)."""

    def __init__(self, drain_seconds: float = 10.0) -> None:
        self.drain_seconds = drain_seconds
        self._platforms: dict[int, _Platform] = {}

    def _of(self, platform_id: int) -> _Platform:
        return self._platforms.setdefault(platform_id, _Platform())

    @contextlib.asynccontextmanager
    async def exchange(self, platform_id: int) -> AsyncIterator[Callable[[str, str], None]]:
        """Hold calls to ``platform_id`` back while the block runs; yields ``record(old,
        new)``, which makes calls still carrying token ``old`` go with ``new``."""
        state = self._of(platform_id)
        async with state.exchange_lock:
            state.exchanging = True
            try:
                async with state.changed:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(
                            state.changed.wait_for(lambda: state.in_flight == 0),
                            self.drain_seconds,
                        )
                mark = _EXCHANGING.set(platform_id)
                try:
                    yield state.record
                finally:
                    _EXCHANGING.reset(mark)
            finally:
                state.exchanging = False
                async with state.changed:
                    state.changed.notify_all()

    @contextlib.asynccontextmanager
    async def call(
        self, platform_id: int | None, auth: PartnerAuth | None
    ) -> AsyncIterator[PartnerAuth | None]:
        """One call to ``platform_id``: waits for an exchange in progress, then yields the
        auth to send (``auth`` with the newest token the exchanges recorded)."""
        if platform_id is None or _EXCHANGING.get() == platform_id:
            yield auth
            return
        state = self._platforms.get(platform_id)
        if state is None:
            state = self._of(platform_id)
        async with state.changed:
            await state.changed.wait_for(lambda: not state.exchanging)
            state.in_flight += 1
        try:
            yield None if auth is None else state.current(auth)
        finally:
            async with state.changed:
                state.in_flight -= 1
                state.changed.notify_all()
