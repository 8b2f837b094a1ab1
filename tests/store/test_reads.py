"""Listings (``store/reads``) give the same results on the hub's engine and on the driver
directly (the CLI's light path), equal to what SQLAlchemy's typed Core queries give — JSON
decoded, times aware UTC —, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import insert, select, update

from ocpihub.errors import NotFound
from ocpihub.hub.pull_plan import PullConfig, pull_statuses
from ocpihub.hub.traffic_view import filter_listing
from ocpihub.model.outbox import Delivery, Status
from ocpihub.model.parties import (
    ConnectionStatus,
    DeclaredRole,
    Endpoint,
    PlatformStatus,
    TokenEncoding,
)
from ocpihub.store import agreements as agreement_store
from ocpihub.store import outbox as outbox_store
from ocpihub.store import platforms as plat
from ocpihub.store import pulls as pull_store
from ocpihub.store.db import Database
from ocpihub.store.meta import set_meta
from ocpihub.store.reads import Listing
from ocpihub.store.reads import directory as reads
from ocpihub.store.reads.direct import Unavailable, read_direct
from ocpihub.store.reads.meta import meta_value
from ocpihub.store.reads.outbox import item_from_row, outbox_items, outbox_list
from ocpihub.store.reads.pulls import pull_from_row, pull_rows
from ocpihub.store.reads.traffic import TrafficFilter, traffic_entries, traffic_with_names
from ocpihub.store.schema import agreements, outbox, parties, platforms, pulls, traffic

NOW = datetime(2026, 3, 1, 12, 30, 15, 123456, tzinfo=UTC)
CONFIG = PullConfig(
    delta=timedelta(minutes=15), full=None, max_pages=10, max_objects=100, lease=timedelta(1)
)


def _delivery(obj: str, **kw: Any) -> Delivery:
    values: dict[str, Any] = {
        "receiver_platform_id": 2,
        "receiver_party": ("DE", "MSP"),
        "sender_party": ("NL", "CPO"),
        "module": "locations",
        "method": "PUT",
        "url_suffix": f"/NL/CPO/{obj}",
        "ordering_key": f"locations:NL:CPO:{obj}",
        "correlation_id": f"c-{obj}",
        "object_name": "Location",
        "payload": {"id": obj, "n": [1, 2.5, None], "name": "Gare du Nord ü"},
    }
    values.update(kw)
    return Delivery(**values)


async def _populate(db: Database) -> None:
    """Every kind of value the listings read: JSON documents, NULLs, times, floats."""
    async with db.write() as conn:
        cpo = await plat.create_platform(
            conn, "cpo", declared_roles=[DeclaredRole("CPO", "NL", "CPO")]
        )
        msp = await plat.create_platform(conn, "msp", token_encoding=TokenEncoding.PLAIN)
        await plat.update_platform(
            conn,
            cpo.id,
            status=PlatformStatus.REGISTERED,
            version="2.3.0",
            profile={"page_size_cap": 50, "tolerate": ["some_deviation"]},
            rate_limit_per_second=2.5,
            default_time_zone="Europe/Amsterdam",
        )
        details = {"name": "Ünïcode CPO", "website": "https://cpo.example"}
        await plat.upsert_party(
            conn,
            cpo.id,
            country_code="NL",
            party_id="CPO",
            role="CPO",
            status=ConnectionStatus.CONNECTED,
            business_details=details,
        )
        await plat.upsert_party(
            conn,
            msp.id,
            country_code="DE",
            party_id="MSP",
            role="EMSP",
            status=ConnectionStatus.OFFLINE,
        )
        await plat.replace_endpoints(
            conn,
            cpo.id,
            [
                Endpoint("locations", "SENDER", "http://cpo.example/locations"),
                Endpoint("tariffs", "SENDER", "http://cpo.example/tariffs"),
            ],
        )
        await agreement_store.create_agreement(conn, ("NL", "CPO"), ("DE", "MSP"), ["tariffs"])
        await agreement_store.create_agreement(conn, ("NL", "CPO"), ("FR", "XYZ"), None)
        ids = await outbox_store.insert_items(
            conn,
            [_delivery("L_1"), _delivery("L%1"), _delivery("T1", module="tariffs", payload=None)],
            NOW,
        )
        await conn.execute(
            update(outbox)
            .where(outbox.c.id == ids[1])
            .values(
                status=Status.DEAD.value,
                attempts=7,
                last_error="HTTP 503",
                last_http_status=503,
                retry_after_capped=3600.0,
                delivered_at=NOW + timedelta(seconds=1),
                loss_report={"dropped": ["a"]},
            )
        )
        await conn.execute(
            insert(traffic),
            [
                {
                    "at": NOW + timedelta(minutes=i),
                    "direction": "IN" if i % 2 else "OUT",
                    "platform_id": cpo.id if i % 3 else None,
                    "from_party": "NL-CPO",
                    "to_party": "DE-MSP" if i % 2 else None,
                    "module": "locations",
                    "method": "PUT",
                    "url": f"/ocpi/2.3.0/locations/NL/CPO/L{i}",
                    "http_status": 200 if i % 4 else 500,
                    "ocpi_status": 1000 if i % 4 else None,
                    "duration_ms": 1.25 * i,
                    "correlation_id": f"corr-{i % 2}",
                    "error": None if i % 4 else "boom",
                }
                for i in range(8)
            ],
        )
        await pull_store.acquire(
            conn,
            cpo.id,
            "locations",
            owner="o",
            kind="full",
            correlation_id="c",
            now=NOW,
            lease=timedelta(minutes=5),
        )
        progress = pull_store.PullProgress(pages=2, objects=30, stored=29, errors=1, total=30)
        progress.error("one Location refused")
        await set_meta(conn, "some_key", '{"a": 1}')
        await pull_store.finish(
            conn,
            cpo.id,
            "locations",
            owner="o",
            now=NOW + timedelta(seconds=5),
            progress=progress,
            ok=True,
        )


def _traffic(**kw: Any) -> TrafficFilter:
    return TrafficFilter(**kw)


LISTINGS: dict[str, Callable[[], Listing[Any]]] = {
    "platforms": reads.platforms,
    "platform_overview": reads.platform_overview,
    "platform": lambda: reads.platform(1),
    "platform_named": lambda: reads.platform_named("msp"),
    "find_platform": lambda: reads.find_platform("2"),
    "parties": reads.parties,
    "party_list": reads.party_list,
    "endpoints": lambda: reads.endpoints(1),
    "agreements": reads.agreements,
    "agreements_of": lambda: reads.agreements(("DE", "MSP")),
    "agreement_list": reads.agreement_list,
    "outbox": outbox_items,
    "outbox_list": outbox_list,
    "outbox_dead": lambda: outbox_items(status=Status.DEAD),
    "outbox_object": lambda: outbox_items(object_id="L%1"),
    "outbox_filtered": lambda: outbox_items(module="locations", receiver_platform_id=2, limit=1),
    "outbox_after": lambda: outbox_items(after_id=1, ordering_key="locations:NL:CPO:T1"),
    "traffic": lambda: traffic_with_names(_traffic()),
    "traffic_since": lambda: traffic_entries(
        _traffic(since=NOW + timedelta(minutes=2), until=NOW + timedelta(minutes=6))
    ),
    "traffic_party": lambda: traffic_entries(_traffic(party="de-msp", direction="in", limit=2)),
    "traffic_newer": lambda: traffic_entries(_traffic(correlation_id="corr-0").newer_than(2)),
    "traffic_filter": lambda: filter_listing({"platform": "cpo", "status": "200"}),
    "pulls": lambda: pull_rows(NOW),
    "meta": lambda: meta_value("some_key"),
    "pull_statuses": lambda: pull_statuses(1, None, CONFIG, NOW),
}


async def test_direct_reads_match_the_engine(db: Database, database_url: str) -> None:
    """Every listing answers the same on the driver directly as on the hub's engine."""
    await _populate(db)
    for name, make in LISTINGS.items():
        on_engine = await db.read_listing(make())
        direct = await asyncio.to_thread(read_direct, database_url, make())
        assert direct == on_engine, name
        assert on_engine not in ([], None), name  # the data reaches every listing


async def test_listings_match_typed_core_queries(db: Database) -> None:
    """What a listing decodes is what SQLAlchemy's column types give (the shaping functions
    also take rows of Core queries elsewhere in the store)."""
    await _populate(db)
    shaped = {
        platforms: reads.platform_from_row,
        parties: reads.party_from_row,
        agreements: reads.agreement_from_row,
        outbox: item_from_row,
        pulls: lambda row: pull_from_row(row, NOW),
    }
    expected: dict[str, list[Any]] = {}
    async with db.read() as conn:
        for table, shape in shaped.items():
            query = select(table).order_by(*table.primary_key.columns)
            expected[table.name] = [shape(r) for r in (await conn.execute(query)).mappings()]
        rows = (await conn.execute(select(traffic).order_by(traffic.c.id.desc()))).mappings()
        expected["traffic"] = [r["at"] for r in rows]
    assert await db.read_listing(reads.platforms()) == expected["platforms"]
    assert await db.read_listing(reads.parties()) == expected["parties"]
    assert await db.read_listing(reads.agreements()) == expected["agreements"]
    assert await db.read_listing(outbox_items()) == expected["outbox"]
    assert await db.read_listing(pull_rows(NOW)) == expected["pulls"]
    entries = await db.read_listing(traffic_entries(_traffic()))
    assert [e["at"] for e in entries] == [at.isoformat() for at in expected["traffic"]]
    assert expected["platforms"][0].profile.page_size_cap == 50
    assert expected["outbox"][0].delivery.payload == _delivery("L_1").payload


async def test_not_found_comes_through_both_paths(db: Database, database_url: str) -> None:
    """An OCPI error a listing raises (an unknown platform) is raised as it is, directly too."""
    with pytest.raises(NotFound, match="no platform named 'nope'"):
        await db.read_listing(reads.find_platform("nope"))
    with pytest.raises(NotFound, match="no platform named 'nope'"):
        await asyncio.to_thread(read_direct, database_url, reads.find_platform("nope"))


def test_direct_path_refuses_what_it_cannot_read(tmp_path: Any) -> None:
    """No file: Unavailable, and none is made; a file without the current schema: Unavailable."""
    missing = tmp_path / "none.db"
    with pytest.raises(Unavailable):
        read_direct(f"sqlite+aiosqlite:///{missing}", reads.platforms())
    assert not missing.exists()
    empty = tmp_path / "empty.db"
    empty.touch()
    with pytest.raises(Unavailable):
        read_direct(f"sqlite+aiosqlite:///{empty}", reads.platforms())
    with pytest.raises(Unavailable):
        read_direct("mysql://nowhere/db", reads.platforms())
