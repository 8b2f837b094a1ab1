"""The store contract, run on a real SQLite file and on PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from ocpihub.model.parties import ConnectionStatus, DeclaredRole, Endpoint, TokenEncoding
from ocpihub.ocpi.pagination import PageRequest
from ocpihub.store import objects as obj
from ocpihub.store import platforms as plat
from ocpihub.store.db import Database
from ocpihub.store.meta import get_meta, set_meta
from ocpihub.store.migrate import migrate


async def test_migrate_is_idempotent(db: Database) -> None:
    """Running the migrations twice changes nothing and raises nothing."""
    await migrate(db)
    async with db.read() as conn:
        assert await plat.list_platforms(conn) == []


async def test_platform_roundtrip_and_tokens(db: Database) -> None:
    """A platform is stored with its declared roles; its token is found raw, not by others."""
    async with db.write() as conn:
        p = await plat.create_platform(
            conn,
            "cpo-1",
            token_encoding=TokenEncoding.PLAIN,
            declared_roles=[DeclaredRole("CPO", "NL", "ABC")],
        )
        await plat.add_token(conn, p.id, "secret-a", "A")
    async with db.read() as conn:
        found = await plat.lookup_token(conn, ["nope", "secret-a"])
        assert found is not None
        platform, kind = found
        assert (platform.name, kind) == ("cpo-1", "A")
        assert platform.declared_roles == (DeclaredRole("CPO", "NL", "ABC"),)
        assert platform.token_encoding is TokenEncoding.PLAIN
        assert await plat.lookup_token(conn, ["other"]) is None


async def test_tokens_are_stored_hashed(db: Database) -> None:
    """The token table never holds the token itself."""
    from sqlalchemy import select

    from ocpihub.store.schema import credentials_tokens

    async with db.write() as conn:
        p = await plat.create_platform(conn, "x")
        await plat.add_token(conn, p.id, "plain-secret", "C")
    async with db.read() as conn:
        hashes = (await conn.execute(select(credentials_tokens.c.token_hash))).scalars().all()
    assert hashes == [plat.hash_token("plain-secret")]
    assert "plain-secret" not in hashes


async def test_revoke_tokens_by_kind(db: Database) -> None:
    """Revoking token A leaves token C working."""
    async with db.write() as conn:
        p = await plat.create_platform(conn, "x")
        await plat.add_token(conn, p.id, "ta", "A")
        await plat.add_token(conn, p.id, "tc", "C")
        await plat.revoke_tokens(conn, p.id, ["A"])
    async with db.read() as conn:
        assert await plat.lookup_token(conn, ["ta"]) is None
        assert await plat.lookup_token(conn, ["tc"]) is not None


async def test_parties_and_endpoints(db: Database) -> None:
    """Parties upsert by (cc, pid, role); endpoints are replaced as a set."""
    async with db.write() as conn:
        p = await plat.create_platform(conn, "x")
        await plat.upsert_party(
            conn,
            p.id,
            country_code="nl",
            party_id="abc",
            role="CPO",
            status=ConnectionStatus.CONNECTED,
        )
        await plat.upsert_party(
            conn,
            p.id,
            country_code="NL",
            party_id="ABC",
            role="CPO",
            status=ConnectionStatus.OFFLINE,
            business_details={"name": "ABC"},
        )
        await plat.replace_endpoints(conn, p.id, [Endpoint("locations", "SENDER", "http://a/l")])
        await plat.replace_endpoints(
            conn,
            p.id,
            [
                Endpoint("locations", "RECEIVER", "http://a/r"),
                Endpoint("tokens", "SENDER", "http://a/t"),
            ],
        )
    async with db.read() as conn:
        parties = await plat.list_parties(conn, p.id)
        assert [(x.code, x.role, x.status) for x in parties] == [
            ("NL-ABC", "CPO", ConnectionStatus.OFFLINE)
        ]
        assert parties[0].business_details == {"name": "ABC"}
        eps = await plat.list_endpoints(conn, p.id)
        assert [(e.identifier, e.role) for e in eps] == [
            ("locations", "RECEIVER"),
            ("tokens", "SENDER"),
        ]


async def test_deleting_platform_cascades(db: Database) -> None:
    """Deleting a platform removes its tokens, parties and endpoints."""
    async with db.write() as conn:
        p = await plat.create_platform(conn, "x")
        await plat.add_token(conn, p.id, "tc", "C")
        await plat.upsert_party(
            conn,
            p.id,
            country_code="NL",
            party_id="ABC",
            role="CPO",
            status=ConnectionStatus.CONNECTED,
        )
        await plat.replace_endpoints(conn, p.id, [Endpoint("locations", "SENDER", "http://a")])
        assert await plat.delete_platform(conn, p.id)
    async with db.read() as conn:
        assert await plat.lookup_token(conn, ["tc"]) is None
        assert await plat.list_parties(conn) == []


async def test_write_rolls_back_on_error(db: Database) -> None:
    """A failing write transaction leaves nothing behind."""
    with pytest.raises(RuntimeError):
        async with db.write() as conn:
            await plat.create_platform(conn, "ghost")
            raise RuntimeError("boom")
    async with db.read() as conn:
        assert await plat.get_platform_by_name(conn, "ghost") is None


async def test_concurrent_writes_do_not_collide(db: Database) -> None:
    """Many writers at once all commit (SQLite: serialised; PostgreSQL: pooled)."""

    async def add(i: int) -> None:
        async with db.write() as conn:
            await set_meta(conn, f"k{i}", str(i))

    await asyncio.gather(*(add(i) for i in range(30)))
    async with db.read() as conn:
        assert [await get_meta(conn, f"k{i}") for i in range(30)] == [str(i) for i in range(30)]


T0 = datetime(2024, 1, 1, tzinfo=UTC)


async def _fill(db: Database, n: int, owners: list[tuple[str, str]]) -> None:
    async with db.write() as conn:
        for i in range(n):
            cc, pid = owners[i % len(owners)]
            await obj.put_object(
                conn,
                obj.ObjectKey.of("locations", cc, pid, f"LOC{i:03d}"),
                document={"id": f"LOC{i:03d}", "n": i},
                last_updated=T0 + timedelta(hours=i),
                source_version="2.3.0",
            )


async def test_put_get_replace_delete(db: Database) -> None:
    """Objects are created, replaced in place (same key), read back, and deleted."""
    key = obj.ObjectKey.of("tokens", "nl", "msp", "UID1", "RFID")
    async with db.write() as conn:
        assert await obj.put_object(
            conn,
            key,
            document={"v": 1},
            last_updated=T0,
            source_version="2.2.1",
            original={"raw": True},
        )
        first = await obj.get_object(conn, key)
        assert not await obj.put_object(
            conn, key, document={"v": 2}, last_updated=T0 + timedelta(1), source_version="2.3.0"
        )
    async with db.read() as conn:
        stored = await obj.get_object(conn, key)
    assert first is not None and stored is not None
    assert stored.seq == first.seq
    assert stored.document == {"v": 2}
    assert stored.last_updated == T0 + timedelta(1)
    assert stored.key.country_code == "NL"
    async with db.write() as conn:
        assert await obj.delete_object(conn, key)
        assert await obj.get_object(conn, key) is None


async def test_keyset_pages_equal_offset_pages(db: Database) -> None:
    """Following cursors gives the same pages, in creation order, as plain offsets."""
    await _fill(db, 25, [("NL", "AAA"), ("DE", "BBB")])
    by_cursor, cursor = [], None
    async with db.read() as conn:
        for offset in range(0, 25, 10):
            items, total = await obj.list_page(
                conn, "locations", PageRequest(offset, 10, cursor=cursor)
            )
            assert total == 25
            by_cursor.extend(i.document["n"] for i in items)
            cursor = items[-1].seq
        by_offset = []
        for offset in range(0, 25, 10):
            items, _ = await obj.list_page(conn, "locations", PageRequest(offset, 10))
            by_offset.extend(i.document["n"] for i in items)
    assert by_cursor == by_offset == list(range(25))


async def test_list_filters_dates_and_owners(db: Database) -> None:
    """date_from is inclusive, date_to exclusive; owners limit what is seen."""
    await _fill(db, 10, [("NL", "AAA"), ("DE", "BBB")])
    async with db.read() as conn:
        items, total = await obj.list_page(
            conn,
            "locations",
            PageRequest(0, 100, date_from=T0 + timedelta(hours=2), date_to=T0 + timedelta(hours=6)),
        )
        assert [i.document["n"] for i in items] == [2, 3, 4, 5] and total == 4
        items, total = await obj.list_page(
            conn, "locations", PageRequest(0, 100), owners=[("DE", "BBB")]
        )
        assert [i.document["n"] for i in items] == [1, 3, 5, 7, 9] and total == 5
        items, total = await obj.list_page(
            conn, "locations", PageRequest(0, 100), owners=[("DE", "BBB"), ("NL", "AAA")]
        )
        assert total == 10
        assert await obj.list_page(conn, "locations", PageRequest(0, 100), owners=[]) == ([], 0)
        assert (await obj.list_page(conn, "tariffs", PageRequest(0, 100)))[1] == 0


@pytest.mark.parametrize(
    ("module", "kind"),
    [
        ("locations", ""),
        ("tariffs", ""),
        ("tokens", "RFID"),
        ("sessions", ""),
        ("cdrs", ""),
        ("payments", "terminal"),
        ("bookings", "booking"),
    ],
)
async def test_ids_are_one_object_whatever_the_case(db: Database, module: str, kind: str) -> None:
    """Every CiString id (15.11): any spelling finds, replaces and deletes the one object, which
    keeps its first spelling; a raw insert of another spelling is refused by the database."""
    at = datetime(2024, 1, 1, tzinfo=UTC)
    first = obj.ObjectKey.of(module, "nl", "cpo", "abc-1", kind)
    other = obj.ObjectKey.of(module, "NL", "CPO", "ABC-1", kind)
    async with db.write() as conn:
        assert await obj.put_object(
            conn, first, document={"v": 1}, last_updated=at, source_version="2.3.0"
        )
        assert not await obj.put_object(
            conn, other, document={"v": 2}, last_updated=at, source_version="2.3.0"
        )
    async with db.read() as conn:
        found = await obj.get_object(conn, obj.ObjectKey.of(module, "NL", "CPO", "Abc-1", kind))
        page, total = await obj.list_page(conn, module, PageRequest(0, 10))
    assert found is not None
    assert (found.key.object_id, found.document) == ("abc-1", {"v": 2})
    assert total == 1 and page[0].key.object_id == "abc-1"
    with pytest.raises(IntegrityError):
        async with db.write() as conn:
            await conn.execute(
                obj.objects.insert().values(
                    module=module,
                    country_code="NL",
                    party_id="CPO",
                    object_id="ABC-1",
                    kind=kind,
                    last_updated=at,
                    document={},
                    source_version="2.3.0",
                    created_at=at,
                    updated_at=at,
                )
            )
    async with db.write() as conn:
        assert await obj.delete_object(conn, other)
        assert await obj.get_object(conn, first) is None
