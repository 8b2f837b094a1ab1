"""Partner-health aggregates and traffic filters, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import insert

from ocpihub.hub.overview import partner_health
from ocpihub.model.outbox import Status
from ocpihub.outbox.enqueue import Delivery, enqueue
from ocpihub.store import health
from ocpihub.store import outbox as outbox_store
from ocpihub.store import platforms as plat
from ocpihub.store.db import Database
from ocpihub.store.schema import traffic
from ocpihub.store.traffic_query import TrafficFilter, query_traffic

# half past an hour that is over: items queued by the test itself are newer
NOW = (datetime.now(UTC) - timedelta(hours=1)).replace(minute=30, second=0, microsecond=0)


def row(platform_id: int, at: datetime, direction: str = "IN", **kw: object) -> dict[str, object]:
    """A traffic row: a successful exchange unless overridden."""
    values: dict[str, object] = {
        "at": at,
        "direction": direction,
        "platform_id": platform_id,
        "method": "PUT",
        "url": "/ocpi/2.3.0/locations/NL/ALF/L1",
        "module": "locations",
        "http_status": 200,
        "ocpi_status": 1000,
        "duration_ms": 1.0,
        "from_party": "NL-ALF",
        "to_party": "DE-MSP",
    }
    values.update(kw)
    return values


def delivery(platform_id: int, obj: str) -> Delivery:
    """One Location PUT for platform ``platform_id``."""
    return Delivery(
        receiver_platform_id=platform_id,
        receiver_party=("DE", "MSP"),
        sender_party=("NL", "ALF"),
        module="locations",
        method="PUT",
        url_suffix=f"/NL/ALF/{obj}",
        ordering_key=f"locations:NL:ALF:{obj}",
        correlation_id=f"c-{obj}",
    )


async def test_aggregates(db: Database) -> None:
    """Queues per receiver, last success per direction, failures in the last hour, hourly."""
    async with db.write() as conn:
        p = await plat.create_platform(conn, "msp")
        await conn.execute(
            insert(traffic),
            [
                row(p.id, NOW - timedelta(hours=3)),
                row(p.id, NOW - timedelta(minutes=20), "OUT"),
                row(p.id, NOW - timedelta(minutes=10), "OUT", http_status=503),
                row(p.id, NOW - timedelta(minutes=5), "OUT", ocpi_status=2001),
                row(p.id, NOW - timedelta(minutes=1), "OUT", http_status=None, error="timeout"),
            ],
        )
        ids = await enqueue(conn, [delivery(p.id, "A"), delivery(p.id, "B"), delivery(p.id, "C")])
    async with db.write() as conn:
        await conn.execute(
            outbox_store.outbox.update()
            .where(outbox_store.outbox.c.id == ids[0])
            .values(status="DEAD", created_at=NOW - timedelta(hours=2))
        )
        await conn.execute(
            outbox_store.outbox.update()
            .where(outbox_store.outbox.c.id == ids[1])
            .values(created_at=NOW - timedelta(minutes=7))
        )
    async with db.read() as conn:
        queues = await health.receiver_queues(conn)
        last = await health.last_success(conn)
        recent = await health.exchange_counts(conn, NOW - timedelta(hours=1))
        hourly = await health.hourly_exchanges(conn, NOW - timedelta(hours=24))
    assert queues[p.id].counts == {"DEAD": 1, "PENDING": 2}
    assert queues[p.id].oldest_open == NOW - timedelta(minutes=7)
    assert last == {
        (p.id, "IN"): NOW - timedelta(hours=3),
        (p.id, "OUT"): NOW - timedelta(minutes=20),
    }
    assert recent == {p.id: (4, 3)}
    hour = NOW.replace(minute=0)
    assert hourly[p.id] == {hour: (1, 3), hour - timedelta(hours=3): (1, 0)}

    (found,) = await partner_health(db, now=NOW)
    assert (found.pending, found.dead, found.failures_hour) == (2, 1, 3)
    assert found.lag_seconds == 7 * 60
    assert found.hourly[-1] == (hour, 1, 3) and len(found.hourly) == 24


async def test_traffic_filters(db: Database) -> None:
    """Every filter narrows; party matches either end; after_id reads oldest first."""
    async with db.write() as conn:
        p = await plat.create_platform(conn, "cpo")
        await conn.execute(
            insert(traffic),
            [
                row(p.id, NOW - timedelta(minutes=3), request_id="r1", correlation_id="c1"),
                row(
                    p.id,
                    NOW - timedelta(minutes=2),
                    "OUT",
                    request_id="r2",
                    correlation_id="c1",
                    from_party="NL-HUB",
                    to_party="NL-ALF",
                    module="tokens",
                    http_status=404,
                    ocpi_status=2003,
                ),
                row(p.id + 1, NOW - timedelta(minutes=1), request_id="r3", correlation_id="c2"),
            ],
        )

    async def ids(**kw: object) -> list[str]:
        async with db.read() as conn:
            found = await query_traffic(conn, TrafficFilter(**kw))  # type: ignore[arg-type]
        return [e["request_id"] for e in found]

    assert await ids() == ["r3", "r2", "r1"]
    assert await ids(platform_id=p.id) == ["r2", "r1"]
    assert await ids(party="nl-alf") == ["r3", "r2", "r1"]
    assert await ids(party="DE-MSP") == ["r3", "r1"]
    assert await ids(module="tokens") == ["r2"]
    assert await ids(direction="out") == ["r2"]
    assert await ids(http_status=404, ocpi_status=2003) == ["r2"]
    assert await ids(request_id="r1") == ["r1"]
    assert await ids(correlation_id="c1") == ["r2", "r1"]
    assert await ids(since=NOW - timedelta(minutes=2)) == ["r3", "r2"]
    assert await ids(until=NOW - timedelta(minutes=2)) == ["r1"]
    assert await ids(correlation_id="c1", oldest_first=True) == ["r1", "r2"]
    async with db.read() as conn:
        first = (await query_traffic(conn, TrafficFilter(request_id="r1")))[0]
        newer = await query_traffic(conn, TrafficFilter().newer_than(first["id"]))
    assert [e["request_id"] for e in newer] == ["r2", "r3"]


async def test_outbox_filters_and_retry_dead_of_one_receiver(db: Database) -> None:
    """Items filtered by module and object (``_`` and ``%`` match themselves); "retry all
    dead" limited to one receiver leaves the others' dead items alone."""
    async with db.write() as conn:
        one = await plat.create_platform(conn, "one")
        two = await plat.create_platform(conn, "two")
        ids = await enqueue(
            conn,
            [delivery(one.id, "L_1"), delivery(one.id, "LX1"), delivery(two.id, "L_1")],
        )
        await conn.execute(outbox_store.outbox.update().values(status="DEAD"))
    async with db.read() as conn:
        found = await outbox_store.list_items(conn, object_id="L_1", module="locations")
        none = await outbox_store.list_items(conn, module="tariffs")
    assert [i.id for i in found] == [ids[0], ids[2]]
    assert none == []
    async with db.write() as conn:
        retried = await outbox_store.retry_items(
            conn, NOW, all_dead=True, receiver_platform_id=one.id
        )
    assert retried == ids[:2]
    async with db.read() as conn:
        dead = await outbox_store.list_items(conn, status=Status.DEAD)
    assert [i.id for i in dead] == [ids[2]]
