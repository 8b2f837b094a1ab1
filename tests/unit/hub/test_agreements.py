"""Agreement policy and operator actions (admin API and CLI share them)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from ocpihub.app import create_app
from ocpihub.errors import InvalidParameters, NotFound
from ocpihub.hub.agreement_actions import add_agreement, remove_agreement, set_status
from ocpihub.hub.agreements import allowed, compatible_roles, parse_modules, partners
from ocpihub.model.agreements import Agreement, AgreementStatus
from ocpihub.model.parties import ConnectionStatus
from ocpihub.store.db import Database
from ocpihub.store.migrate import migrate
from ocpihub.store.platforms import create_platform, upsert_party

NL, DE, FR = ("NL", "CPO"), ("DE", "MSP"), ("FR", "SCS")
T = datetime(2024, 1, 1, tzinfo=UTC)


def ag(
    a: tuple[str, str], b: tuple[str, str], modules: Any = None, active: bool = True
) -> Agreement:
    status = AgreementStatus.ACTIVE if active else AgreementStatus.SUSPENDED
    return Agreement(1, a, b, frozenset(modules) if modules else None, status, T, T)


def test_roles_that_exchange_data() -> None:
    """CPO-EMSP, EMSP-SCSP exchange data; EMSP-EMSP and NSP-EMSP do not."""
    assert compatible_roles({"CPO"}, {"EMSP"})
    assert compatible_roles({"SCSP"}, {"EMSP"})
    assert compatible_roles({"EMSP", "CPO"}, {"PTP"})
    assert not compatible_roles({"EMSP"}, {"EMSP"})
    assert not compatible_roles({"NSP"}, {"EMSP"})


def test_allowed_needs_active_agreement_covering_module() -> None:
    """Only an ACTIVE agreement covering the module allows an exchange, in both directions."""
    agreements = [ag(NL, DE, ["locations", "tariffs"]), ag(NL, FR, active=False)]
    assert allowed(agreements, DE, NL, "locations")
    assert not allowed(agreements, NL, DE, "cdrs")
    assert not allowed(agreements, NL, FR, "sessions")
    assert partners(agreements, NL) == {DE}
    assert partners(agreements, NL, "cdrs") == set()
    assert partners([ag(NL, DE)], DE, "cdrs") == {NL}


def test_module_limits_are_checked() -> None:
    """Unknown module names are refused, naming them."""
    assert parse_modules(None) is None
    assert parse_modules([]) is None
    assert parse_modules(["Locations"]) == frozenset({"locations"})
    with pytest.raises(InvalidParameters, match="credentials not agreeable"):
        parse_modules(["credentials"])


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    await migrate(database)
    async with database.write() as conn:
        p = await create_platform(conn, "p")
        for (cc, pid), role in ((NL, "CPO"), (DE, "EMSP"), (FR, "EMSP")):
            await upsert_party(
                conn,
                p.id,
                country_code=cc,
                party_id=pid,
                role=role,
                status=ConnectionStatus.CONNECTED,
            )
    try:
        yield database
    finally:
        await database.close()


async def test_add_suspend_resume_remove(db: Database) -> None:
    """The lifecycle of an agreement, with a notification after each change."""
    seen: list[tuple[int, str]] = []

    async def notify(agreement: Agreement) -> None:
        seen.append((agreement.id, agreement.status.value))

    created = await add_agreement(db, "nl-cpo", "DE-MSP", ["locations"], notify=notify)
    assert (created.a, created.b) == (DE, NL)
    assert created.modules == frozenset({"locations"})
    suspended = await set_status(db, created.id, AgreementStatus.SUSPENDED, notify=notify)
    assert suspended.status is AgreementStatus.SUSPENDED
    await set_status(db, created.id, AgreementStatus.ACTIVE, notify=notify)
    await remove_agreement(db, created.id, notify=notify)
    assert seen == [
        (created.id, "ACTIVE"),
        (created.id, "SUSPENDED"),
        (created.id, "ACTIVE"),
        (created.id, "SUSPENDED"),
    ]
    with pytest.raises(NotFound):
        await remove_agreement(db, created.id)


@pytest.mark.parametrize(
    ("a", "b", "message"),
    [
        ("NL-CPO", "NL-CPO", "with itself"),
        ("NL-CPO", "XX-ZZZ", "XX-ZZZ is not a party known"),
        ("DE-MSP", "FR-SCS", "no roles that exchange data"),
        ("NLCPO", "DE-MSP", "must be written CC-PID"),
    ],
)
async def test_bad_agreements_refused(db: Database, a: str, b: str, message: str) -> None:
    """Refusals name the party and the reason; nothing is stored."""
    with pytest.raises(InvalidParameters, match=message):
        await add_agreement(db, a, b)


async def test_duplicate_refused(db: Database) -> None:
    """A second agreement between the same two parties is refused."""
    await add_agreement(db, "NL-CPO", "DE-MSP")
    with pytest.raises(InvalidParameters, match="have an agreement"):
        await add_agreement(db, "DE-MSP", "NL-CPO")


async def test_admin_api(make_settings: Any, database_url: str) -> None:
    """POST/GET/PATCH/DELETE /admin/api/agreements."""
    app = create_app(make_settings())
    async with app.router.lifespan_context(app):
        runtime = app.state.runtime
        async with runtime.db.write() as conn:
            p = await create_platform(conn, "p")
            for (cc, pid), role in ((NL, "CPO"), (DE, "EMSP")):
                await upsert_party(
                    conn,
                    p.id,
                    country_code=cc,
                    party_id=pid,
                    role=role,
                    status=ConnectionStatus.CONNECTED,
                )
        headers = {"Authorization": "Bearer admin-secret"}
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://hub") as client:
            r = await client.post(
                "/admin/api/agreements",
                headers=headers,
                json={"parties": ["NL-CPO", "DE-MSP"], "modules": None},
            )
            assert r.status_code == 201
            created = r.json()
            assert created["parties"] == ["DE-MSP", "NL-CPO"]
            assert created["status"] == "ACTIVE"
            r = await client.patch(
                f"/admin/api/agreements/{created['id']}",
                headers=headers,
                json={"status": "SUSPENDED"},
            )
            assert r.json()["status"] == "SUSPENDED"
            assert [
                a["id"] for a in (await client.get("/admin/api/agreements", headers=headers)).json()
            ] == [created["id"]]
            r = await client.post(
                "/admin/api/agreements", headers=headers, json={"parties": ["NL-CPO", "XX-YYY"]}
            )
            assert r.status_code == 400
            assert "XX-YYY" in r.json()["error"]
            r = await client.delete(f"/admin/api/agreements/{created['id']}", headers=headers)
            assert r.status_code == 200
            r = await client.delete(f"/admin/api/agreements/{created['id']}", headers=headers)
            assert r.status_code == 404


def test_cli_agreement_commands(tmp_path: Path) -> None:
    """`ocpihub agreement add|suspend|resume|list|remove` on a database with two parties."""
    import asyncio

    url = f"sqlite+aiosqlite:///{tmp_path / 'h.db'}"

    async def seed() -> None:
        db = Database(url)
        await migrate(db)
        async with db.write() as conn:
            p = await create_platform(conn, "p")
            for (cc, pid), role in ((NL, "CPO"), (DE, "EMSP")):
                await upsert_party(
                    conn,
                    p.id,
                    country_code=cc,
                    party_id=pid,
                    role=role,
                    status=ConnectionStatus.CONNECTED,
                )
        await db.close()

    asyncio.run(seed())
    env = {**os.environ, "OCPIHUB_DATABASE_URL": url}

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "ocpihub", "agreement", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    added = cli("add", "NL-CPO", "DE-MSP", "--module", "locations", "--json")
    assert added.returncode == 0, added.stderr
    agreement_id = str(json.loads(added.stdout)["id"])
    assert "SUSPENDED" in cli("suspend", agreement_id).stdout
    assert "ACTIVE" in cli("resume", agreement_id).stdout
    listed = json.loads(cli("list", "--json").stdout)
    assert listed[0]["modules"] == ["locations"]
    assert cli("remove", agreement_id).returncode == 0
    missing = cli("remove", agreement_id)
    assert missing.returncode == 1
    assert "no agreement" in missing.stderr
