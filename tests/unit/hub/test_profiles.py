"""Profile switches are validated where every path sets them (``hub/platforms.py``), and the
page size cap bounds the ``limit`` the hub asks a partner for (``outbound/limits.py``)."""

from __future__ import annotations

import pytest

from ocpihub.errors import InvalidParameters
from ocpihub.hub.platforms import profile_with
from ocpihub.model.profiles import STRICT, Profile
from ocpihub.outbound.limits import capped_page


def test_strict_by_default_and_round_trips() -> None:
    """The default is strict; a profile survives its JSON form; an empty document is strict."""
    assert STRICT.strict and Profile.from_json(None) is STRICT
    profile = profile_with(
        STRICT, {"page_size_cap": 100, "tolerate": ["lowercase_enums"], "timeout_seconds": 3}
    )
    assert not profile.strict
    assert Profile.from_json(profile.as_json()) == profile
    assert profile.timeout_seconds == 3.0 and profile.tolerates("lowercase_enums")


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"nonsense": 1}, "profile.nonsense"),
        ({"page_size_cap": True}, "profile.page_size_cap: True"),
        ({"page_size_cap": "100"}, "profile.page_size_cap: '100'"),
        ({"timeout_seconds": -1}, "profile.timeout_seconds: -1"),
        ({"tolerate": "lowercase_enums"}, "must be a list of names"),
        ({"backports": ["x"]}, "'x' is not one of"),
    ],
)
def test_bad_switches_are_refused_naming_them(changes: dict[str, object], named: str) -> None:
    """Each bad switch is a 2001 naming the switch and the value."""
    with pytest.raises(InvalidParameters) as refused:
        profile_with(STRICT, changes)
    assert named in refused.value.message


@pytest.mark.parametrize(
    ("given", "cap", "sent"),
    [
        ({}, None, None),
        ({"limit": "500"}, None, "500"),
        ({}, 100, "100"),
        ({"limit": "500"}, 100, "100"),
        ({"limit": "20"}, 100, "20"),
        ({"limit": "-3"}, 100, "100"),
        ({"limit": "٣"}, 100, "100"),
    ],
)
def test_page_size_cap(given: dict[str, str], cap: int | None, sent: str | None) -> None:
    """A missing, larger or unreadable limit becomes the cap; a smaller one stays."""
    assert capped_page(given, cap).get("limit") == sent
