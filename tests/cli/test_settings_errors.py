"""Invalid settings stop every command with exit 2 and one line naming the variable or TOML key
as the operator wrote it, with its value — never a traceback (issue 18.5)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.test_startup import _run

CASES = [
    (
        {"OCPIHUB_PAGE_LIMITS": '{"locations": "many"}'},
        None,
        """OCPIHUB_PAGE_LIMITS='{"locations": "many"}' (at locations): Input should be a valid""",
    ),
    (
        {"OCPIHUB_CUSTOM_ENUM_VALUES": "{ConnectorType: [X]}"},
        None,
        "OCPIHUB_CUSTOM_ENUM_VALUES='{ConnectorType: [X]}': not valid JSON",
    ),
    (
        {"OCPIHUB_CUSTOM_ENUM_VALUES": '{"PowerType": ["X"]}'},
        None,
        """OCPIHUB_CUSTOM_ENUM_VALUES='{"PowerType": ["X"]}': 'PowerType' is not an open enum""",
    ),
    ({}, '[page_limits]\nlocations = "many"\n', '[page_limits] locations = "many": Input'),
    ({}, "outbox_max_attempts = 0\n", "outbox_max_attempts = 0: Input should be greater than"),
    ({}, "[hub]\nport = 9000\n", "unknown table [hub]"),
    ({}, "prot = 9000\n", "unknown key prot"),
    ({}, "port = \n", "invalid settings file"),
]


@pytest.mark.parametrize(("env", "toml", "says"), CASES)
def test_serve_with_bad_setting_exits_2_naming_it(
    tmp_path: Path, env: dict[str, str], toml: str | None, says: str
) -> None:
    """``serve``: exit 2, the setting named as written with its value, nothing created, no
    traceback."""
    _assert_refused(tmp_path, ["serve", "--port", "1"], env, toml, says)


@pytest.mark.parametrize("command", [["migrate"], ["platform", "list"]])
def test_other_commands_name_it_too(tmp_path: Path, command: list[str]) -> None:
    """Every command reads the settings the same way."""
    _assert_refused(tmp_path, command, *CASES[0])


def _assert_refused(
    tmp_path: Path, command: list[str], env: dict[str, str], toml: str | None, says: str
) -> None:
    env = {**env, "OCPIHUB_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}"}
    if toml is not None:
        config = tmp_path / "hub.toml"
        config.write_text(toml)
        env["OCPIHUB_CONFIG"] = str(config)
        says = says if says.startswith("invalid settings file") else f"{config}: {says}"
    done = _run("-m", "ocpihub", *command, cwd=tmp_path, env=env)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert says in done.stderr
    assert done.stderr.startswith("error: invalid setting")
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "hub.db").exists()


def test_port_option_out_of_range_names_the_option(tmp_path: Path) -> None:
    """A ``--port`` out of range is the option's fault, and named so (not OCPIHUB_PORT)."""
    done = _run("-m", "ocpihub", "serve", "--port", "70000", cwd=tmp_path)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert "Invalid value for '--port'" in done.stderr
    assert "OCPIHUB_PORT" not in done.stderr
