"""A CLI that answers at once (issue 18.4): lazy imports, ``--version``, no accidental database.

No timings here (they live in ``bench/cli_startup.py``): these tests pin the mechanism — what a
command imports — and what an operator sees.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import ocpihub
from tests.support.no_dev import without_dev_packages

HEAVY = ("fastapi", "starlette", "aiohttp", "uvicorn", "alembic")


def _run(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith("OCPIHUB_")}
    return subprocess.run(
        [sys.executable, *args],
        cwd=cwd,
        env={**base, **(env or {})},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _imported(stderr: str) -> set[str]:
    """Top-level module names from ``python -X importtime`` output."""
    names = set()
    for line in stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[1].strip().split(".")[0])
    return names


def test_cli_module_imports_nothing_heavy(tmp_path: Path) -> None:
    """``import ocpihub.cli`` (all ``--help`` needs) loads no web, HTTP, database or model stack."""
    probe = "import sys, ocpihub.cli; print(' '.join(sorted(sys.modules)))"
    done = _run("-c", probe, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    loaded = {m.split(".")[0] for m in done.stdout.split()}
    assert loaded.isdisjoint({*HEAVY, "sqlalchemy", "pydantic", "pydantic_settings"}), loaded


def test_listing_commands_import_no_web_stack(tmp_path: Path) -> None:
    """``platform list``, ``agreement list`` and ``outbox list`` on a current database load
    neither the web stack, nor the HTTP client, nor Alembic."""
    env = {"OCPIHUB_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}"}
    assert _run("-m", "ocpihub", "migrate", cwd=tmp_path, env=env).returncode == 0
    for command in (["platform", "list"], ["agreement", "list"], ["outbox", "list"]):
        done = _run("-X", "importtime", "-m", "ocpihub", *command, cwd=tmp_path, env=env)
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() in ("no platforms", "no agreements", "no outbox items")
        loaded = _imported(done.stderr)
        assert loaded.isdisjoint(HEAVY), (command, loaded & set(HEAVY))


LISTINGS = (
    (["platform", "list"], "CPO1"),
    (["platform", "list", "--json"], '"connection_status": "PLANNED"'),
    (["agreement", "list"], "DE-MSP <-> NL-CPO"),
    (["party", "list", "--json"], '"code": "NL-CPO"'),
    (["outbox", "list", "--status", "dead"], "no outbox items"),
    (["traffic", "--platform", "CPO1", "--json"], "[]"),
    (["pull", "status", "CPO1"], "publishes no Sender interface"),
    (["enum", "list", "--json"], '"custom": [\n      "ACME_PLUG"'),
)
NOT_FOR_LISTINGS = {*HEAVY, "sqlalchemy", "aiosqlite", "structlog", "rich"}


def test_listing_commands_read_without_sqlalchemy(tmp_path: Path, database_url: str) -> None:
    """Every listing command reads the database through its driver directly: it imports no
    SQLAlchemy (nor the logging set-up, nor the web stack), on SQLite and PostgreSQL."""
    env = {"OCPIHUB_DATABASE_URL": database_url}
    for setup in (
        ["migrate"],
        ["platform", "add", "CPO1", "--role", "CPO:NL:CPO"],
        ["platform", "add", "MSP1", "--role", "EMSP:DE:MSP"],
        ["agreement", "add", "NL-CPO", "DE-MSP"],
        ["enum", "add", "ConnectorType", "ACME_PLUG"],
    ):
        done = _run("-m", "ocpihub", *setup, cwd=tmp_path, env=env)
        assert done.returncode == 0, done.stderr
    for command, shown in LISTINGS:
        done = _run("-X", "importtime", "-m", "ocpihub", *command, cwd=tmp_path, env=env)
        assert done.returncode == 0, (command, done.stderr[-2000:])
        assert shown in done.stdout, (command, done.stdout)
        loaded = _imported(done.stderr)
        assert loaded.isdisjoint(NOT_FOR_LISTINGS), (command, loaded & NOT_FOR_LISTINGS)


WIRE_MODELS = re.compile(r"^ocpihub\.(translate|ocpi\.(fields|tolerant|v\d+_\d+_\d+))(\.|$)")
"""The wire models: every version package, their building blocks, the version bridge."""


def _modules(stderr: str) -> set[str]:
    """Full module names from ``python -X importtime`` output."""
    return {
        line.rsplit("|", 1)[1].strip()
        for line in stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }


def test_enum_list_loads_no_wire_model(tmp_path: Path, database_url: str) -> None:
    """``enum list`` reads the open enums' spec values from ``ocpi/open_enums.py``: it loads no
    wire model of any version (the settings' pydantic is all the pydantic it loads), with
    values registered in the database and configured in ``custom_enum_values`` alike."""
    env = {"OCPIHUB_DATABASE_URL": database_url}
    done = _run("-m", "ocpihub", "enum", "add", "ConnectorType", "ACME_PLUG", cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stderr
    env["OCPIHUB_CUSTOM_ENUM_VALUES"] = '{"Facility": ["ROOFTOP_BAR"]}'
    for command, shown in (
        (["enum", "list"], "custom: ACME_PLUG"),
        (["enum", "list", "--json"], '"custom": [\n      "ROOFTOP_BAR"'),
    ):
        done = _run("-X", "importtime", "-m", "ocpihub", *command, cwd=tmp_path, env=env)
        assert done.returncode == 0, (command, done.stderr[-2000:])
        assert shown in done.stdout, (command, done.stdout)
        loaded = _modules(done.stderr)
        assert "ocpihub.ocpi.open_enums" in loaded
        assert sorted(m for m in loaded if WIRE_MODELS.match(m)) == [], command


def test_listing_migrates_an_old_database(tmp_path: Path) -> None:
    """A database without the newest schema is migrated first, as by every command (the
    listing then takes the full path), and listed."""
    (tmp_path / "ocpihub.db").touch()
    done = _run("-m", "ocpihub", "platform", "list", cwd=tmp_path)
    assert (done.returncode, done.stdout.strip()) == (0, "no platforms"), done.stderr
    again = _run("-X", "importtime", "-m", "ocpihub", "platform", "list", cwd=tmp_path)
    assert "sqlalchemy" not in _imported(again.stderr)


def test_version(tmp_path: Path) -> None:
    """``ocpihub --version`` prints the version and exits 0."""
    done = _run("-m", "ocpihub", "--version", cwd=tmp_path)
    assert (done.returncode, done.stdout.strip()) == (0, f"ocpihub {ocpihub.__version__}")


@pytest.mark.parametrize(
    "command",
    [
        ["platform", "list"],
        ["agreement", "add", "NL-CPO", "DE-MSP"],
        ["outbox", "list"],
        ["agreement", "list"],
        ["party", "list"],
        ["traffic"],
        ["pull", "status", "CPO1"],
    ],
)
def test_no_database_no_new_file(tmp_path: Path, command: list[str]) -> None:
    """Run where no database is (the default relative URL), a command says where it looked,
    exits 2 and creates nothing."""
    done = _run("-m", "ocpihub", *command, cwd=tmp_path)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert str(tmp_path / "ocpihub.db") in done.stderr
    assert "ocpihub migrate" in done.stderr
    assert list(tmp_path.iterdir()) == []


def test_migrate_creates_the_database(tmp_path: Path) -> None:
    """``migrate`` is the command that creates a new SQLite database (``serve`` too)."""
    done = _run("-m", "ocpihub", "migrate", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "ocpihub.db").is_file()
    listed = _run("-m", "ocpihub", "platform", "list", cwd=tmp_path)
    assert (listed.returncode, listed.stdout.strip()) == (0, "no platforms")


def test_every_hub_module_imports_without_dev_packages(tmp_path: Path) -> None:
    """``make run`` installs no dev tools (issue 18.5): every module of the package (the
    simulators of ``ocpihub demo`` included; migration scripts run only under Alembic) imports
    with none of them importable."""
    probe = (
        "import importlib, pkgutil, ocpihub\n"
        "for m in pkgutil.walk_packages(ocpihub.__path__, 'ocpihub.'):\n"
        "    if not m.name.endswith('__main__') and '.migrations' not in m.name:\n"
        "        importlib.import_module(m.name)\n"
        "import httpx\n"
    )
    done = _run("-c", probe, cwd=tmp_path, env=without_dev_packages(tmp_path / "site"))
    # everything before the last line imported; the last shows the blocker is in force
    assert "No module named 'httpx' (dev package: not installed)" in done.stderr, done.stderr
    assert done.stderr.count("Traceback") == 1
    assert "line 5, in <module>" in done.stderr, done.stderr
