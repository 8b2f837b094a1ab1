"""The open-enum registry: spec values always, operator values when registered, else 2001."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import httpx
import pytest

from ocpihub.app import create_app
from ocpihub.errors import ConfigError, InvalidParameters, NotFound
from ocpihub.hub.enums import EnumRegistry
from ocpihub.ocpi.fields import parse
from ocpihub.ocpi.v2_3_0.locations import Connector
from ocpihub.settings import load_settings
from ocpihub.store.db import Database


def connector(standard: str) -> dict[str, Any]:
    return {
        "id": "1",
        "standard": standard,
        "format": "SOCKET",
        "power_type": "AC_3_PHASE",
        "max_voltage": 230,
        "max_amperage": 16,
        "last_updated": "2024-01-01T00:00:00Z",
    }


def test_unregistered_value_is_2001_naming_field_and_value() -> None:
    """Without registration a non-spec ConnectorType is refused, naming field and value."""
    with pytest.raises(InvalidParameters) as caught:
        parse(Connector, connector("ACME_PLUG"), enums=EnumRegistry())
    assert "standard: 'ACME_PLUG' is not a known or registered ConnectorType value" in (
        caught.value.message
    )


def test_configured_value_is_accepted() -> None:
    """A value from the custom_enum_values setting passes."""
    registry = EnumRegistry({"ConnectorType": ["ACME_PLUG"]})
    assert parse(Connector, connector("ACME_PLUG"), enums=registry).standard == "ACME_PLUG"
    assert registry.custom("ConnectorType") == ["ACME_PLUG"]


async def test_registered_value_is_accepted_and_persisted(db: Database) -> None:
    """A value registered at run time passes at once and survives a reload from the database."""
    registry = EnumRegistry()
    assert await registry.register(db, "ConnectorType", "ACME_PLUG")
    assert not await registry.register(db, "ConnectorType", "ACME_PLUG")
    assert not await registry.register(db, "ConnectorType", "IEC_62196_T2")
    parse(Connector, connector("ACME_PLUG"), enums=registry)
    other = EnumRegistry()
    await other.load(db)
    assert other.accepts("ConnectorType", "ACME_PLUG")
    assert not other.accepts("Facility", "ACME_PLUG")


async def test_register_refuses_closed_enums_and_bad_values(db: Database) -> None:
    """Only open enums take extra values, and values must be sane identifiers."""
    registry = EnumRegistry()
    with pytest.raises(NotFound, match="'PowerType' is not an open enum"):
        await registry.register(db, "PowerType", "DC_ULTRA")
    with pytest.raises(InvalidParameters, match="value 'has space'"):
        await registry.register(db, "ConnectorType", "has space")


def test_setting_with_unknown_enum_is_config_error() -> None:
    """A configured value for a non-open enum stops the start, naming the setting."""
    with pytest.raises(ConfigError, match="OCPIHUB_CUSTOM_ENUM_VALUES"):
        load_settings(custom_enum_values={"PowerType": ["X"]})


async def test_admin_api_lists_and_registers(make_settings: Any) -> None:
    """GET /admin/api/enums shows spec and custom values; POST registers one."""
    app = create_app(make_settings())
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        headers = {"Authorization": "Bearer admin-secret"}
        async with httpx.AsyncClient(transport=transport, base_url="http://hub") as client:
            listed = (await client.get("/admin/api/enums", headers=headers)).json()
            assert "IEC_62196_T2" in listed["ConnectorType"]["spec"]
            assert listed["ConnectorType"]["custom"] == []
            r = await client.post(
                "/admin/api/enums/ConnectorType", headers=headers, json={"value": "ACME_PLUG"}
            )
            assert r.status_code == 201
            assert r.json()["custom"] == ["ACME_PLUG"]
            r = await client.post(
                "/admin/api/enums/ConnectorType", headers=headers, json={"value": "ACME_PLUG"}
            )
            assert r.status_code == 200
            r = await client.post("/admin/api/enums/Nope", headers=headers, json={"value": "X"})
            assert r.status_code == 404
            assert "not an open enum" in r.json()["error"]
        assert app.state.runtime.enums.accepts("ConnectorType", "ACME_PLUG")


def test_cli_enum_add_and_list(tmp_path: Any) -> None:
    """`ocpihub enum add` registers a value that `ocpihub enum list --json` then shows."""
    env = {**os.environ, "OCPIHUB_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'h.db'}"}

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "ocpihub", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    assert cli("migrate").returncode == 0  # only serve and migrate create a database
    added = cli("enum", "add", "Facility", "ROOFTOP_BAR")
    assert added.returncode == 0, added.stderr
    assert "registered" in added.stdout
    import json

    listed = json.loads(cli("enum", "list", "--json").stdout)
    assert listed["Facility"]["custom"] == ["ROOFTOP_BAR"]
    bad = cli("enum", "add", "PowerType", "X")
    assert bad.returncode == 1
    assert "not an open enum" in bad.stderr
