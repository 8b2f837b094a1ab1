"""GET all's fast path gives what the decoding path gave: same objects, versions, totals, links.

``list_page_json`` + ``egress_json`` hand stored JSON text to the response without decoding it
where they can; every object must still come out exactly as ``get_object`` + ``egress`` show
it, for every (stored version, caller version) pair, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import pytest
from sqlalchemy import text

from ocpihub.inbound.handlers._objects import egress, egress_json, list_response
from ocpihub.inbound.responses import ocpi_response
from ocpihub.ocpi.fields import dump, parse
from ocpihub.ocpi.pagination import PageRequest, page_headers, parse_page_request
from ocpihub.ocpi.registry import model
from ocpihub.store import objects as obj
from ocpihub.store.db import Database
from ocpihub.store.schema import objects
from ocpihub.translate import PRIVATE_KEY, TranslationContext, to_canonical
from tests.examples import load_example
from tests.unit.translate.test_v2_1_1_locations import location_211

VERSIONS = ("2.1.1", "2.2.1", "2.3.0")
OWNER = ("NL", "ALF")
T0 = datetime(2024, 5, 1, tzinfo=UTC)


def _wire(version: str, object_id: str) -> dict[str, Any]:
    if version == "2.1.1":
        # no time_zone: the canonical document keeps that under the hub-private key
        body = location_211(id=object_id)
        assert "time_zone" not in body
        return body
    body = load_example(version, "location_example_uc2_destination_charger.json")
    body.update(id=object_id, country_code=OWNER[0], party_id=OWNER[1])
    body["x_extension"] = {"kept": ["as", "sent"], "n": 1.5}
    return dump(parse(model(version, "Location"), body))


async def _store(db: Database) -> dict[str, dict[str, Any]]:
    """A Location pushed whole in each version, and one whose original a PATCH dropped."""
    ctx = TranslationContext(
        country_code=OWNER[0], party_id=OWNER[1], now=T0, time_zone="Europe/Amsterdam"
    )
    originals: dict[str, dict[str, Any]] = {}
    async with db.write() as conn:
        for n, (version, keep) in enumerate(
            [("2.3.0", True), ("2.2.1", True), ("2.1.1", True), ("2.3.0", False)]
        ):
            object_id = f"L{n}"
            wire = _wire(version, object_id)
            document = to_canonical(version, "Location", copy.deepcopy(wire), ctx)
            await obj.put_object(
                conn,
                obj.ObjectKey.of("locations", *OWNER, object_id),
                document=document,
                last_updated=T0 + timedelta(hours=n),
                source_version=version,
                original=wire if keep else None,
            )
            originals[object_id] = wire
    return originals


async def test_every_version_pair_matches_the_decoding_path(db: Database) -> None:
    """Exact originals are spliced verbatim; the rest is the translated document, never with
    the hub-private key; all of it equal to what get_object + egress give."""
    originals = await _store(db)
    for version in VERSIONS:
        async with db.read() as conn:
            items, total, more = await obj.list_page_json(
                conn, "locations", PageRequest(0, 100), version=version, owners=[OWNER]
            )
            stored = {
                i.seq: await obj.get_object(conn, obj.ObjectKey.of("locations", *OWNER, f"L{n}"))
                for n, i in enumerate(items)
            }
        assert (len(items), total, more) == (4, 4, False)
        for n, item in enumerate(items):
            old = stored[item.seq]
            assert old is not None and old.seq == item.seq
            source, kept = old.source_version, old.original is not None
            assert item.exact == (kept and source == version), (version, n)
            out = egress_json(version, "Location", item)
            assert orjson.loads(out) == egress(version, "Location", old), (version, n)
            if item.exact:
                assert out is item.text
                assert orjson.loads(out) == originals[f"L{n}"]
            else:
                assert PRIVATE_KEY not in orjson.loads(out)
                parse(model(version, "Location"), orjson.loads(out))
    # the 2.1.1 Location's canonical form holds a hub-private annotation, which 2.3.0 must not see
    async with db.read() as conn:
        items, _, _ = await obj.list_page_json(
            conn, "locations", PageRequest(0, 100), version="2.3.0"
        )
    assert [PRIVATE_KEY in i.text for i in items] == [False, False, True, False]
    assert all(PRIVATE_KEY not in egress_json("2.3.0", "Location", i) for i in items)


async def test_list_response_is_the_envelope_ocpi_response_writes(db: Database) -> None:
    """The spliced body parses to the same envelope, keys in the same order, as the decoded one."""
    await _store(db)
    async with db.read() as conn:
        items, _, _ = await obj.list_page_json(
            conn, "locations", PageRequest(0, 100), version="2.2.1"
        )
    data = [egress_json("2.2.1", "Location", i) for i in items]
    fast = orjson.loads(list_response(data, {"X-Limit": "100"}).body)
    slow = orjson.loads(ocpi_response([orjson.loads(d) for d in data]).body)
    assert list(fast) == list(slow) == ["data", "status_code", "timestamp"]
    fast.pop("timestamp"), slow.pop("timestamp")
    assert fast == slow
    empty = orjson.loads(list_response([], {}).body)
    assert empty["data"] == [] and empty["status_code"] == 1000


async def _fill(db: Database, count: int, start: int = 0) -> None:
    async with db.write() as conn:
        for n in range(start, start + count):
            await obj.put_object(
                conn,
                obj.ObjectKey.of("locations", *OWNER, f"P{n:03d}"),
                document={"id": f"P{n:03d}", "n": n},
                last_updated=T0 + timedelta(minutes=n),
                source_version="2.3.0",
                original={"id": f"P{n:03d}", "n": n},
            )


def _follow(headers: dict[str, str]) -> dict[str, str] | None:
    link = headers.get("Link")
    if link is None:
        return None
    query = link[link.index("?") + 1 : link.index(">")]
    return dict(part.split("=", 1) for part in query.split("&"))


async def test_following_links_counts_every_page_and_sees_late_objects(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every page counts, so an object created mid-crawl raises X-Total-Count on the very next
    page (not only once the crawl reaches it), and it is still reached."""
    await _fill(db, 25)
    counted = 0
    real_count = obj._count

    async def counting(conn: Any, conditions: Any) -> int:
        nonlocal counted
        counted += 1
        return await real_count(conn, conditions)

    monkeypatch.setattr(obj, "_count", counting)
    params: dict[str, str] | None = {"limit": "10"}
    seen: list[int] = []
    totals: list[str] = []
    while params is not None:
        page = parse_page_request(params, max_limit=100)
        async with db.read() as conn:
            items, total, more = await obj.list_page_json(
                conn, "locations", page, version="2.3.0", owners=[OWNER]
            )
        headers = page_headers(
            "https://hub/x",
            params,
            page,
            returned=len(items),
            total=total,
            last_key=items[-1].seq if items else None,
            max_limit=100,
            more=more,
        )
        totals.append(headers["X-Total-Count"])
        seen.extend(orjson.loads(i.text)["n"] for i in items)
        if len(seen) == 10:
            await _fill(db, 1, start=25)  # a new Location while the crawl runs
        params = _follow(headers)
    assert seen == list(range(26))
    assert counted == 3
    assert totals == ["25", "26", "26"]


async def test_offsets_without_cursor_still_count(db: Database) -> None:
    """A client building its own offsets gets the counted total and the same pages."""
    await _fill(db, 25)
    async with db.read() as conn:
        pages = [
            await obj.list_page_json(conn, "locations", PageRequest(o, 10), version="2.3.0")
            for o in (0, 10, 20)
        ]
        beyond = await obj.list_page_json(conn, "locations", PageRequest(30, 10), version="2.3.0")
        small = await obj.list_page_json(conn, "locations", PageRequest(0, 100), version="2.3.0")
        none = await obj.list_page_json(
            conn, "locations", PageRequest(0, 10), version="2.3.0", owners=[]
        )
    assert [(len(i), t, m) for i, t, m in pages] == [(10, 25, True), (10, 25, True), (5, 25, False)]
    assert [orjson.loads(x.text)["n"] for i, _, _ in pages for x in i] == list(range(25))
    assert beyond == ([], 25, False)
    assert (len(small[0]), small[1], small[2]) == (25, 25, False)
    assert none == ([], 0, False)


async def test_date_filters_apply(db: Database) -> None:
    """date_from inclusive, date_to exclusive, on the fast path too."""
    await _fill(db, 10)
    page = PageRequest(
        0, 100, date_from=T0 + timedelta(minutes=2), date_to=T0 + timedelta(minutes=6)
    )
    async with db.read() as conn:
        items, total, more = await obj.list_page_json(conn, "locations", page, version="2.3.0")
    assert [orjson.loads(i.text)["n"] for i in items] == [2, 3, 4, 5]
    assert (total, more) == (4, False)


def test_cursor_of_earlier_versions_still_read() -> None:
    """`cursor=<key>.<total>` (earlier hub versions' Links) is read, its total ignored; plain
    cursors work; junk is a 2001."""
    from ocpihub.errors import InvalidParameters

    assert parse_page_request({"cursor": "77.250"}, max_limit=10).cursor == 77
    assert parse_page_request({"cursor": "77"}, max_limit=10).cursor == 77
    for junk in ("77.", ".5", "7.x", "7.-1", "1.2.3"):
        with pytest.raises(InvalidParameters):
            parse_page_request({"cursor": junk}, max_limit=10)


async def test_find_visible_uses_the_upper_object_id_index(db: Database) -> None:
    """The case-insensitive id lookup is an index search, not a scan of the module."""
    rows = [
        {
            "module": "tokens",
            "country_code": "DE",
            "party_id": f"M{n % 10}",
            "object_id": f"UID{n:05d}",
            "kind": "RFID",
            "last_updated": T0,
            "document": {},
            "source_version": "2.3.0",
            "created_at": T0,
            "updated_at": T0,
        }
        for n in range(3000)
    ]
    async with db.write() as conn:
        await conn.execute(objects.insert(), rows)
        await conn.execute(text("ANALYZE"))
    query = obj.visible_query("tokens", "uid00042", kind="RFID")
    async with db.read() as conn:
        sql = str(query.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
        explain = "EXPLAIN QUERY PLAN " if conn.dialect.name == "sqlite" else "EXPLAIN "
        plan = (await conn.execute(text(explain + sql))).all()
        found = await obj.find_visible(conn, "tokens", "uid00042", [("DE", "M2")], kind="RFID")
    assert found is not None and found.key.object_id == "UID00042"
    assert "ix_objects_module_upper_object_id" in " ".join(str(row) for row in plan)
