"""Docs keep up with the code: every setting, CLI command and admin route is documented."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer.main

from ocpihub.app import create_app
from ocpihub.cli import app as cli_app
from ocpihub.settings import Settings

DOCS = Path(__file__).resolve().parents[2] / "docs"


def _commands(group: Any, prefix: str) -> list[str]:
    out = []
    for name, command in sorted(group.commands.items()):
        path = f"{prefix} {name}"
        if hasattr(command, "commands"):
            out.extend(_commands(command, path))
        else:
            out.append(path)
    return out


def test_every_setting_is_documented() -> None:
    """docs/settings.md names every OCPIHUB_* variable."""
    text = (DOCS / "settings.md").read_text()
    missing = [
        f"OCPIHUB_{name.upper()}"
        for name in Settings.model_fields
        if f"`OCPIHUB_{name.upper()}`" not in text
    ]
    assert missing == []


def test_every_cli_command_is_documented() -> None:
    """docs/cli.md has a heading for every command."""
    text = (DOCS / "cli.md").read_text()
    group = typer.main.get_command(cli_app)
    missing = [c for c in _commands(group, "ocpihub") if f"## `{c}" not in text]
    assert missing == []


def test_every_admin_route_is_documented() -> None:
    """docs/admin-api.md lists every admin API route as `METHOD /admin/api/...`."""
    text = (DOCS / "admin-api.md").read_text()
    app = create_app(Settings(admin_token="x"))
    missing = []
    for route in app.routes:
        path = getattr(route, "path", "")
        if not path.startswith("/admin/api"):
            continue
        for method in sorted(getattr(route, "methods", set()) - {"HEAD"}):
            if f"`{method} {path}`" not in text:
                missing.append(f"{method} {path}")
    assert missing == []


def test_settings_table_is_current() -> None:
    """docs/settings.md's table is what scripts/settings_doc.py generates."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "settings_doc", DOCS.parent / "scripts" / "settings_doc.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    text = (DOCS / "settings.md").read_text()
    assert module.render(text) == text, "run: .venv/bin/python scripts/settings_doc.py"
