"""Claims are fair across receivers (issue 16.3), on SQLite and PostgreSQL.

A receiver that is down collects a large backlog of due items (or, while OFFLINE, a paused one);
either way the first claim after another receiver's new pushes must contain them, and a paused
backlog must not even be read: every statement of a claim walks an index, never the outbox.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

from sqlalchemy import event, text

from ocpihub.model.outbox import Status
from ocpihub.model.parties import ConnectionStatus
from ocpihub.outbox.enqueue import enqueue
from ocpihub.store import outbox as store
from ocpihub.store import platforms as plat
from ocpihub.store.db import Database
from tests.store.test_outbox_store import T0, claim, put, receiver

DOWN = ("FR", "DWN")
LIVE = ("DE", "MSP")


async def backlog(db: Database, platform_id: int, count: int, to: tuple[str, str]) -> None:
    """``count`` due items of distinct objects for ``platform_id``, older than anything else."""
    for start in range(0, count, 5000):
        async with db.write() as conn:
            await enqueue(
                conn,
                [put(platform_id, f"B{n}", 1, to) for n in range(start, min(count, start + 5000))],
                now=T0 - timedelta(hours=1),
            )


async def test_a_backlog_due_for_retry_does_not_crowd_out_another_receiver(db: Database) -> None:
    """2,000 older due items of a receiver that is down: the next claim still takes the other
    receiver's new items, and the backlog gets only its own receiver's share."""
    down = await receiver(db, "down", DOWN)
    live = await receiver(db, "live", LIVE)
    await backlog(db, down, 2000, DOWN)
    async with db.write() as conn:
        await enqueue(conn, [put(live, f"L{n}", 1) for n in range(3)], now=T0)

    got = await claim(db, limit=16, room={}, default_room=8)

    per = Counter(i.delivery.receiver_platform_id for i in got)
    assert per[live] == 3
    assert per[down] == 8  # its cap, nothing more
    assert all(i.status is Status.IN_FLIGHT for i in got)


async def test_claims_take_turns_across_receivers(db: Database) -> None:
    """With less room than due work, each receiver gets its turn: the claim takes one item of
    each receiver in turn, not the oldest items of the first one."""
    rids = [await receiver(db, f"r{n}", ("DE", f"M{n}")) for n in range(3)]
    for n, rid in enumerate(rids):  # receiver 0's items are the oldest
        async with db.write() as conn:
            await enqueue(
                conn,
                [put(rid, f"O{k}", 1, ("DE", f"M{n}")) for k in range(10)],
                now=T0 - timedelta(minutes=3 - n),
            )

    got = await claim(db, limit=6, room={}, default_room=10)

    assert Counter(i.delivery.receiver_platform_id for i in got) == {r: 2 for r in rids}
    # each receiver's own items still in their due order
    for rid in rids:
        mine = [i.delivery.url_suffix for i in got if i.delivery.receiver_platform_id == rid]
        assert mine == ["/NL/CPO/O0", "/NL/CPO/O1"]


async def test_order_per_object_holds_within_a_receiver_window(db: Database) -> None:
    """A receiver whose oldest items all belong to one object still gets its other objects'
    heads claimed, and only the head of that object."""
    rid = await receiver(db)
    async with db.write() as conn:
        await enqueue(conn, [put(rid, "SAME", n) for n in range(40)], now=T0 - timedelta(hours=1))
        await enqueue(conn, [put(rid, "OTHER", 0)], now=T0)

    got = await claim(db, limit=4, room={}, default_room=4)

    assert sorted((i.delivery.url_suffix, i.delivery.payload["seq"]) for i in got) == [  # type: ignore[index]
        ("/NL/CPO/OTHER", 0),
        ("/NL/CPO/SAME", 0),
    ]


class Statements:
    """The statements a connection runs, with their parameters (to EXPLAIN them after)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.seen: list[tuple[str, Any]] = []

    def __enter__(self) -> Statements:
        event.listen(self.db.sync_engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *exc: object) -> None:
        event.remove(self.db.sync_engine, "before_cursor_execute", self._record)

    def _record(self, conn: Any, cursor: Any, statement: str, params: Any, *_: Any) -> None:
        if "outbox" in statement and statement.lstrip().upper().startswith("SELECT"):
            self.seen.append((statement, params))

    async def plans(self) -> list[str]:
        """Each recorded SELECT's plan, as text."""
        plans = []
        async with self.db.read() as conn:
            raw = await conn.get_raw_connection()
            for statement, params in self.seen:
                if self.db.is_sqlite:
                    rows = await conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, params)
                    plans.append("\n".join(str(r[-1]) for r in rows))
                else:
                    driver = raw.driver_connection
                    assert driver is not None
                    rows = await driver.fetch("EXPLAIN " + statement, *params)
                    plans.append("\n".join(r[0] for r in rows))
        return plans


async def test_a_paused_backlog_is_not_read(db: Database) -> None:
    """20,000 items of an OFFLINE receiver: the claim finds the other receiver's items with
    index searches only; no statement scans the outbox (SQLite and PostgreSQL plans)."""
    paused = await receiver(db, "offline", DOWN)
    live = await receiver(db, "live", LIVE)
    await backlog(db, paused, 20_000, DOWN)
    async with db.write() as conn:
        await enqueue(conn, [put(live, f"L{n}", 1) for n in range(3)], now=T0)
        await plat.upsert_party(
            conn,
            paused,
            country_code=DOWN[0],
            party_id=DOWN[1],
            role="EMSP",
            status=ConnectionStatus.OFFLINE,
        )
        await store.analyze(conn)

    with Statements(db) as statements:
        got = await claim(db, limit=16, room={}, default_room=8)

    assert sorted(i.delivery.url_suffix for i in got) == [f"/NL/CPO/L{n}" for n in range(3)]
    plans = await statements.plans()
    assert plans
    for statement, plan in zip(statements.seen, plans, strict=True):
        assert "Seq Scan on outbox" not in plan, (statement, plan)
        scans = [line for line in plan.splitlines() if line.startswith("SCAN") and "outbox" in line]
        assert not scans, (statement[0], plan)
    # the paused receiver's items were never named to the database
    async with db.read() as conn:
        count = (
            await conn.execute(
                text("SELECT count(*) FROM outbox WHERE status = 'IN_FLIGHT'"),
            )
        ).scalar_one()
    assert count == 3
