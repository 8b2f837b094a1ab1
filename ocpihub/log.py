"""Structured logging (structlog): JSON lines in production, readable lines on a terminal.

Log lines always go to stderr (standard output belongs to the CLI's own output, e.g. ``--json``)
and every time in them is ISO 8601, the event's own ``timestamp`` and any value logged alike.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import MutableMapping
from datetime import date, datetime, time
from typing import Any

import structlog

__all__ = ["configure_logging", "iso_times"]

_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warning": logging.WARNING}


def iso_times(
    logger: Any, method: str, event: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """Processor: datetime, date and time values (at any depth) as ISO 8601 text."""
    for key, value in event.items():
        event[key] = _iso(value)
    return event


def _iso(value: Any) -> Any:
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _iso(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_iso(v) for v in value]
    return value


def configure_logging(fmt: str = "auto", level: str = "info") -> None:
    """Set up structlog once per process; ``fmt`` is json, console or auto."""
    use_json = fmt == "json" or (fmt == "auto" and not sys.stderr.isatty())
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer()
        if use_json
        # plain tracebacks: rich ones show local variables (tokens among them) and take
        # seconds to render under load, on the event loop
        else structlog.dev.ConsoleRenderer(
            colors=False, exception_formatter=structlog.dev.plain_traceback
        )
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            iso_times,
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(_LEVELS.get(level, logging.ERROR)),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=False,
    )
