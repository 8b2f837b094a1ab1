"""The traffic-log store and the migration of the delivery tables, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from ocpihub.store import platforms as plat
from ocpihub.store.db import Database
from ocpihub.store.schema import metadata
from ocpihub.store.traffic import TrafficEntry, TrafficRecorder, list_traffic

T0 = datetime(2030, 1, 1, tzinfo=UTC)


def _delivery_tables(name: str | None, type_: str, parent: object) -> bool:
    return type_ != "table" or name in ("outbox", "traffic")


def _delivery_objects(obj: object, name: str | None, type_: str, *_: object) -> bool:
    table = name if type_ == "table" else getattr(getattr(obj, "table", None), "name", None)
    return table in ("outbox", "traffic")


async def test_migrations_build_the_delivery_tables_as_schema_says(db: Database) -> None:
    """After migrating, the outbox and traffic tables match schema.py exactly."""
    async with db.engine.connect() as conn:
        diff = await conn.run_sync(
            lambda c: compare_metadata(
                MigrationContext.configure(
                    c,
                    opts={
                        "compare_type": True,
                        "include_name": _delivery_tables,
                        "include_object": _delivery_objects,
                    },
                ),
                metadata,
            )
        )

    assert diff == []


async def test_recorder_resolves_callers_and_filters(db: Database) -> None:
    """Inbound entries find their platform by token hash; lists filter, newest first."""
    async with db.write() as conn:
        p = await plat.create_platform(conn, "cpo")
        await plat.add_token(conn, p.id, "token-c", "C")
    recorder = TrafficRecorder(db)
    await recorder.write(
        [
            TrafficEntry(
                T0,
                "IN",
                "PUT",
                "/ocpi/2.3.0/locations/x",
                3.0,
                token_hashes=("nope", plat.hash_token("token-c")),
                module="locations",
                http_status=200,
                response_body=b'{"status_code": 1000}',
            ),
            TrafficEntry(
                T0 + timedelta(seconds=1),
                "OUT",
                "PUT",
                "http://p/l",
                5.0,
                platform_id=99,
                module="locations",
                http_status=503,
            ),
            TrafficEntry(
                T0 + timedelta(seconds=2),
                "IN",
                "GET",
                "/ocpi/versions",
                1.0,
                module="versions",
                http_status=401,
            ),
        ]
    )
    async with db.read() as conn:
        everything = await list_traffic(conn)
        inbound = await list_traffic(conn, direction="in", module="locations")
        failed = await list_traffic(conn, http_status=503)
        recent = await list_traffic(conn, since=T0 + timedelta(seconds=1))

    assert [e["method"] for e in everything] == ["GET", "PUT", "PUT"]
    assert [(e["platform_id"], e["ocpi_status"]) for e in inbound] == [(p.id, 1000)]
    assert [e["platform_id"] for e in failed] == [99]
    assert len(recent) == 2


async def test_prune_removes_entries_past_retention(db: Database) -> None:
    """Pruning deletes entries older than the retention and keeps the rest."""
    recorder = TrafficRecorder(db, retention=timedelta(hours=1))
    await recorder.write(
        [
            TrafficEntry(T0 - timedelta(hours=2), "IN", "GET", "/old", 1.0),
            TrafficEntry(T0, "IN", "GET", "/new", 1.0),
        ]
    )

    assert await recorder.prune(now=T0) == 1
    async with db.read() as conn:
        assert [e["url"] for e in await list_traffic(conn)] == ["/new"]


async def test_prune_goes_in_chunks_until_nothing_old_is_left(db: Database) -> None:
    """Many old entries go a chunk a transaction; all of them, and only them."""
    recorder = TrafficRecorder(db, retention=timedelta(hours=1))
    old = [TrafficEntry(T0 - timedelta(hours=2), "IN", "GET", f"/old{n}", 1.0) for n in range(7)]
    await recorder.write([*old, TrafficEntry(T0, "IN", "GET", "/new", 1.0)])

    assert await recorder.prune(now=T0, chunk=3) == 7
    async with db.read() as conn:
        assert [e["url"] for e in await list_traffic(conn)] == ["/new"]
