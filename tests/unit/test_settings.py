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
    with pytest.raises(ConfigError, match=f"{config}: unknown key prot"):
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


def test_public_url_follows_host_and_port() -> None:
    """Unset, the public URL is where the hub listens (loopback for the any-address)."""
    assert load_settings(port=9000).public_url == "http://127.0.0.1:9000"
    assert load_settings(host="10.1.2.3", port=81).public_url == "http://10.1.2.3:81"
    assert load_settings(host="0.0.0.0", port=82).public_url == "http://127.0.0.1:82"
    assert load_settings(host="::1", port=83).public_url == "http://[::1]:83"
    assert not load_settings(port=9000).public_url_is_set


def test_public_url_set_anywhere_is_kept(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A public URL from the environment or the TOML file does not follow the port."""
    monkeypatch.setenv("OCPIHUB_PUBLIC_URL", "https://hub.example.com")
    s = load_settings(port=9000)
    assert (s.public_url, s.public_url_is_set) == ("https://hub.example.com", True)
    monkeypatch.delenv("OCPIHUB_PUBLIC_URL")
    config = tmp_path / "hub.toml"
    config.write_text('public_url = "http://hub.lan:8000"\nport = 9000\n')
    monkeypatch.setenv("OCPIHUB_CONFIG", str(config))
    assert load_settings().public_url == "http://hub.lan:8000"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            '{"locations": "x"}',
            """OCPIHUB_PAGE_LIMITS='{"locations": "x"}' (at locations): Input should be a valid""",
        ),
        ("{locations: 5}", "OCPIHUB_PAGE_LIMITS='{locations: 5}': not valid JSON (Expecting"),
        ("[500]", "OCPIHUB_PAGE_LIMITS='[500]': Input should be a valid dictionary"),
    ],
)
def test_json_variable_named_as_written(
    monkeypatch: pytest.MonkeyPatch, value: str, message: str
) -> None:
    """A bad JSON-valued variable is named as written, with its text and the bad part."""
    monkeypatch.setenv("OCPIHUB_PAGE_LIMITS", value)
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert message in str(caught.value)


def test_custom_enum_values_variable_named_as_written(monkeypatch: pytest.MonkeyPatch) -> None:
    """A list item of the wrong type inside a JSON variable: the variable, its text, the path."""
    monkeypatch.setenv("OCPIHUB_CUSTOM_ENUM_VALUES", '{"ConnectorType": [1]}')
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert str(caught.value) == (
        """invalid setting: OCPIHUB_CUSTOM_ENUM_VALUES='{"ConnectorType": [1]}' """
        "(at ConnectorType[0]): Input should be a valid string"
    )


def test_variable_spelt_in_lower_case_is_named_so(monkeypatch: pytest.MonkeyPatch) -> None:
    """The reader matches variables regardless of case; the message uses the operator's spelling."""
    monkeypatch.setenv("ocpihub_port", "eighty")
    with pytest.raises(ConfigError, match="ocpihub_port='eighty'"):
        load_settings()


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('page_limit = "abc"\n', 'page_limit = "abc": Input should be a valid integer'),
        (
            '[page_limits]\nlocations = "x"\n',
            '[page_limits] locations = "x": Input should be a valid integer',
        ),
        (
            '[custom_enum_values]\nNope = ["X"]\n',
            """custom_enum_values = {"Nope": ["X"]}: 'Nope' is not""",
        ),
        ("[hub]\nport = 3\n", "unknown table [hub]"),
        ('country_code = "NLD"\n', 'country_code = "NLD": must be two letters'),
    ],
)
def test_toml_key_named_as_written(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, toml: str, message: str
) -> None:
    """A bad TOML value names the file and the key (table and key inside it) with its value."""
    config = tmp_path / "hub.toml"
    config.write_text(toml)
    monkeypatch.setenv("OCPIHUB_CONFIG", str(config))
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert f"{config}: " in str(caught.value)
    assert message in str(caught.value)
    assert "OCPIHUB_" not in str(caught.value).split(":", 1)[1].split("(keys")[0]


def test_environment_error_wins_over_the_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A setting given in both places is named where its value came from: the environment."""
    config = tmp_path / "hub.toml"
    config.write_text("port = 9000\n")
    monkeypatch.setenv("OCPIHUB_CONFIG", str(config))
    monkeypatch.setenv("OCPIHUB_PORT", "x")
    with pytest.raises(ConfigError, match="OCPIHUB_PORT='x'"):
        load_settings()
