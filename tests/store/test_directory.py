"""The cached directory: read once, dropped at once by this process's changes, by age otherwise."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import event, select

from ocpihub.model.parties import ConnectionStatus, Endpoint, PlatformStatus
from ocpihub.store import agreements as agreements_store
from ocpihub.store import platforms as plat
from ocpihub.store.db import Database
from ocpihub.store.directory import Directory
from ocpihub.store.objects import ObjectKey, put_object
from ocpihub.store.schema import platforms


class Statements:
    """Counts the SELECTs the engine runs."""

    def __init__(self, db: Database) -> None:
        self.selects = 0

        @event.listens_for(db.sync_engine, "before_cursor_execute")
        def _count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            if statement.lstrip().upper().startswith("SELECT"):
                self.selects += 1


async def platform(db: Database, name: str, token: str, party: tuple[str, str]) -> int:
    async with db.write() as conn:
        p = await plat.create_platform(conn, name)
        await plat.add_token(conn, p.id, token, "C")
        await plat.update_platform(
            conn, p.id, status=PlatformStatus.REGISTERED, version="2.3.0", outbound_token="out"
        )
        await plat.replace_endpoints(
            conn, p.id, [Endpoint("tokens", "SENDER", f"http://{name}/tokens")]
        )
        await plat.upsert_party(
            conn,
            p.id,
            country_code=party[0],
            party_id=party[1],
            role="EMSP" if name.startswith("emsp") else "CPO",
            status=ConnectionStatus.CONNECTED,
        )
        return p.id


async def test_reads_are_served_from_memory_until_a_directory_table_changes(
    db: Database,
) -> None:
    """A second read costs no query; a committed change to a platform is seen at once."""
    pid = await platform(db, "cpo", "tok-1", ("NL", "CPO"))
    directory = Directory(db, ttl=60)
    statements = Statements(db)

    first = await directory.caller(["tok-1"])
    reads = statements.selects
    again = await directory.caller(["tok-1"])
    assert first is not None and again == first
    assert statements.selects == reads  # from memory

    async with db.write() as conn:
        await plat.update_platform(conn, pid, outbound_token="rotated")
    found = await directory.caller(["tok-1"])
    assert found is not None and found[0].outbound_token == "rotated"
    assert statements.selects > reads


async def test_data_writes_keep_the_cache(db: Database) -> None:
    """Storing objects (every push does) is no directory change: nothing is read again."""
    pid = await platform(db, "cpo", "tok-1", ("NL", "CPO"))
    directory = Directory(db, ttl=60)
    await directory.platform_with_endpoints(pid)
    generation = db.generation

    async with db.write() as conn:
        await put_object(
            conn,
            ObjectKey.of("locations", "NL", "CPO", "L1"),
            document={"id": "L1", "last_updated": "2030-01-01T00:00:00Z"},
            last_updated=datetime(2030, 1, 1, tzinfo=UTC),
            source_version="2.3.0",
        )
    assert db.generation == generation
    statements = Statements(db)
    await directory.platform_with_endpoints(pid)
    assert statements.selects == 0


async def test_a_rolled_back_change_also_drops_the_cache(db: Database) -> None:
    """Dropping too much is safe; the flag never leaks into the next transaction."""
    pid = await platform(db, "cpo", "tok-1", ("NL", "CPO"))
    generation = db.generation
    with pytest.raises(RuntimeError):
        async with db.write() as conn:
            await plat.update_platform(conn, pid, outbound_token="never")
            raise RuntimeError("boom")
    assert db.generation == generation + 1
    async with db.write() as conn:
        await conn.execute(select(platforms.c.id))
    assert db.generation == generation + 1


async def test_unknown_tokens_are_not_remembered(db: Database) -> None:
    """A token that is not known now may be registered a moment later by another process."""
    directory = Directory(db, ttl=60)
    assert await directory.caller(["nobody"]) is None
    # written behind the handle's back: as another process would
    other = Database(db.url)
    try:
        await platform(other, "cpo", "nobody", ("NL", "CPO"))
    finally:
        await other.close()
    assert await directory.caller(["nobody"]) is not None


async def test_changes_by_other_processes_apply_after_the_ttl(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another process's change is invisible until the entry is older than the ttl."""
    pid = await platform(db, "cpo", "tok-1", ("NL", "CPO"))
    directory = Directory(db, ttl=5)
    clock = [1000.0]
    monkeypatch.setattr("ocpihub.store.directory.time.monotonic", lambda: clock[0])
    assert [p.party_id for p in await directory.parties(pid)] == ["CPO"]

    other = Database(db.url)
    try:
        async with other.write() as conn:
            await plat.upsert_party(
                conn,
                pid,
                country_code="NL",
                party_id="CP2",
                role="CPO",
                status=ConnectionStatus.CONNECTED,
            )
    finally:
        await other.close()
    clock[0] += 4.9
    assert [p.party_id for p in await directory.parties(pid)] == ["CPO"]
    clock[0] += 0.2
    assert sorted(p.party_id for p in await directory.parties(pid)) == ["CP2", "CPO"]


async def test_ttl_zero_reads_every_time(db: Database) -> None:
    pid = await platform(db, "cpo", "tok-1", ("NL", "CPO"))
    directory = Directory(db, ttl=0)
    statements = Statements(db)
    await directory.platform(pid)
    await directory.platform(pid)
    assert statements.selects == 2


async def test_agreements_route_through_the_cache(db: Database) -> None:
    """A new agreement makes the partner a target at once; removing it takes it away."""
    await platform(db, "cpo", "tok-1", ("NL", "CPO"))
    await platform(db, "emsp", "tok-2", ("DE", "MSP"))
    directory = Directory(db, ttl=60)
    assert await directory.agreed_targets(("NL", "CPO"), "tokens", interface_role="SENDER") == ()

    async with db.write() as conn:
        agreement = await agreements_store.create_agreement(
            conn, ("NL", "CPO"), ("DE", "MSP"), modules=None
        )
    [target] = await directory.agreed_targets(("NL", "CPO"), "tokens", interface_role="SENDER")
    assert target.party == ("DE", "MSP") and target.endpoint_url == "http://emsp/tokens"

    async with db.write() as conn:
        await agreements_store.delete_agreement(conn, agreement.id)
    assert await directory.agreed_targets(("NL", "CPO"), "tokens", interface_role="SENDER") == ()


async def test_callers_missing_together_share_one_read(db: Database) -> None:
    """Thirty-two requests that miss the same entry at once (it aged out while they were in
    flight) cause one read, and all get its result."""
    pid = await platform(db, "cpo", "tok-1", ("NL", "CPO"))
    directory = Directory(db, ttl=60)
    statements = Statements(db)
    found = await asyncio.gather(*(directory.platform_with_endpoints(pid) for _ in range(32)))
    assert statements.selects == 2  # the platform and its endpoints, once
    assert all(f == found[0] for f in found) and found[0][0] is not None


async def test_a_failed_shared_read_leaves_the_others_reading(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When the read others wait for fails, each of them reads for itself (and gets its own
    answer or error, as without sharing)."""
    pid = await platform(db, "cpo", "tok-1", ("NL", "CPO"))
    directory = Directory(db, ttl=60)
    real = plat.get_platform
    calls = 0

    async def flaky(conn: Any, platform_id: int) -> Any:
        nonlocal calls
        calls += 1
        if calls == 1:
            await asyncio.sleep(0.01)  # the others arrive and wait for this read
            raise RuntimeError("connection lost")
        return await real(conn, platform_id)

    monkeypatch.setattr(plat, "get_platform", flaky)
    results = await asyncio.gather(
        *(directory.platform(pid) for _ in range(4)), return_exceptions=True
    )
    assert isinstance(results[0], RuntimeError)
    assert all(r is not None and not isinstance(r, BaseException) for r in results[1:])
