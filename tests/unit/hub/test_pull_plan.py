"""The pure part of scheduled pulls: Link parsing (partner input, fuzzed), the guards, what is
due when, and which endpoint is pulled (issue 19.2)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ocpihub.errors import PullStopped
from ocpihub.hub.pull_plan import (
    PULLED,
    LinkGuard,
    Removal,
    due_kind,
    next_due,
    next_link,
    pull_endpoint,
)
from ocpihub.model.parties import ConnectionStatus, Endpoint, Party
from ocpihub.store.pulls import PullProgress, PullRow

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
HOUR, WEEK = timedelta(hours=1), timedelta(days=7)


def row(synced: datetime | None, full: datetime | None, *, running: bool = False) -> PullRow:
    return PullRow(
        1, "locations", running, "delta", "OK", "c", NOW, NOW, PullProgress(), synced, full
    )


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (
            '<https://p.example/ocpi/locations?offset=10>; rel="next"',
            "https://p.example/ocpi/locations?offset=10",
        ),
        ("<https://p.example/a>; rel=next", "https://p.example/a"),
        (
            '<https://p.example/prev>; rel="prev", <https://p.example/n>; rel="next"',
            "https://p.example/n",
        ),
        ('<https://p.example/a>; REL="Next"', "https://p.example/a"),
        ('<https://p.example/a>; rel="last"', None),
        ("https://p.example/a; rel=next", None),
        ("", None),
        (None, None),
    ],
)
def test_next_link(header: str | None, expected: str | None) -> None:
    """The rel=next target of a Link header, whatever its neighbours and case."""
    assert next_link(header) == expected


@given(st.text(max_size=300))
def test_next_link_never_fails_on_partner_input(header: str) -> None:
    """Whatever a partner sends as Link, the parser answers a URL from inside it or None."""
    found = next_link(header)
    assert found is None or found in header


def test_link_guard_stops_a_loop_and_oversized_pulls() -> None:
    """A URL met twice stops the pull; so do more pages or objects than the guards allow."""
    guard = LinkGuard(max_pages=3, max_objects=10)
    guard.page("https://p.example/1")
    guard.page("https://p.example/2")
    with pytest.raises(PullStopped, match="Link loop"):
        guard.page("https://p.example/1")
    guard.page("https://p.example/3")
    with pytest.raises(PullStopped, match="pull_max_pages"):
        guard.page("https://p.example/4")
    guard.add(10)
    with pytest.raises(PullStopped, match="pull_max_objects"):
        guard.add(1)


def test_what_is_due() -> None:
    """Never pulled: a full pull at once; then a delta after its period, a full after its own;
    nothing while running; a period of None is off."""
    assert due_kind(None, NOW, delta=HOUR, full=WEEK) == "full"
    assert due_kind(None, NOW, delta=HOUR, full=None) == "delta"
    assert due_kind(None, NOW, delta=None, full=None) is None
    fresh = row(NOW - timedelta(minutes=10), NOW - timedelta(days=1))
    assert due_kind(fresh, NOW, delta=HOUR, full=WEEK) is None
    stale = row(NOW - timedelta(minutes=61), NOW - timedelta(days=1))
    assert due_kind(stale, NOW, delta=HOUR, full=WEEK) == "delta"
    old_full = row(NOW - timedelta(minutes=1), NOW - timedelta(days=8))
    assert due_kind(old_full, NOW, delta=HOUR, full=WEEK) == "full"
    assert due_kind(row(None, None, running=True), NOW, delta=HOUR, full=WEEK) is None
    assert next_due(fresh, delta=HOUR, full=None) == (NOW + timedelta(minutes=50), None)


def _party(role: str) -> Party:
    return Party(1, 1, "NL", "ABC", role, ConnectionStatus.CONNECTED)


def test_pull_endpoint_needs_a_sender_and_the_owner_role() -> None:
    """Locations are pulled from a CPO's Sender; a Receiver endpoint or an eMSP is not pulled."""
    sender = Endpoint("locations", "SENDER", "https://p.example/locations")
    receiver = Endpoint("locations", "RECEIVER", "https://p.example/in")
    assert pull_endpoint("locations", [receiver, sender], [_party("CPO")]) == (
        "https://p.example/locations",
        ("NL", "ABC"),
    )
    assert pull_endpoint("locations", [receiver], [_party("CPO")]) is None
    assert pull_endpoint("locations", [sender], [_party("EMSP")]) is None
    assert pull_endpoint("cdrs", [sender], [_party("CPO")]) is None


def test_removal_per_module() -> None:
    """Locations are never deleted, Tariffs are, Tokens are invalidated (docs/partners.md)."""
    assert {m: p.removal for m, p in PULLED.items()} == {
        "locations": Removal.NONE,
        "tariffs": Removal.DELETE,
        "tokens": Removal.INVALIDATE,
    }
