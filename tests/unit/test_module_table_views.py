"""What the rest of the hub reads from the module table is what it used to declare by hand."""

from __future__ import annotations

from ocpihub.hub.agreements import AGREEMENT_MODULES
from ocpihub.hub.discovery import ROLE_INTERFACES
from ocpihub.hub.initial_sync import SYNCED_MODULES
from ocpihub.hub.pull_plan import PULLED
from ocpihub.hub.routing import RECEIVING_ROLES
from ocpihub.ocpi import modules as table
from ocpihub.ocpi.headers import CONFIGURATION_MODULES
from ocpihub.testing.peer import DEFAULT_MODULES
from ocpihub.testing.ptp import PTP_MODULES

_S, _R = "SENDER", "RECEIVER"


def test_hub_policies_read_the_table() -> None:
    """Agreements, initial sync, push receivers and usable interfaces come from the table."""
    assert table.agreement_modules() == AGREEMENT_MODULES
    assert table.synced_modules() == SYNCED_MODULES
    assert table.push_consumers() == RECEIVING_ROLES
    assert table.usable_interfaces() == ROLE_INTERFACES
    assert {"versions", "credentials", "hubclientinfo"} == CONFIGURATION_MODULES


def test_pulls_ask_the_owner_of_each_synced_module() -> None:
    """Locations and Tariffs are pulled from CPOs, Tokens from eMSPs."""
    assert {m: p.owner_role for m, p in PULLED.items()} == {
        "locations": "CPO",
        "tariffs": "CPO",
        "tokens": "EMSP",
    }


def test_peer_defaults() -> None:
    """A test CPO or eMSP implements its role's 2.2.1 interfaces (an eMSP also sets charging
    profiles; both receive HubClientInfo); a PTP its 2.3.0 ones."""
    cpo_sends = {"locations", "tariffs", "sessions", "cdrs"}
    cpo_receives = {"tokens", "commands", "chargingprofiles", "hubclientinfo"}
    assert set(DEFAULT_MODULES) == {"CPO", "EMSP"}
    assert set(DEFAULT_MODULES["CPO"]) == {(m, _S) for m in cpo_sends} | {
        (m, _R) for m in cpo_receives
    }
    assert set(DEFAULT_MODULES["EMSP"]) == {(m, _R) for m in cpo_sends | {"hubclientinfo"}} | {
        (m, _S) for m in ("tokens", "commands", "chargingprofiles")
    }
    assert set(PTP_MODULES) == {("payments", _S), ("commands", _S)} | {
        (m, _R) for m in ("locations", "tariffs", "sessions", "cdrs")
    }
