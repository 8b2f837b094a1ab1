"""Pure Session/CDR rules: addressing, PATCH merging with append semantics, period deltas."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ocpihub.errors import InvalidParameters
from ocpihub.hub.sessions import (
    addressee,
    appended_periods,
    mailbox_key,
    mailbox_module,
    merge_patch,
)

HUB = ("NL", "HUB")


def period(minute: int, volume: float = 1.0) -> dict[str, Any]:
    """One charging period starting at 10:MM."""
    return {
        "start_date_time": f"2024-01-01T10:{minute:02d}:00Z",
        "dimensions": [{"type": "ENERGY", "volume": volume}],
    }


def session(**changes: Any) -> dict[str, Any]:
    """A small canonical session of NL-CPO for a token of DE-MSP."""
    doc: dict[str, Any] = {
        "country_code": "NL",
        "party_id": "CPO",
        "id": "S1",
        "kwh": 1.0,
        "cdr_token": {"country_code": "de", "party_id": "msp", "uid": "U", "type": "RFID"},
        "charging_periods": [period(0)],
        "status": "ACTIVE",
        "last_updated": "2024-01-01T10:00:00Z",
    }
    doc.update(changes)
    return doc


def test_addressee_is_the_cdr_token_owner() -> None:
    """Without OCPI-to headers a session goes to its cdr_token's owner (upper-cased)."""
    assert addressee(None, session(), HUB) == ("DE", "MSP")


def test_addressee_prefers_the_to_headers() -> None:
    """OCPI-to headers naming a party win over the cdr_token."""
    assert addressee(("fr", "scs"), session(), HUB) == ("FR", "SCS")


def test_to_headers_naming_the_hub_mean_open_routing() -> None:
    """OCPI-to = the hub itself: the hub picks the target from the cdr_token."""
    assert addressee(HUB, session(), HUB) == ("DE", "MSP")


def test_no_owner_anywhere_is_2001() -> None:
    """A document without a cdr_token owner and no to-headers cannot be addressed."""
    with pytest.raises(InvalidParameters, match="cdr_token"):
        addressee(None, {"id": "S1"}, HUB)


def test_mailbox_names() -> None:
    """Mailbox copies live in their own module, kind = owner cc+pid."""
    assert mailbox_module("sessions") == "sessions.to"
    assert mailbox_key(("nl", "cpo")) == "NLCPO"


def test_patch_replaces_fields_and_appends_periods() -> None:
    """A 2.2+ PATCH replaces the fields it names and appends its charging_periods."""
    patch = {"kwh": 2.0, "charging_periods": [period(5)], "last_updated": "2024-01-01T10:05:00Z"}
    merged = merge_patch(session(), patch, append_periods=True)
    assert merged["kwh"] == 2.0
    assert merged["charging_periods"] == [period(0), period(5)]
    assert merged["last_updated"] == "2024-01-01T10:05:00Z"
    assert merged["status"] == "ACTIVE"


@pytest.mark.parametrize("periods", [[], None])
def test_empty_or_absent_periods_leave_the_list(periods: Any) -> None:
    """An empty or absent charging_periods in a 2.2+ PATCH leaves the stored list alone."""
    patch: dict[str, Any] = {"kwh": 3.0, "last_updated": "2024-01-01T10:05:00Z"}
    if periods is not None:
        patch["charging_periods"] = periods
    assert merge_patch(session(), patch, append_periods=True)["charging_periods"] == [period(0)]


def test_211_patch_replaces_the_periods() -> None:
    """A 2.1.1 PATCH's charging_periods replace the stored list (2.1.1 has no append rule)."""
    patch = {"charging_periods": [period(7)], "last_updated": "2024-01-01T10:07:00Z"}
    merged = merge_patch(session(), patch, append_periods=False)
    assert merged["charging_periods"] == [period(7)]


def test_merge_does_not_change_its_inputs() -> None:
    """Merging copies: neither the stored document nor the PATCH is modified."""
    stored, patch = session(), {"charging_periods": [period(5)], "last_updated": "x"}
    merge_patch(stored, patch, append_periods=True)
    assert stored == session()
    assert patch == {"charging_periods": [period(5)], "last_updated": "x"}


def legacy(entries: dict[str, Any], synthesized: list[str] | None = None) -> dict[str, Any]:
    """A hub-private annotation with 2.1.1 legacy entries."""
    private: dict[str, Any] = {"legacy": {"2.1.1": entries}}
    if synthesized:
        private["synthesized"] = synthesized
    return private


def test_legacy_entries_of_patched_fields_come_from_the_patch() -> None:
    """Legacy entries follow their field: kept unless the PATCH sets it, the PATCH's added."""
    stored = session(_ocpihub=legacy({"location": {"id": "L"}, "auth_id": "old"}, ["cdr_token"]))
    patch = {
        "cdr_token": {"country_code": "DE", "party_id": "MSP", "uid": "V", "type": "RFID"},
        "last_updated": "2024-01-01T10:05:00Z",
        "_ocpihub": legacy({"auth_id": "new", "last_updated": None}),
    }
    merged = merge_patch(stored, patch, append_periods=False)
    assert merged["_ocpihub"] == legacy({"location": {"id": "L"}, "auth_id": "new"})


def test_legacy_period_entries_follow_the_semantics() -> None:
    """Period annotations: kept when appending, replaced with the list when replacing."""
    stored = session(_ocpihub=legacy({"charging_periods[+1]": {"flat": 1}}))
    patch = {
        "charging_periods": [period(9)],
        "last_updated": "2024-01-01T10:09:00Z",
        "_ocpihub": legacy({"charging_periods[+0]": {"flat": 2}}),
    }
    appended = merge_patch(stored, patch, append_periods=True)
    assert appended["_ocpihub"] == legacy({"charging_periods[+1]": {"flat": 1}})
    replaced = merge_patch(stored, patch, append_periods=False)
    assert replaced["_ocpihub"] == legacy({"charging_periods[+0]": {"flat": 2}})


def test_no_annotations_no_private_key() -> None:
    """A merge of plain documents adds no hub-private key."""
    merged = merge_patch(session(), {"kwh": 5.0, "last_updated": "y"}, append_periods=True)
    assert "_ocpihub" not in merged


def test_appended_periods_of_a_longer_list() -> None:
    """A replacing list that extends the stored one adds its tail."""
    assert appended_periods([period(0)], [period(0), period(5)]) == [period(5)]
    assert appended_periods(None, [period(0)]) == [period(0)]
    assert appended_periods([period(0)], [period(0)]) == []


def test_appended_periods_of_a_rewritten_list_is_none() -> None:
    """A replacing list that drops or changes earlier periods cannot be an append."""
    assert appended_periods([period(0), period(5)], [period(0)]) is None
    assert appended_periods([period(0)], [period(0, 2.0), period(5)]) is None


periods = st.lists(st.builds(period, st.integers(0, 59), st.floats(0, 100)), max_size=6)


@settings(max_examples=60, deadline=None)
@given(stored=periods, added=periods)
def test_append_and_delta_agree(stored: list[dict[str, Any]], added: list[dict[str, Any]]) -> None:
    """Appending what appended_periods finds in a replacement rebuilds the replacement."""
    replacement = stored + added
    delta = appended_periods(stored, replacement)
    assert delta == added
    doc = session(charging_periods=stored)
    merged = merge_patch(doc, {"charging_periods": delta, "last_updated": "z"}, append_periods=True)
    assert merged["charging_periods"] == replacement
