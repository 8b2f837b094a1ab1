"""Log lines a person can read: ISO 8601 times, on stderr, plain tracebacks."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
import structlog

from ocpihub.log import configure_logging


@pytest.fixture(autouse=True)
def _reset_structlog() -> Iterator[None]:
    yield
    structlog.reset_defaults()


def test_json_lines_carry_iso_times_on_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    """A datetime logged as a value is ISO 8601 (not its repr), and nothing goes to stdout."""
    configure_logging("json", "info")
    due = datetime(2026, 1, 31, 12, 30, tzinfo=UTC)
    structlog.get_logger("t").info("retry", next_attempt_at=due, days=[date(2026, 2, 1)])
    out, err = capsys.readouterr()
    assert out == ""
    line = json.loads(err)
    assert line["next_attempt_at"] == "2026-01-31T12:30:00+00:00"
    assert line["days"] == ["2026-02-01"]
    assert datetime.fromisoformat(line["timestamp"]).tzinfo is not None
    assert "datetime.datetime" not in err


def test_console_lines_are_readable(capsys: pytest.CaptureFixture[str]) -> None:
    """The terminal form shows ISO times and a plain traceback without local variables."""
    configure_logging("console", "info")
    secret = "token-value-never-shown"  # noqa: F841 - a local the traceback must not show
    try:
        raise ValueError("boom")
    except ValueError:
        structlog.get_logger("t").exception("failed", at=datetime(2026, 1, 31, tzinfo=UTC))
    out, err = capsys.readouterr()
    assert out == ""
    assert "at=2026-01-31T00:00:00+00:00" in err
    assert "ValueError: boom" in err
    assert "token-value-never-shown" not in err
