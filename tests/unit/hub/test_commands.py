"""Command relay policy: routing keys, deadlines, the announced timeout, which results relay."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from ocpihub.hub.commands import (
    RoutingKey,
    announced_timeout,
    cancel_unsupported,
    deadlines,
    profile_deadlines,
    relays,
    relays_once,
    routing_key,
)

NOW = datetime(2024, 5, 1, 10, 0, tzinfo=UTC)


def test_routing_keys() -> None:
    """STOP routes by session, CANCEL by reservation, the others by location."""
    assert routing_key("STOP_SESSION", {"session_id": "S1"}) == RoutingKey("session", "S1")
    assert routing_key("CANCEL_RESERVATION", {"reservation_id": "R"}) == RoutingKey(
        "reservation", "R"
    )
    for command in ("START_SESSION", "RESERVE_NOW", "UNLOCK_CONNECTOR"):
        assert routing_key(command, {"location_id": "L"}) == RoutingKey("location", "L")


def test_deadlines_timeout_plus_grace() -> None:
    """A command's TIMEOUT is due at timeout + grace, and its mapping ends then."""
    limits = deadlines("START_SESSION", NOW, 30, 5)
    assert limits.result_due == limits.expires == NOW + timedelta(seconds=35)


def test_reservation_mapping_lives_until_expiry_date() -> None:
    """RESERVE_NOW keeps its mapping until expiry_date, but TIMEOUT is still due on time."""
    expiry = NOW + timedelta(hours=2)
    limits = deadlines("RESERVE_NOW", NOW, 30, 5, expiry)
    assert limits.result_due == NOW + timedelta(seconds=35)
    assert limits.expires == expiry
    assert deadlines("RESERVE_NOW", NOW, 30, 5, NOW).expires == NOW + timedelta(seconds=35)


def test_profile_deadlines_post_no_timeout() -> None:
    """Charging-profile requests have no hub TIMEOUT result."""
    limits = profile_deadlines(NOW, 10, 1)
    assert limits.result_due is None and limits.expires == NOW + timedelta(seconds=11)


@settings(max_examples=50, deadline=None)
@given(st.integers(min_value=0, max_value=10_000), st.floats(min_value=0, max_value=600))
def test_announced_timeout_covers_the_hub_timeout(timeout: int, grace: float) -> None:
    """The eMSP is told to wait at least until the hub's own TIMEOUT result is due."""
    assert announced_timeout(timeout, grace) >= timeout + grace


def test_relays_first_result_then_only_new_reservation_outcomes() -> None:
    """The first result relays; duplicates never; later new ones only for reservations."""
    assert relays("START_SESSION", [], "ACCEPTED")
    assert not relays("START_SESSION", ["ACCEPTED"], "ACCEPTED")
    assert not relays("START_SESSION", ["TIMEOUT"], "ACCEPTED")
    assert relays("RESERVE_NOW", ["ACCEPTED"], "CANCELED_RESERVATION")
    assert not relays("RESERVE_NOW", ["ACCEPTED"], "ACCEPTED")
    assert relays_once("GET", [], "ACCEPTED") and not relays_once("GET", ["UNKNOWN"], "ACCEPTED")


def test_cancel_unsupported_only_towards_211() -> None:
    """Only a CANCEL_RESERVATION for a 2.1.1 CPO is answered by the hub itself."""
    assert cancel_unsupported("CANCEL_RESERVATION", "2.1.1")
    assert not cancel_unsupported("CANCEL_RESERVATION", "2.2.1")
    assert not cancel_unsupported("STOP_SESSION", "2.1.1")
