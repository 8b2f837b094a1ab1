"""Objects written by concurrent transactions: row locks and the create race, both dialects."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from ocpihub.errors import Superseded
from ocpihub.store import objects as obj
from ocpihub.store.db import Database

KEY = obj.ObjectKey.of("locations", "NL", "ALF", "LOC1")
T0 = datetime(2024, 5, 1, 10, 0, tzinfo=UTC)


async def _put(db: Database, name: str, at: datetime, *, newer_only: bool = True) -> bool:
    async with db.write() as conn:
        return await obj.put_object(
            conn,
            KEY,
            document={"name": name},
            last_updated=at,
            source_version="2.3.0",
            newer_only=newer_only,
        )


async def _stored_name(db: Database) -> str:
    async with db.read() as conn:
        stored = await obj.get_object(conn, KEY)
    assert stored is not None
    return str(stored.document["name"])


async def _blocked_on_lock(db: Database) -> bool:
    if db.is_sqlite:
        return True
    async with db.read() as conn:
        waiting = await conn.execute(
            text(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                "AND datname = current_database()"
            )
        )
        return int(waiting.scalar_one()) > 0


async def _until_blocked(db: Database, task: asyncio.Task[object]) -> None:
    for _ in range(500):
        if await _blocked_on_lock(db) or task.done():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the second writer never waited for the first")


async def test_an_older_whole_object_is_superseded(db: Database) -> None:
    """A whole object older than the stored one is refused with Superseded (status 1000) and
    changes nothing; an equal or later one replaces it."""
    assert await _put(db, "first", T0) is True
    with pytest.raises(Superseded) as caught:
        await _put(db, "older", T0 - timedelta(seconds=1))
    assert caught.value.status_code == 1000
    assert await _stored_name(db) == "first"
    assert await _put(db, "same", T0) is False
    assert await _put(db, "older, merged", T0 - timedelta(seconds=1), newer_only=False) is False
    assert await _stored_name(db) == "older, merged"


@pytest.mark.parametrize("second_is_newer", [True, False])
async def test_two_creators_of_one_object(db: Database, second_is_newer: bool) -> None:
    """Two transactions creating one object at once both complete without a unique violation;
    the later ``last_updated`` is kept (the second writer waits for the first's commit: the
    identity's advisory lock on PostgreSQL)."""
    if db.is_sqlite:
        pytest.skip("SQLite write transactions are serialised before they read: no such race")
    first_done = asyncio.Event()
    ready = asyncio.Event()

    async def first() -> None:
        async with db.write() as conn:
            await obj.put_object(
                conn, KEY, document={"name": "first"}, last_updated=T0, source_version="2.3.0"
            )
            ready.set()
            await first_done.wait()

    at = T0 + timedelta(seconds=1 if second_is_newer else -1)
    writer = asyncio.create_task(first())
    await ready.wait()
    # a whole object (newer_only): the second writer waits for the first's commit, then is
    # applied or superseded by ``last_updated`` like any later writer
    second = asyncio.create_task(_put(db, "second", at, newer_only=True))
    await _until_blocked(db, second)  # type: ignore[arg-type]
    first_done.set()
    await writer
    if second_is_newer:
        assert await second is False
        assert await _stored_name(db) == "second"
    else:
        with pytest.raises(Superseded):
            await second
        assert await _stored_name(db) == "first"


async def test_read_for_update_waits_for_the_other_writer(db: Database) -> None:
    """A read for update of a stored object sees what a concurrent writer committed."""
    await _put(db, "0", T0)
    release = asyncio.Event()
    locked = asyncio.Event()

    async def increment(wait: bool) -> None:
        async with db.write() as conn:
            stored = await obj.get_object(conn, KEY, for_update=True)
            assert stored is not None
            locked.set()
            if wait:
                await release.wait()
            n = int(stored.document["name"]) + 1
            await obj.put_object(
                conn, KEY, document={"name": str(n)}, last_updated=T0, source_version="2.3.0"
            )

    one = asyncio.create_task(increment(True))
    await locked.wait()
    two = asyncio.create_task(increment(False))
    await _until_blocked(db, two)  # type: ignore[arg-type]
    release.set()
    await asyncio.gather(one, two)
    assert await _stored_name(db) == "2"


async def test_simultaneous_first_writes_take_turns(db: Database) -> None:
    """Writers that read a new id for update and then store it, all at once, round after round
    (the handlers' path): none meets a unique violation, one object is left with the latest
    ``last_updated`` (PostgreSQL: the identity's advisory lock; SQLite: serialised writers)."""

    async def write(key: obj.ObjectKey, n: int) -> None:
        async with db.write() as conn:
            await obj.get_object(conn, key, for_update=True)
            await obj.put_object(
                conn,
                key,
                document={"name": str(n)},
                last_updated=T0 + timedelta(seconds=n),
                source_version="2.3.0",
                newer_only=True,
            )

    async def settled(key: obj.ObjectKey, n: int) -> None:
        # an older whole object after a newer one: acknowledged, not applied
        with contextlib.suppress(Superseded):
            await write(key, n)

    for r in range(25):
        key = obj.ObjectKey.of("locations", "NL", "ALF", f"NEW-{r}")
        await asyncio.gather(*(settled(key, n) for n in range(6)))
        async with db.read() as conn:
            count = await conn.execute(
                text("SELECT count(*) FROM objects WHERE upper(object_id) = :id"),
                {"id": f"NEW-{r}"},
            )
            assert count.scalar_one() == 1
            stored = await obj.get_object(conn, key)
        assert stored is not None and stored.document["name"] == "5"
