"""What ``serve`` (and ``demo``) check before they start serving: one process per SQLite file,
and a public URL that leads to this process.

The public URL is only warned about, never refused: behind a proxy or load balancer it rightly
differs from the listening address. An ``https://`` URL always has something in front (the hub
itself serves plain HTTP, so TLS ends elsewhere) and is left alone; an ``http://`` URL on a port
other than the one this process listens on is warned about.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from ocpihub.settings import Settings

__all__ = ["hold_sqlite_or_exit", "public_url_warnings", "ready_to_serve"]

_ANY_ADDRESS = ("", "0.0.0.0", "::")


def ready_to_serve(settings: Settings, workers: int) -> None:
    """Before ``serve`` starts: refuse what cannot work (exit 2: several processes on SQLite),
    take the SQLite lock, set up logging, and log what might keep partners away."""
    import structlog

    from ocpihub.cli._common import bad_argument
    from ocpihub.log import configure_logging

    if workers > 1 and settings.database_url.startswith("sqlite"):
        bad_argument(
            f"--workers {workers} needs PostgreSQL (OCPIHUB_DATABASE_URL="
            "postgresql+asyncpg://...): SQLite serves one hub process; see docs/deployment.md"
        )
    hold_sqlite_or_exit(settings)  # held until the process ends, however it ends
    configure_logging(settings.log_format, settings.log_level)
    for warning in public_url_warnings(settings):
        structlog.get_logger("ocpihub.serve").warning(warning)


def hold_sqlite_or_exit(settings: Settings) -> int | None:
    """On SQLite, take the database's serve lock for the life of this process (its file
    descriptor); exit 2 pointing to PostgreSQL when another process serves the file."""
    from ocpihub.cli._common import bad_argument, sqlite_path
    from ocpihub.store.serve_lock import DatabaseInUse, hold_serve_lock

    path = sqlite_path(settings.database_url)
    if path is None or not path.parent.is_dir():
        return None  # PostgreSQL, in-memory, or a folder that is not there (SQLite says so)
    try:
        return hold_serve_lock(path)
    except DatabaseInUse as exc:
        by = f"process {exc.pid}" if exc.pid else "another process"
        bad_argument(
            f"the SQLite database {path} is already served by {by} (another `ocpihub serve`). "
            "SQLite serves one hub process: stop the other one, or run several on PostgreSQL "
            "(OCPIHUB_DATABASE_URL=postgresql+asyncpg://...; see docs/deployment.md)"
        )


def _port(url: str) -> int | None:
    parts = urlsplit(url)
    try:
        return parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    except ValueError:
        return None


def public_url_warnings(settings: Settings) -> list[str]:
    """Why partners might not reach this process at the public URL it hands out."""
    if not settings.public_url_is_set:
        if settings.host in _ANY_ADDRESS:
            return [
                f"listening on all addresses ({settings.host or 'any'}), the public URL is "
                f"{settings.public_url}, which partners on other machines cannot reach: set "
                "OCPIHUB_PUBLIC_URL to the URL they use"
            ]
        return []
    port = _port(settings.public_url)
    if port == settings.port or settings.public_url.startswith("https://"):
        # `serve` speaks plain HTTP: an https public URL always means a proxy in front
        return []
    return [
        f"OCPIHUB_PUBLIC_URL {settings.public_url} is on port {port}, but this process listens "
        f"on port {settings.port}: partners are sent to port {port}. Right behind a proxy or "
        "load balancer that forwards it here; otherwise correct OCPIHUB_PUBLIC_URL, or unset it "
        "to follow --host and --port"
    ]
