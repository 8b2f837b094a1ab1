"""The outbox store on SQLite and PostgreSQL: queue order, claims, leases, pauses, retries."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete

from ocpihub.model.outbox import Status
from ocpihub.model.parties import ConnectionStatus, PlatformStatus
from ocpihub.outbox.enqueue import Delivery, enqueue, ordering_key
from ocpihub.store import outbox as store
from ocpihub.store import outbox_claims
from ocpihub.store import platforms as plat
from ocpihub.store.db import Database
from ocpihub.store.schema import outbox

T0 = datetime(2030, 1, 1, tzinfo=UTC)


async def receiver(db: Database, name: str = "emsp", party: tuple[str, str] = ("DE", "MSP")) -> int:
    async with db.write() as conn:
        p = await plat.create_platform(conn, name)
        await plat.update_platform(
            conn, p.id, status=PlatformStatus.REGISTERED, version="2.3.0", outbound_token="t"
        )
        await plat.upsert_party(
            conn,
            p.id,
            country_code=party[0],
            party_id=party[1],
            role="EMSP",
            status=ConnectionStatus.CONNECTED,
        )
        return p.id


def put(platform_id: int, obj: str, seq: int, to: tuple[str, str] = ("DE", "MSP")) -> Delivery:
    return Delivery(
        receiver_platform_id=platform_id,
        receiver_party=to,
        sender_party=("NL", "CPO"),
        module="locations",
        method="PUT",
        url_suffix=f"/NL/CPO/{obj}",
        ordering_key=ordering_key("locations", "NL", "CPO", obj),
        correlation_id=f"c-{obj}-{seq}",
        object_name="Location",
        payload={"id": obj, "seq": seq},
    )


async def claim(db: Database, worker: str = "w1", now: datetime = T0, **kw: object):
    args: dict = {"lease": 30.0, "limit": 50, "room": {}, "default_room": 50}
    args.update(kw)
    async with db.write() as conn:
        return await outbox_claims.claim(conn, worker_id=worker, now=now, **args)


async def done(db: Database, item_id: int, worker: str = "w1", now: datetime = T0) -> bool:
    async with db.write() as conn:
        return await store.finish(conn, item_id, worker, status=Status.DONE, now=now)


async def test_ids_follow_the_given_order(db: Database) -> None:
    """Enqueued items get growing ids in the order given: the queue order of each object."""
    rid = await receiver(db)
    async with db.write() as conn:
        ids = await enqueue(conn, [put(rid, "L1", i) for i in range(30)], now=T0)
        items = await store.list_items(conn, limit=100)

    assert ids == sorted(ids)
    assert [i.delivery.payload["seq"] for i in items] == list(range(30))  # type: ignore[index]


async def test_each_id_returned_is_the_item_given_at_its_place(db: Database) -> None:
    """The ids ``enqueue`` returns name the items in the order given, whether the table is
    empty, holds older items, or had its newest items removed (SQLite: one executemany, the
    ids read back)."""
    rid = await receiver(db)
    given: dict[int, int] = {}
    async with db.write() as conn:
        for start in (0, 10):
            ids = await enqueue(conn, [put(rid, f"L{n}", start + n) for n in range(10)], now=T0)
            given.update(zip(ids, range(start, start + 10), strict=True))
        await conn.execute(delete(outbox).where(outbox.c.id.in_(ids[-3:])))
        for n in ids[-3:]:
            del given[n]
        ids = await enqueue(conn, [put(rid, f"M{n}", 100 + n) for n in range(5)], now=T0)
        given.update(zip(ids, range(100, 105), strict=True))
        items = await store.list_items(conn, limit=100)
    stored = {i.id: i.delivery.payload["seq"] for i in items}  # type: ignore[index]
    assert stored == given


async def test_rolled_back_transaction_queues_nothing(db: Database) -> None:
    """Deliveries live and die with the transaction of the object that implies them."""
    rid = await receiver(db)
    with pytest.raises(RuntimeError):
        async with db.write() as conn:
            await enqueue(conn, [put(rid, "L1", 1)], now=T0)
            raise RuntimeError("the object could not be stored")
    async with db.read() as conn:
        assert await store.list_items(conn) == []


async def test_one_item_per_object_in_flight_in_order(db: Database) -> None:
    """Only the head of each object's queue is claimable; the next one after it is done."""
    rid = await receiver(db)
    async with db.write() as conn:
        await enqueue(conn, [put(rid, "A", 1), put(rid, "B", 1), put(rid, "A", 2)], now=T0)

    first = await claim(db)
    assert [(i.delivery.url_suffix, i.delivery.payload["seq"]) for i in first] == [  # type: ignore[index]
        ("/NL/CPO/A", 1),
        ("/NL/CPO/B", 1),
    ]
    assert all(i.attempts == 1 and i.status is Status.IN_FLIGHT for i in first)
    assert await claim(db) == []

    assert await done(db, first[0].id)
    second = await claim(db)
    assert [i.delivery.payload["seq"] for i in second] == [2]  # type: ignore[index]


async def test_expired_lease_is_claimed_again(db: Database) -> None:
    """A claim whose process died is claimed again once its lease ran out; the old one loses."""
    rid = await receiver(db)
    async with db.write() as conn:
        await enqueue(conn, [put(rid, "A", 1)], now=T0)
    [held] = await claim(db, "dead-process", lease=5.0)

    assert await claim(db, "w2", now=T0 + timedelta(seconds=4)) == []
    [again] = await claim(db, "w2", now=T0 + timedelta(seconds=6))

    assert again.id == held.id
    assert again.attempts == 2
    assert not await done(db, held.id, "dead-process")
    assert await done(db, again.id, "w2")


async def test_offline_and_suspended_receivers_wait(db: Database) -> None:
    """Items for an OFFLINE or SUSPENDED party are not claimed until it is CONNECTED again."""
    rid = await receiver(db)
    async with db.write() as conn:
        await enqueue(conn, [put(rid, "A", 1)], now=T0)
    for status in (ConnectionStatus.OFFLINE, ConnectionStatus.SUSPENDED):
        async with db.write() as conn:
            await plat.upsert_party(
                conn, rid, country_code="DE", party_id="MSP", role="EMSP", status=status
            )
        assert await claim(db) == []
    async with db.write() as conn:
        await plat.upsert_party(
            conn,
            rid,
            country_code="DE",
            party_id="MSP",
            role="EMSP",
            status=ConnectionStatus.CONNECTED,
        )

    assert len(await claim(db)) == 1


async def test_unregistered_receiver_waits(db: Database) -> None:
    """Items for a platform that is not REGISTERED wait."""
    rid = await receiver(db)
    async with db.write() as conn:
        await enqueue(conn, [put(rid, "A", 1)], now=T0)
        await plat.update_platform(conn, rid, status=PlatformStatus.UNREGISTERED)

    assert await claim(db) == []


async def test_receiver_room_caps_claims(db: Database) -> None:
    """A receiver without room gets nothing; others still do."""
    busy = await receiver(db, "busy", ("DE", "AAA"))
    idle = await receiver(db, "idle", ("DE", "BBB"))
    async with db.write() as conn:
        await enqueue(
            conn,
            [put(busy, f"O{i}", 1, ("DE", "AAA")) for i in range(5)]
            + [put(idle, f"O{i}", 1, ("DE", "BBB")) for i in range(5)],
            now=T0,
        )

    got = await claim(db, room={busy: 0, idle: 2}, default_room=9)

    assert [i.delivery.receiver_platform_id for i in got] == [idle, idle]


async def test_retry_wait_and_dead_items(db: Database) -> None:
    """A RETRY item is due at next_attempt_at; a DEAD one no longer holds its queue back."""
    rid = await receiver(db)
    async with db.write() as conn:
        await enqueue(conn, [put(rid, "A", 1), put(rid, "A", 2)], now=T0)
    [first] = await claim(db)
    async with db.write() as conn:
        await store.finish(
            conn,
            first.id,
            "w1",
            status=Status.RETRY,
            now=T0,
            next_attempt_at=T0 + timedelta(seconds=10),
            error="HTTP 503",
        )
    assert await claim(db, now=T0 + timedelta(seconds=9)) == []
    [again] = await claim(db, now=T0 + timedelta(seconds=10))
    async with db.write() as conn:
        await store.finish(conn, again.id, "w1", status=Status.DEAD, now=T0, error="2001")

    [second] = await claim(db, now=T0 + timedelta(seconds=10))
    assert second.delivery.payload["seq"] == 2  # type: ignore[index]


async def test_operator_retry_requeues_dead_with_fresh_budget(db: Database) -> None:
    """retry_items puts DEAD items back, due now, attempts reset; IN_FLIGHT ones are left."""
    rid = await receiver(db)
    async with db.write() as conn:
        await enqueue(conn, [put(rid, "A", 1), put(rid, "B", 1)], now=T0)
    a, b = await claim(db)
    async with db.write() as conn:
        await store.finish(conn, a.id, "w1", status=Status.DEAD, now=T0, error="refused")
        later = T0 + timedelta(hours=1)
        assert await store.retry_items(conn, later, all_dead=True) == [a.id]
        assert await store.retry_items(conn, later, item_ids=[b.id]) == []
        item = await store.get_item(conn, a.id)

    assert item is not None
    assert (item.status, item.attempts, item.window_start) == (Status.PENDING, 0, later)


async def test_prune_done(db: Database) -> None:
    """Delivered items older than the retention are removed; others stay."""
    rid = await receiver(db)
    async with db.write() as conn:
        await enqueue(conn, [put(rid, "A", 1), put(rid, "B", 1)], now=T0)
    a, _ = await claim(db)
    await done(db, a.id)
    async with db.write() as conn:
        assert await store.prune_done(conn, T0 + timedelta(seconds=1), limit=100) == 1
        assert await store.count_by_status(conn) == {"IN_FLIGHT": 1}


async def test_concurrent_claims_never_share_an_item(db: Database) -> None:
    """Claims running at once (SKIP LOCKED on PostgreSQL) hand out each item at most once."""
    rid = await receiver(db)
    async with db.write() as conn:
        await enqueue(conn, [put(rid, f"O{i % 20}", i) for i in range(100)], now=T0)

    seen: list[int] = []
    for _ in range(6):
        batches = await asyncio.gather(*(claim(db, f"w{n}", limit=7) for n in range(4)))
        claimed = [i for batch in batches for i in batch]
        keys = [i.delivery.ordering_key for i in claimed]
        assert len(keys) == len(set(keys))
        seen.extend(i.id for i in claimed)
        for item in claimed:
            assert await done(db, item.id, item.claimed_by or "")

    assert len(seen) == len(set(seen))
    assert len(seen) > 20


async def test_finish_many_records_each_outcome_and_skips_lost_claims(db: Database) -> None:
    """One transaction records plain successes together and the rest one by one; an item
    whose claim another worker took is left alone and not reported as kept."""
    rid = await receiver(db)
    async with db.write() as conn:
        await enqueue(conn, [put(rid, f"L{n}", 1) for n in range(5)], now=T0)
    items = await claim(db)
    ok1, ok2, retry, dead, lost = (i.id for i in items)
    later = T0 + timedelta(seconds=3)
    outcomes = [
        store.Finished(ok1, Status.DONE, T0, http_status=200, ocpi_status=1000),
        store.Finished(ok2, Status.DONE, later, http_status=200, ocpi_status=1000),
        store.Finished(
            retry, Status.RETRY, T0, next_attempt_at=later, error="HTTP 503", http_status=503
        ),
        store.Finished(
            dead,
            Status.DEAD,
            T0,
            error="2001",
            http_status=200,
            ocpi_status=2001,
            loss_report=[{"field": "x"}],
        ),
        store.Finished(lost, Status.DONE, T0, http_status=200, ocpi_status=1000),
    ]
    async with db.write() as conn:
        await store.release(conn, [lost], "w1", T0, "taken back")
    async with db.write() as conn:
        kept = await store.finish_many(conn, "w1", outcomes)

    assert kept == {ok1, ok2, retry, dead}
    async with db.read() as conn:
        got = {i: await store.get_item(conn, i) for i in (ok1, ok2, retry, dead, lost)}
    assert got[ok1] is not None and got[ok1].status is Status.DONE
    assert got[ok2] is not None and got[ok2].status is Status.DONE
    assert got[ok1].delivered_at == later  # stamped with the latest time of the group
    assert got[ok1].last_http_status == 200 and got[ok1].last_ocpi_status == 1000
    assert got[retry] is not None and got[retry].status is Status.RETRY
    assert got[retry].next_attempt_at == later and got[retry].last_error == "HTTP 503"
    assert got[dead] is not None and got[dead].status is Status.DEAD
    assert got[dead].loss_report == [{"field": "x"}]
    assert got[lost] is not None and got[lost].status is Status.RETRY


async def test_a_paused_backlog_older_than_everything_does_not_hide_other_work(
    db: Database,
) -> None:
    """The claim looks at the oldest due items first; when those are all held back (a paused
    receiver's backlog, the tail of one busy queue), it still finds the claimable ones."""
    paused = await receiver(db, "offline", ("FR", "OFF"))
    busy = await receiver(db, "busy", ("BE", "BSY"))
    live = await receiver(db, "live", ("DE", "MSP"))
    async with db.write() as conn:
        await enqueue(conn, [put(paused, f"P{n}", 1, ("FR", "OFF")) for n in range(20)], now=T0)
        await enqueue(conn, [put(busy, "SAME", n, ("BE", "BSY")) for n in range(20)], now=T0)
        await enqueue(conn, [put(live, "L1", 1), put(live, "L2", 1)], now=T0)
        await plat.upsert_party(
            conn,
            paused,
            country_code="FR",
            party_id="OFF",
            role="EMSP",
            status=ConnectionStatus.OFFLINE,
        )

    got = await claim(db, limit=3)  # a window of 12 oldest items: all paused
    assert sorted(i.delivery.url_suffix for i in got) == [
        "/NL/CPO/L1",
        "/NL/CPO/L2",
        "/NL/CPO/SAME",
    ]
    assert [i.delivery.payload["seq"] for i in got if i.delivery.url_suffix.endswith("SAME")] == [  # type: ignore[index]
        0
    ]
