"""Settings: environment, TOML file, validation naming the setting and the value."""

from __future__ import annotations

from pathlib import Path

import pytest

from ocpihub.errors import ConfigError
from ocpihub.settings import Settings, load_settings


def test_defaults_match_design() -> None:
    """The documented defaults."""
    s = load_settings()
    assert s.database_url == "sqlite+aiosqlite:///./ocpihub.db"
    assert s.public_url == "http://127.0.0.1:8080"
    assert (s.country_code, s.party_id) == ("NL", "HUB")
    assert s.admin_token is None


def test_environment_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    """OCPIHUB_* variables set the fields; cc/pid are upper-cased; trailing / dropped."""
    monkeypatch.setenv("OCPIHUB_COUNTRY_CODE", "de")
    monkeypatch.setenv("OCPIHUB_PARTY_ID", "h1b")
    monkeypatch.setenv("OCPIHUB_PUBLIC_URL", "https://hub.example.com/")
    s = load_settings()
    assert (s.country_code, s.party_id) == ("DE", "H1B")
    assert s.public_url == "https://hub.example.com"


def test_toml_file_below_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """OCPIHUB_CONFIG names a TOML file; environment variables win over it."""
    config = tmp_path / "hub.toml"
    config.write_text('port = 9000\nparty_id = "TOM"\n[page_limits]\nlocations = 5\n')
    monkeypatch.setenv("OCPIHUB_CONFIG", str(config))
    monkeypatch.setenv("OCPIHUB_PARTY_ID", "ENV")
    s = load_settings()
    assert s.port == 9000
    assert s.party_id == "ENV"
    assert s.page_limit_for("locations") == 5
    assert s.page_limit_for("tariffs") == s.page_limit


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("OCPIHUB_PORT", "eighty", "OCPIHUB_PORT='eighty'"),
        ("OCPIHUB_COUNTRY_CODE", "NLD", "OCPIHUB_COUNTRY_CODE='NLD': must be two letters"),
        ("OCPIHUB_PUBLIC_URL", "hub.example", "OCPIHUB_PUBLIC_URL='hub.example'"),
        ("OCPIHUB_DATABASE_URL", "mysql://x", "OCPIHUB_DATABASE_URL='mysql://x'"),
        ("OCPIHUB_MAX_BODY_BYTES", "0", "OCPIHUB_MAX_BODY_BYTES='0'"),
    ],
)
def test_invalid_setting_names_setting_and_value(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, message: str
) -> None:
    """An invalid value stops with a message naming the variable and what it was set to."""
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(".", r"\.")):
        load_settings()


def test_unknown_key_in_toml_is_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A misspelt setting in the TOML file is an error, not silently ignored."""
    config = tmp_path / "hub.toml"
    config.write_text("prot = 1\n")
    monkeypatch.setenv("OCPIHUB_CONFIG", str(config))
    with pytest.raises(ConfigError, match="OCPIHUB_PROT: unknown setting"):
        load_settings()


def test_missing_config_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """OCPIHUB_CONFIG pointing nowhere is an error naming the path."""
    monkeypatch.setenv("OCPIHUB_CONFIG", str(tmp_path / "none.toml"))
    with pytest.raises(ConfigError, match="no such file"):
        load_settings()


def test_settings_are_frozen() -> None:
    """Settings cannot be changed after they are built."""
    s = Settings()
    with pytest.raises(ValueError, match="frozen"):
        s.port = 1  # type: ignore[misc]
