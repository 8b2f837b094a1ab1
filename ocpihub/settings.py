"""Settings: environment variables prefixed ``OCPIHUB_``, and an optional TOML file.

Precedence, highest first: explicit keyword arguments (tests), ``OCPIHUB_*`` environment
variables, the TOML file named by ``OCPIHUB_CONFIG``, the defaults below. Every field is
documented in ``docs/settings.md`` (a test keeps the two in step).

There is no global instance: ``app.py`` and ``cli.py`` build one with :func:`load_settings` and
pass it down.
"""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from ocpihub.errors import ConfigError
from ocpihub.settings_errors import Sources, check_json_variables, describe_error

__all__ = ["Settings", "listening_url", "load_settings"]

_CC = re.compile(r"^[A-Za-z]{2}$")
_PID = re.compile(r"^[A-Za-z0-9]{3}$")


class Settings(BaseSettings):
    """Everything an operator can set. Field descriptions are the one-line help."""

    model_config = SettingsConfigDict(
        env_prefix="OCPIHUB_",
        extra="forbid",
        frozen=True,
        validate_default=True,
    )

    database_url: str = Field(
        "sqlite+aiosqlite:///./ocpihub.db",
        description="SQLAlchemy URL of the database: sqlite+aiosqlite:///FILE or "
        "postgresql+asyncpg://USER@HOST/DB.",
    )
    public_url: str = Field(
        "http://127.0.0.1:8080",
        description="Base URL partners use to reach the hub; every URL the hub hands out "
        "starts with it. Unset: http://HOST:PORT of the host and port the hub listens on "
        "(127.0.0.1 when it listens on all addresses).",
    )
    host: str = Field("127.0.0.1", description="Address `ocpihub serve` listens on.")
    port: int = Field(8080, ge=0, le=65535, description="Port `ocpihub serve` listens on.")
    country_code: str = Field("NL", description="The hub's own OCPI country code (2 letters).")
    party_id: str = Field("HUB", description="The hub's own OCPI party id (3 characters).")
    hub_name: str = Field("ocpihub", description="Business name the hub gives in credentials.")
    hub_website: str | None = Field(None, description="Website the hub gives in credentials.")
    admin_token: str | None = Field(
        None,
        description="Bearer token of the admin API. When unset, one is generated at first "
        "start, printed once, and stored hashed in the database.",
    )
    max_body_bytes: int = Field(
        1_048_576,
        gt=0,
        description="Largest request body accepted, in bytes (else HTTP 413), streamed or not; "
        "a platform's own setting overrides it for its OCPI requests.",
    )
    rate_limit_per_second: float = Field(
        0.0,
        ge=0,
        description="Requests a second each platform may make to the OCPI API, on average "
        "(0: no limit); a platform's own setting overrides it. Counted per hub process. "
        "Over it: HTTP 429 with Retry-After.",
    )
    rate_limit_burst_seconds: float = Field(
        2.0,
        gt=0,
        description="How many seconds' worth of its rate a platform may send at once "
        "(the burst is at least one request).",
    )
    page_limit: int = Field(
        1000, gt=0, description="Default maximum page size (X-Limit) of list GETs."
    )
    page_limits: dict[str, int] = Field(
        default_factory=dict,
        description='Maximum page size per module, e.g. {"locations": 500}; '
        "modules not named use page_limit.",
    )
    allow_private_addresses: bool = Field(
        True,
        description="Whether the hub may call loopback, private-range and other non-public "
        "addresses (off: partner URLs are checked in every address spelling, and the "
        "addresses a name resolves to when the hub connects). Turn off in production on a "
        "public network.",
    )
    log_format: Literal["auto", "json", "console"] = Field(
        "auto", description="Log output: json, console, or auto (console on a terminal)."
    )
    log_level: Literal["debug", "info", "warning", "error"] = Field(
        "info", description="Lowest log level written."
    )
    request_timeout: float = Field(
        10.0, gt=0, description="Seconds the hub waits for a partner's answer on an outbound call."
    )
    command_result_grace_seconds: float = Field(
        30.0,
        ge=0,
        description="Seconds the hub waits beyond a CPO's command timeout for the result before "
        "it sends the eMSP a TIMEOUT result itself (also added to the timeout the eMSP is told).",
    )
    # --- delivery (outbox) and traffic log; see docs/delivery.md ---
    outbox_concurrency: int = Field(
        64, ge=1, description="Deliveries one hub process runs at the same time, at most."
    )
    outbox_receiver_concurrency: int = Field(
        8,
        ge=1,
        description="Deliveries to one receiver platform one hub process runs at the same "
        "time, at most.",
    )
    outbox_poll_interval: float = Field(
        1.0,
        gt=0,
        description="Seconds between looks for due deliveries when nothing wakes the worker.",
    )
    outbox_lease_seconds: float = Field(
        6.0,
        gt=0,
        description="Lease of a claimed delivery: its process renews it every third of this "
        "while the delivery runs; if the process dies, another delivers the item after at most "
        "this (a restart on the same machine at once).",
    )
    outbox_drain_seconds: float = Field(
        10.0,
        ge=0,
        description="At shutdown, seconds to wait for deliveries in flight before releasing them.",
    )
    outbox_retry_base_delay: float = Field(
        1.0, gt=0, description="Seconds before the first retry; doubled for each further one."
    )
    outbox_retry_max_delay: float = Field(
        600.0, gt=0, description="Longest wait between two attempts, in seconds."
    )
    outbox_retry_jitter: float = Field(
        0.2,
        ge=0,
        le=1,
        description="Spread of retry delays: each is multiplied by a random factor in "
        "[1 - jitter, 1 + jitter].",
    )
    outbox_retry_after_max_seconds: float = Field(
        600.0,
        ge=0,
        description="Longest wait a receiver's Retry-After header can impose before the next "
        "attempt; a longer one is cut to this and shown in the outbox view.",
    )
    outbox_max_attempts: int = Field(
        20, ge=1, description="Attempts after which a failing delivery is DEAD."
    )
    outbox_max_age_seconds: float = Field(
        86_400.0,
        gt=0,
        description="Seconds after queueing (or an operator retry) after which a failing "
        "delivery is DEAD.",
    )
    outbox_done_retention_hours: float = Field(
        168.0, gt=0, description="Hours delivered (DONE) outbox items are kept."
    )
    traffic_log_bodies: bool = Field(
        False,
        description="Whether the traffic log keeps request and response bodies (credentials "
        "tokens are always redacted).",
    )
    traffic_retention_hours: float = Field(
        168.0, gt=0, description="Hours traffic-log entries are kept."
    )
    prune_interval_seconds: float = Field(
        3600.0,
        gt=0,
        description="How often old traffic-log entries and delivered outbox items are removed.",
    )
    custom_enum_values: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Extra values accepted in 2.3.0 open enums, e.g. "
        '{"ConnectorType": ["ACME_PLUG"]}; more can be registered at run time '
        "(admin API, `ocpihub enum add`).",
    )
    liveness_interval_seconds: float = Field(
        60.0,
        ge=0,
        description="How often the hub checks that each registered platform answers on its "
        "versions endpoint (0 turns the check off).",
    )
    liveness_failure_threshold: int = Field(
        3,
        ge=1,
        description="Failed checks in a row after which a platform's parties become OFFLINE.",
    )
    # --- scheduled pulls of partners' Sender interfaces; see docs/partners.md ---
    pull_delta_minutes: float = Field(
        60.0,
        ge=0,
        description="How often the hub pulls the changes (date_from = start of the last "
        "successful pull) of Locations, Tariffs and Tokens from each platform that publishes "
        "them as a Sender (0 turns delta pulls off).",
    )
    pull_full_hours: float = Field(
        168.0,
        ge=0,
        description="How often the hub pulls each such list whole, removing what the partner "
        "no longer lists where the module allows (0 turns full pulls off).",
    )
    pull_max_pages: int = Field(
        1000, ge=1, description="Pages one pull follows at most; more stops it with an error."
    )
    pull_max_objects: int = Field(
        500_000,
        ge=1,
        description="Objects one pull reads at most; more stops it with an error.",
    )
    pull_lease_seconds: float = Field(
        60.0,
        gt=0,
        description="Lease of a running pull: renewed with every page; if its process dies, "
        "another process may run the pull after this long.",
    )
    enum_refresh_seconds: float = Field(
        30.0,
        gt=0,
        description="How often a hub process re-reads open-enum values registered by others.",
    )
    directory_cache_seconds: float = Field(
        2.0,
        ge=0,
        description="How long a hub process trusts its in-memory copy of platforms, tokens, "
        "parties, endpoints and agreements. Changes made through this process apply at once; "
        "changes made by the CLI or another hub process apply within this many seconds "
        "(0 reads the database on every request).",
    )

    console_session_minutes: int = Field(
        480,
        ge=1,
        le=10_080,
        description="How long an operator stays signed in to the console at /admin, in minutes.",
    )
    console_signin_failures: int = Field(
        5,
        ge=1,
        description="Failed console sign-ins from one address within 15 minutes after which "
        "further attempts are refused until the oldest failure is 15 minutes old.",
    )

    @field_validator("country_code")
    @classmethod
    def _country_code(cls, value: str) -> str:
        if not _CC.match(value):
            raise ValueError("must be two letters (ISO 3166-1 alpha-2)")
        return value.upper()

    @field_validator("party_id")
    @classmethod
    def _party_id(cls, value: str) -> str:
        if not _PID.match(value):
            raise ValueError("must be three letters or digits")
        return value.upper()

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, value: str) -> str:
        if not re.match(r"^https?://[^/\s]+(/\S*)?$", value):
            raise ValueError("must be an absolute http(s) URL")
        return value.rstrip("/")

    @field_validator("custom_enum_values")
    @classmethod
    def _custom_enum_values(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        if not value:
            return value
        from ocpihub.errors import OcpiError
        from ocpihub.ocpi.registry import validate_custom_values

        try:
            validate_custom_values(value)
        except OcpiError as exc:
            raise ValueError(exc.message) from None
        return value

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("must start with sqlite+aiosqlite:// or postgresql+asyncpg://")
        return value

    @model_validator(mode="after")
    def _public_url_follows_listening(self) -> Settings:
        # unset, the public URL is where this process listens (`serve --port 9000` hands out
        # http://127.0.0.1:9000/...); set by the operator (any source), it is kept as given
        if "public_url" not in self.model_fields_set:
            self.__dict__["public_url"] = listening_url(self.host, self.port)
        return self

    @property
    def public_url_is_set(self) -> bool:
        """Whether the operator set the public URL (else it follows host and port)."""
        return "public_url" in self.model_fields_set

    def page_limit_for(self, module: str) -> int:
        """The X-Limit of list GETs on ``module``."""
        return self.page_limits.get(module, self.page_limit)

    @property
    def hub_party(self) -> tuple[str, str]:
        """The hub's own (country_code, party_id)."""
        return (self.country_code, self.party_id)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        config = os.environ.get("OCPIHUB_CONFIG")
        if config:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=Path(config)))
        return tuple(sources)


def listening_url(host: str, port: int) -> str:
    """``http://HOST:PORT`` of a listening address (loopback for the any-address)."""
    if host in ("", "0.0.0.0", "::"):
        host = "127.0.0.1"
    elif ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}"


def _toml(config: str | None) -> tuple[Path | None, dict[str, Any]]:
    """The TOML file named by ``OCPIHUB_CONFIG``, parsed (empty without one)."""
    if not config:
        return None, {}
    path = Path(config)
    if not path.is_file():
        raise ConfigError(f"OCPIHUB_CONFIG={config!r}: no such file")
    try:
        return path, tomllib.loads(path.read_text())
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"invalid settings file {config!r}: {exc}") from None


def load_settings(**overrides: Any) -> Settings:
    """Read the settings; any invalid value raises :class:`ConfigError` naming the variable or
    TOML key as written, and its value (``settings_errors.py``)."""
    path, toml = _toml(os.environ.get("OCPIHUB_CONFIG"))
    sources = Sources(overrides, toml_path=path, toml=toml)
    check_json_variables(Settings.model_fields, sources)
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = "; ".join(describe_error(e, sources) for e in exc.errors(include_url=False))
        raise ConfigError(f"invalid setting: {problems}") from None
    except ValueError as exc:  # what the reader itself refuses (e.g. a value it cannot decode)
        raise ConfigError(f"invalid setting: {exc}") from None
