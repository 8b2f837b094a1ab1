"""Cached reads of the directory: who a token belongs to, what a platform hosts and publishes,
who may receive what from whom.

Every OCPI request needs these facts and they change only on registration, credentials,
agreement and party changes, so they are kept in memory per process. An entry is used while
both hold: the database handle's ``generation`` is the one it was read under (the handle bumps
it after every commit that changed a directory table in this process), and it is younger than
``ttl`` seconds (changes made by other processes: the CLI, other hub processes on the same
database). ``ttl`` 0 turns the cache off.

Results are shared between callers: treat them as read-only (they are tuples and frozen
dataclasses).

A miss is read once: callers that miss the same entry while its read is running (under the
same generation) wait for that read instead of each reading it again. Without this, every
request in flight when an entry ages out read it anew (32 connections: 32 reads of each of the
five entries a relayed request uses, every ``ttl`` seconds, each slower for the others).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncConnection

from ocpihub.model.agreements import Agreement
from ocpihub.model.parties import Endpoint, Party, Platform, Target
from ocpihub.store import platforms as store
from ocpihub.store.agreements import find_agreement
from ocpihub.store.db import Database
from ocpihub.store.routing import agreed_targets, party_target

__all__ = ["Directory"]

T = TypeVar("T")

_MAX_ENTRIES = 20_000


@dataclass(frozen=True, slots=True)
class _Entry:
    value: Any
    generation: int
    expires: float


class _ReadFailed(Exception):
    """The read a caller waited for did not finish (the caller reads for itself)."""


async def _join(reading: asyncio.Future[Any]) -> Any:
    """The result of another caller's read; :class:`_ReadFailed` if that read failed or was
    cancelled (this caller's own cancellation is raised as it is)."""
    try:
        return await asyncio.shield(reading)
    except asyncio.CancelledError:
        task = asyncio.current_task()
        if reading.cancelled() and (task is None or not task.cancelling()):
            raise _ReadFailed from None
        raise


class Directory:
    """The directory reads, cached (see the module docstring for when an entry is fresh)."""

    def __init__(self, db: Database, *, ttl: float = 2.0) -> None:
        self.db = db
        self.ttl = ttl
        self._entries: dict[Hashable, _Entry] = {}
        # reads in progress: key -> (generation read under, its result to come)
        self._reading: dict[Hashable, tuple[int, asyncio.Future[Any]]] = {}

    def clear(self) -> None:
        """Forget everything (the next reads go to the database)."""
        self._entries.clear()

    async def _cached(
        self,
        key: Hashable,
        load: Callable[[AsyncConnection], Awaitable[T]],
        *,
        keep: Callable[[T], bool] = lambda value: True,
    ) -> T:
        now = time.monotonic()
        generation = self.db.generation
        hit = self._entries.get(key)
        if hit is not None and hit.generation == generation and hit.expires > now:
            value: T = hit.value
            return value
        reading = self._reading.get(key) if self.ttl > 0 else None
        if reading is not None and reading[0] == generation:
            with contextlib.suppress(_ReadFailed):
                shared: T = await _join(reading[1])
                return shared
        value = await self._read(key, load, generation)
        if self.ttl > 0 and keep(value):
            if len(self._entries) >= _MAX_ENTRIES:
                self._entries.clear()
            # stored under the generation it was read in: a change committed meanwhile
            # makes it stale at once
            self._entries[key] = _Entry(value, generation, now + self.ttl)
        return value

    async def _read(
        self, key: Hashable, load: Callable[[AsyncConnection], Awaitable[T]], generation: int
    ) -> T:
        result: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._reading[key] = (generation, result)
        try:
            async with self.db.read() as conn:
                value = await load(conn)
        except BaseException:
            result.cancel()  # those waiting read for themselves
            raise
        finally:
            if self._reading.get(key, (0, None))[1] is result:
                del self._reading[key]
        result.set_result(value)
        return value

    async def caller(self, candidates: Sequence[str]) -> tuple[Platform, str] | None:
        """The platform and token kind of the first known candidate token (unknown tokens
        are not remembered: a stranger's guesses never fill the cache)."""

        async def load(conn: AsyncConnection) -> tuple[Platform, str] | None:
            return await store.lookup_token(conn, candidates)

        return await self._cached(
            ("token", tuple(candidates)), load, keep=lambda found: found is not None
        )

    async def platform(self, platform_id: int) -> Platform | None:
        """The platform with this id, if any."""

        async def load(conn: AsyncConnection) -> Platform | None:
            return await store.get_platform(conn, platform_id)

        return await self._cached(("platform", platform_id), load)

    async def parties(self, platform_id: int) -> tuple[Party, ...]:
        """The parties a platform hosts."""

        async def load(conn: AsyncConnection) -> tuple[Party, ...]:
            return tuple(await store.list_parties(conn, platform_id))

        return await self._cached(("parties", platform_id), load)

    async def endpoints(self, platform_id: int) -> tuple[Endpoint, ...]:
        """The endpoints a platform published."""

        async def load(conn: AsyncConnection) -> tuple[Endpoint, ...]:
            return tuple(await store.list_endpoints(conn, platform_id))

        return await self._cached(("endpoints", platform_id), load)

    async def platform_with_endpoints(
        self, platform_id: int
    ) -> tuple[Platform | None, tuple[Endpoint, ...]]:
        """A platform and its endpoints, read together on a miss."""

        async def load(conn: AsyncConnection) -> tuple[Platform | None, tuple[Endpoint, ...]]:
            platform = await store.get_platform(conn, platform_id)
            found = await store.list_endpoints(conn, platform_id) if platform else []
            return platform, tuple(found)

        return await self._cached(("platform+endpoints", platform_id), load)

    async def agreed_targets(
        self, sender: tuple[str, str], module: str, *, interface_role: str = "RECEIVER"
    ) -> tuple[Target, ...]:
        """:func:`~ocpihub.store.routing.agreed_targets`, cached."""

        async def load(conn: AsyncConnection) -> tuple[Target, ...]:
            return tuple(await agreed_targets(conn, sender, module, interface_role=interface_role))

        return await self._cached(("agreed", sender, module, interface_role), load)

    async def agreement(self, x: tuple[str, str], y: tuple[str, str]) -> Agreement | None:
        """The agreement between two parties (any status), cached."""

        async def load(conn: AsyncConnection) -> Agreement | None:
            return await find_agreement(conn, x, y)

        return await self._cached(("agreement", *sorted((x, y))), load)

    async def party_target(
        self, party: tuple[str, str], module: str, *, interface_role: str
    ) -> tuple[Target, ...]:
        """:func:`~ocpihub.store.routing.party_target`, cached."""

        async def load(conn: AsyncConnection) -> tuple[Target, ...]:
            return tuple(await party_target(conn, party, module, interface_role=interface_role))

        return await self._cached(("party", party, module, interface_role), load)
