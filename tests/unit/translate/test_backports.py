"""Back-ports (``translate/backports.py``): chosen 2.3.0 fields put back into what a 2.2.1
receiver gets, only when enabled, and then no longer in the loss report."""

from __future__ import annotations

from typing import Any

from ocpihub.testing import payloads
from ocpihub.translate import from_canonical
from ocpihub.translate.backports import BACKPORTS, apply

ALL = sorted(BACKPORTS)


def location() -> dict[str, Any]:
    """A canonical Location carrying every back-portable field (two EVSEs, the first of which
    2.2.1 cannot express: its plug has no 2.2.1 name)."""
    loc = payloads.location("NL", "CPO", "LOC1", evses=2, tariff_id="T1")
    loc["help_phone"] = "+31201234567"
    loc["parking_places"] = [{"id": "P1", "vehicle_types": ["PERSONAL_VEHICLE"]}]
    first, second = loc["evses"]
    first["connectors"][0]["standard"] = "MCS"
    second["accepted_service_providers"] = ["NL-MSP"]
    second["connectors"][0]["capabilities"] = ["ISO_15118_2_PLUG_AND_CHARGE"]
    return loc


def test_not_enabled_is_lost_as_before() -> None:
    """Without back-ports the fields are dropped and reported; apply with none changes nothing."""
    wire, loss = from_canonical("2.2.1", "Location", location())
    out, kept = apply("2.2.1", "Location", location(), dict(wire), loss, [])
    assert out == wire and kept is loss
    for path in ("help_phone", "parking_places", "evses[1].accepted_service_providers"):
        assert path in loss.paths()
    assert "evses[1].connectors[0].capabilities" in loss.paths()


def test_enabled_fields_are_delivered_and_leave_the_loss_report() -> None:
    """Each enabled back-port is put back where the canonical object has it (EVSEs and
    connectors matched by uid/id, the dropped EVSE skipped); other losses stay."""
    canonical = location()
    wire, loss = from_canonical("2.2.1", "Location", canonical)
    out, kept = apply("2.2.1", "Location", canonical, wire, loss, ALL)
    assert out["help_phone"] == "+31201234567"
    assert out["parking_places"] == canonical["parking_places"]
    (evse,) = out["evses"]
    assert evse["uid"] == "LOC1-E2"
    assert evse["accepted_service_providers"] == ["NL-MSP"]
    assert evse["connectors"][0]["capabilities"] == ["ISO_15118_2_PLUG_AND_CHARGE"]
    assert not {"help_phone", "parking_places"} & set(kept.paths())
    assert "evses[0]" in kept.paths()  # the EVSE 2.2.1 cannot express is still reported


def test_only_chosen_and_only_to_their_version() -> None:
    """One back-port brings one field; a 2.1.1 receiver gets none of the 2.2.1 back-ports;
    an EVSE body gets its own field."""
    canonical = location()
    wire, loss = from_canonical("2.2.1", "Location", canonical)
    out, kept = apply("2.2.1", "Location", canonical, wire, loss, ["location.help_phone"])
    assert "help_phone" in out and "parking_places" not in out
    assert "parking_places" in kept.paths()
    old, old_loss = from_canonical("2.1.1", "Location", canonical)
    out, kept = apply("2.1.1", "Location", canonical, dict(old), old_loss, ALL)
    assert "help_phone" not in out and kept is old_loss
    evse = canonical["evses"][1]
    wire, loss = from_canonical("2.2.1", "EVSE", evse)
    out, kept = apply("2.2.1", "EVSE", evse, wire, loss, ALL)
    assert out["accepted_service_providers"] == ["NL-MSP"]
    assert out["connectors"][0]["capabilities"] == ["ISO_15118_2_PLUG_AND_CHARGE"]
    assert not kept
