"""Payments policy: the acting PTP, the counterpart choice, the terminal registry and merges."""

from __future__ import annotations

import pytest

from ocpihub.errors import InvalidParameters, NotFound
from ocpihub.hub.payments import (
    PTP_ROLES,
    REGISTRY_KEY,
    choose_party,
    hosted_party,
    merge_terminal,
    terminal_parties,
    with_registry,
)

PTP = ("AT", "PTP")
CPO = ("NL", "CPO")


def test_ptp_registered_as_other_acts_as_ptp() -> None:
    """A party registered with role OTHER (2.3.0 has no PTP) or declared PTP acts as a PTP."""
    assert hosted_party([("AT", "PTP", "OTHER")], None, PTP_ROLES) == PTP
    assert hosted_party([("AT", "PTP", "PTP")], None, PTP_ROLES) == PTP


def test_acting_party_must_be_hosted_and_unambiguous() -> None:
    """OCPI-from must name a hosted PTP; several PTPs without OCPI-from are refused."""
    hosted = [("AT", "PTP", "OTHER"), ("AT", "PT2", "OTHER"), ("NL", "CPO", "CPO")]
    assert hosted_party(hosted, ("AT", "PT2"), PTP_ROLES) == ("AT", "PT2")
    with pytest.raises(InvalidParameters, match="several"):
        hosted_party(hosted, None, PTP_ROLES)
    with pytest.raises(NotFound):
        hosted_party(hosted, ("NL", "CPO"), PTP_ROLES)
    with pytest.raises(NotFound):
        hosted_party([("NL", "CPO", "CPO")], None, PTP_ROLES)


def test_counterpart_from_header_hint_or_only_agreement() -> None:
    """OCPI-to wins, then the object's own party, then the only agreed party; else refused."""
    agreed = [CPO, ("NL", "TWO")]
    assert choose_party(("NL", "TWO"), CPO, agreed, what="CPO") == ("NL", "TWO")
    assert choose_party(None, CPO, agreed, what="CPO") == CPO
    assert choose_party(None, None, [CPO], what="CPO") == CPO
    with pytest.raises(InvalidParameters, match="NL-CPO, NL-TWO"):
        choose_party(None, None, agreed, what="CPO")
    with pytest.raises(NotFound):
        choose_party(None, None, [], what="CPO")


def test_registry_round_trip_and_merge_keeps_it() -> None:
    """The registry entry survives a PATCH merge, which cannot overwrite it."""
    stored = with_registry({"terminal_id": "T1", "location_ids": []}, PTP, CPO)
    assert terminal_parties(stored) == (PTP, CPO)
    merged = merge_terminal(
        stored, {"location_ids": ["L1"], REGISTRY_KEY: {"ptp": ["X", "X"], "cpo": ["Y", "Y"]}}
    )
    assert merged["location_ids"] == ["L1"]
    assert terminal_parties(merged) == (PTP, CPO)
    assert terminal_parties({"terminal_id": "T1"}) is None
