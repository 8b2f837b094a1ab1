"""The CDR reconciliation reads and verdicts on SQLite and PostgreSQL: every delivery state,
mailbox and cdr_token addressing, pruned receipts, paging, and the range and party filters."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import update

from ocpihub.hub.cdr_reconciliation import (
    CdrState,
    ReportFilter,
    judge,
    reconcile_cdrs,
    to_csv,
)
from ocpihub.hub.sessions import mailbox_key, mailbox_module
from ocpihub.model.outbox import ordering_key
from ocpihub.outbox.enqueue import Delivery, enqueue
from ocpihub.store import platforms as plat
from ocpihub.store.cdr_traces import cdr_traces
from ocpihub.store.db import Database
from ocpihub.store.objects import ObjectKey, put_object
from ocpihub.store.schema import objects, outbox

NOW = datetime.now(UTC).replace(microsecond=0)
TODAY = NOW.date()
WEEK = timedelta(days=7)
CPO = ("NL", "ALF")
MSP = ("DE", "MSP")


def cdr(cdr_id: str, token_party: tuple[str, str]) -> dict[str, Any]:
    """A canonical CDR document, as far as the report reads it."""
    return {
        "country_code": CPO[0],
        "party_id": CPO[1],
        "id": cdr_id,
        "cdr_token": {"country_code": token_party[0], "party_id": token_party[1], "uid": "U1"},
        "last_updated": "2026-01-01T00:00:00Z",
    }


async def store_cdr(
    db: Database,
    cdr_id: str,
    *,
    owner: tuple[str, str] = CPO,
    to: tuple[str, str] | None = MSP,
    token_party: tuple[str, str] = MSP,
    receiver: int | None = None,
    received_at: datetime | None = None,
) -> int | None:
    """Store a CDR as the hub does: the CDR, its mailbox copy for ``to`` (None: none), and a
    delivery to ``receiver``'s ``to`` (None: none); the outbox item id."""
    document = dict(cdr(cdr_id, token_party), country_code=owner[0], party_id=owner[1])
    at = datetime(2026, 1, 1, tzinfo=UTC)
    item = None
    async with db.write() as conn:
        await put_object(
            conn,
            ObjectKey.of("cdrs", *owner, cdr_id),
            document=document,
            last_updated=at,
            source_version="2.3.0",
        )
        if to is not None:
            await put_object(
                conn,
                ObjectKey.of(mailbox_module("cdrs"), *to, cdr_id, mailbox_key(owner)),
                document=document,
                last_updated=at,
                source_version="2.3.0",
            )
        if to is not None and receiver is not None:
            (item,) = await enqueue(
                conn,
                [
                    Delivery(
                        receiver_platform_id=receiver,
                        receiver_party=to,
                        sender_party=owner,
                        module="cdrs",
                        method="POST",
                        url_suffix="",
                        ordering_key=ordering_key("cdrs", *owner, cdr_id),
                        correlation_id=f"c-{cdr_id}",
                        object_name="CDR",
                        payload=document,
                    )
                ],
            )
        # one instant for every CDR of a test unless given: no day boundary between them
        await conn.execute(
            update(objects)
            .where(objects.c.module == "cdrs", objects.c.object_id == cdr_id)
            .where(objects.c.country_code == owner[0])
            .values(created_at=received_at or NOW)
        )
    return item


async def set_item(db: Database, item_id: int | None, **values: Any) -> None:
    """Put an outbox item in the state a delivery attempt would have left it in."""
    async with db.write() as conn:
        await conn.execute(update(outbox).where(outbox.c.id == item_id).values(**values))


async def scene(db: Database) -> dict[str, int | None]:
    """One CDR in each state, plus look-alikes the report must keep apart."""
    async with db.write() as conn:
        msp = (await plat.create_platform(conn, "msp")).id
        gone = (await plat.create_platform(conn, "gone")).id
    items = {}
    for name in ("DONE1", "REFUSED1", "DEAD1", "RETRY1", "PENDING1", "GONE1", "cs-done"):
        items[name] = await store_cdr(db, name, receiver=gone if name == "GONE1" else msp)
    items["NOTQ1"] = await store_cdr(db, "NOTQ1", to=None, token_party=("FR", "TOK"))
    items["OLD1"] = await store_cdr(db, "OLD1", received_at=NOW - 2 * WEEK)  # pruned receipt
    items["NEW1"] = await store_cdr(db, "NEW1")  # mailbox, no item, too recent to be pruned
    items["OTHER"] = await store_cdr(db, "DONE1", owner=("BE", "BBB"), receiver=msp)
    items["EARLY"] = await store_cdr(db, "EARLY", receiver=msp, received_at=NOW - 40 * WEEK)
    done = {"status": "DONE", "last_http_status": 200, "last_ocpi_status": 1000}
    for name in ("DONE1", "cs-done", "OTHER", "EARLY"):
        await set_item(db, items[name], delivered_at=NOW, **done)
    await set_item(
        db,
        items["REFUSED1"],
        status="DEAD",
        attempts=1,
        last_http_status=200,
        last_ocpi_status=2001,
        last_error="receiver refused: HTTP 200 OCPI 2001: bad tariff",
    )
    await set_item(
        db,
        items["DEAD1"],
        status="DEAD",
        attempts=3,
        last_http_status=500,
        last_error="gave up after 3 attempts; last: HTTP 500",
    )
    await set_item(db, items["RETRY1"], status="RETRY", attempts=1, last_error="timeout")
    async with db.write() as conn:
        await plat.delete_platform(conn, gone)  # its item stays, receiver NULL
    await set_item(db, items["GONE1"], status="DEAD", last_error="receiver platform removed")
    return items


async def test_traces_page_in_receipt_order_with_their_deliveries(db: Database) -> None:
    """Pages of CDR traces follow receipt order; each carries its addressee, its token
    party and its own deliveries, never those of another CPO's CDR with the same id."""
    items = await scene(db)
    seen = []
    after = None
    while True:
        async with db.read() as conn:
            page = await cdr_traces(
                conn, since=NOW - 3 * WEEK, until=NOW + WEEK, after=after, limit=3
            )
        seen.extend(page)
        if len(page) < 3:
            break
        after = (page[-1].received_at, page[-1].key)
    ids = [(t.cpo, t.cdr_id) for t in seen]
    assert len(ids) == len(set(ids)) == 11  # EARLY is outside the range
    assert ids[0] == (CPO, "OLD1")
    by_id = {(t.cpo, t.cdr_id): t for t in seen}
    ours, theirs = by_id[(CPO, "DONE1")], by_id[(("BE", "BBB"), "DONE1")]
    assert [d.id for d in ours.deliveries] == [items["DONE1"]]
    assert [d.id for d in theirs.deliveries] == [items["OTHER"]]
    assert ours.deliveries[0].receiver_party == MSP and ours.addressee is None  # not needed
    assert by_id[(CPO, "NEW1")].addressee == MSP and by_id[(CPO, "OLD1")].addressee == MSP
    notq = by_id[(CPO, "NOTQ1")]
    assert (notq.addressee, notq.token_party, notq.deliveries) == (None, ("FR", "TOK"), ())
    assert by_id[(CPO, "GONE1")].deliveries[0].receiver_platform_id is None
    async with db.read() as conn:
        only_be = await cdr_traces(conn, since=NOW - 3 * WEEK, until=NOW + WEEK, cpo=("BE", "BBB"))
    assert [t.cdr_id for t in only_be] == ["DONE1"]


async def test_report_counts_and_lists_every_state(db: Database) -> None:
    """Per pair and day: received, delivered (one by a pruned receipt) and each missing state;
    the missing list names every undelivered CDR with its last error."""
    await scene(db)
    f = ReportFilter(first_day=TODAY - timedelta(days=20), last_day=TODAY)
    report = await reconcile_cdrs(db, f, done_retention=WEEK)
    rows = {(r["day"], r["cpo"], r["emsp"]): r for r in (d.as_json() for d in report.days)}
    today = rows[(TODAY.isoformat(), "NL-ALF", "DE-MSP")]
    assert today == {
        "day": TODAY.isoformat(),
        "cpo": "NL-ALF",
        "emsp": "DE-MSP",
        "received": 8,
        "delivered": 2,
        "missing": 6,
        "pending": 1,
        "retrying": 1,
        "dead": 2,
        "refused": 1,
        "not_queued": 1,
        "delivered_pruned": 0,
    }
    old = rows[((NOW - 2 * WEEK).date().isoformat(), "NL-ALF", "DE-MSP")]
    assert (old["received"], old["delivered"], old["delivered_pruned"]) == (1, 1, 1)
    assert rows[(TODAY.isoformat(), "NL-ALF", "FR-TOK")]["not_queued"] == 1
    assert rows[(TODAY.isoformat(), "BE-BBB", "DE-MSP")]["delivered"] == 1
    missing = {m["cdr_id"]: m for m in (x.as_json() for x in report.missing)}
    assert {k: v["state"] for k, v in missing.items()} == {
        "REFUSED1": "refused",
        "DEAD1": "dead",
        "RETRY1": "retrying",
        "PENDING1": "pending",
        "GONE1": "dead",
        "NOTQ1": "not_queued",
        "NEW1": "not_queued",
    }
    assert missing["REFUSED1"]["last_error"].endswith("bad tariff")
    assert missing["REFUSED1"]["last_ocpi_status"] == 2001
    assert missing["GONE1"]["receiver_removed"] is True
    assert missing["NOTQ1"]["emsp"] == "FR-TOK" and missing["NOTQ1"]["outbox_id"] is None
    assert report.totals()["missing"] == report.missing_total == 7


async def test_report_filters_by_party_day_and_limit(db: Database) -> None:
    """--cpo, --emsp and the day range narrow the counts; the list stops at the limit and
    says so; the CSVs carry the same figures."""
    await scene(db)
    f = ReportFilter(first_day=TODAY, last_day=TODAY, emsp=MSP, cpo=CPO, limit=2)
    report = await reconcile_cdrs(db, f, done_retention=WEEK)
    assert [(d.cpo, d.emsp, d.received) for d in report.days] == [(CPO, MSP, 8)]
    assert (len(report.missing), report.missing_total, report.truncated) == (2, 6, True)
    days_csv = to_csv(report, "days").splitlines()
    assert days_csv[0].startswith("day,cpo,emsp,received,delivered,missing")
    assert days_csv[1].startswith(f"{TODAY.isoformat()},NL-ALF,DE-MSP,8,2,6")
    assert len(to_csv(report).splitlines()) == 3
    far = ReportFilter(first_day=date(2020, 1, 1), last_day=date(2020, 1, 2))
    assert (await reconcile_cdrs(db, far, done_retention=WEEK)).days == []


async def test_judge_is_pure_about_pruned_receipts(db: Database) -> None:
    """A queued CDR without an item counts as delivered only once the retention could have
    pruned it; before that it is reported as never queued."""
    await store_cdr(db, "X1")
    async with db.read() as conn:
        (trace,) = await cdr_traces(conn, since=NOW - WEEK, until=NOW + WEEK)
    assert judge(trace, now=NOW, retention=WEEK).state is CdrState.NOT_QUEUED
    later = judge(trace, now=trace.received_at + WEEK + timedelta(seconds=1), retention=WEEK)
    assert (later.state, later.pruned, later.emsp) == (CdrState.DELIVERED, True, MSP)
