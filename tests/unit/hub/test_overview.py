"""A platform's status at a glance, from its registration and its parties (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ocpihub.hub.overview import PartnerHealth, platform_status
from ocpihub.model.parties import (
    ConnectionStatus,
    Party,
    Platform,
    PlatformStatus,
    TokenEncoding,
)

NOW = datetime(2026, 1, 31, 12, tzinfo=UTC)
CONN, OFF, PLAN, SUSP = (
    ConnectionStatus.CONNECTED,
    ConnectionStatus.OFFLINE,
    ConnectionStatus.PLANNED,
    ConnectionStatus.SUSPENDED,
)


def platform(status: PlatformStatus = PlatformStatus.REGISTERED, name: str = "p") -> Platform:
    """A platform with the given registration status."""
    return Platform(1, name, status, TokenEncoding.AUTO, "2.3.0", None, None, (), NOW, NOW)


def parties(*states: ConnectionStatus) -> list[Party]:
    """Parties of platform 1 in these states."""
    return [Party(i, 1, "NL", f"P{i:02d}", "CPO", s) for i, s in enumerate(states)]


@pytest.mark.parametrize(
    ("registration", "states", "expected"),
    [
        (PlatformStatus.NEW, (), PLAN),
        (PlatformStatus.NEW, (PLAN,), PLAN),
        (PlatformStatus.REGISTERED, (CONN,), CONN),
        (PlatformStatus.REGISTERED, (CONN, OFF), OFF),
        (PlatformStatus.REGISTERED, (SUSP, CONN), CONN),
        (PlatformStatus.REGISTERED, (SUSP, SUSP), SUSP),
        (PlatformStatus.REGISTERED, (PLAN,), PLAN),
        (PlatformStatus.REGISTERED, (), CONN),
        (PlatformStatus.UNREGISTERED, (SUSP,), SUSP),
        (PlatformStatus.UNREGISTERED, (), SUSP),
    ],
)
def test_platform_status(
    registration: PlatformStatus, states: tuple[ConnectionStatus, ...], expected: ConnectionStatus
) -> None:
    """OFFLINE wins, then CONNECTED; not yet registered is PLANNED; unregistered SUSPENDED."""
    assert platform_status(platform(registration), parties(*states)) is expected


def test_problems_come_first() -> None:
    """Partners with problems sort first: offline, dead items, lag, failures; then by status."""
    healthy = PartnerHealth(platform(name="a"), [], CONN, now=NOW)
    planned = PartnerHealth(platform(name="b"), [], PLAN, now=NOW)
    lagging = PartnerHealth(
        platform(name="c"), [], CONN, oldest_open=NOW - timedelta(minutes=10), now=NOW
    )
    offline = PartnerHealth(platform(name="d"), [], OFF, dead=2, now=NOW)
    ordered = sorted([healthy, planned, lagging, offline], key=PartnerHealth.sort_key)
    assert [h.platform.name for h in ordered] == ["d", "c", "b", "a"]
    assert offline.problems == ["offline: not answering the liveness check", "2 dead deliveries"]
    assert lagging.problems == ["oldest undelivered item waits 10 min"]
    assert lagging.as_json()["delivery_lag_seconds"] == 600
    assert healthy.problems == [] and healthy.error_rate is None
