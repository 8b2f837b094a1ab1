"""The module table: what each OCPI version defines, and the views the hub derives from it."""

from __future__ import annotations

import pytest

from ocpihub.ocpi import modules as table
from ocpihub.ocpi.modules import TABLE, InterfaceRole, Kind, ModuleId, module, modules_of
from ocpihub.ocpi.v2_1_1.enums import ModuleID as ModuleID211
from ocpihub.ocpi.v2_2_1.enums import ModuleID as ModuleID221
from ocpihub.ocpi.v2_3_0 import MODELS as CANONICAL
from ocpihub.ocpi.v2_3_0.enums import ModuleID as ModuleID230
from ocpihub.ocpi.versions import MODULES

_S, _R = "SENDER", "RECEIVER"
CORE_211 = {"cdrs", "commands", "credentials", "locations", "sessions", "tariffs", "tokens"}


def ids(version: str) -> set[str]:
    return {m.id.value for m in modules_of(version)}


def test_each_version_has_the_modules_ocpi_defines() -> None:
    """2.1.1 has no chargingprofiles or hubclientinfo; 2.2.1 adds both; payments and bookings
    exist in 2.3.0 only."""
    assert ids("2.1.1") == CORE_211
    assert ids("2.2.1") == CORE_211 | {"chargingprofiles", "hubclientinfo"}
    assert ids("2.3.0") == ids("2.2.1") | {"payments", "bookings"}
    assert ids("2.2") == set()
    assert {v: {m.value for m in ms} for v, ms in MODULES.items()} == {
        v: ids(v) for v in ("2.1.1", "2.2.1", "2.3.0")
    }


@pytest.mark.parametrize(
    ("version", "wire"), [("2.1.1", ModuleID211), ("2.2.1", ModuleID221), ("2.3.0", ModuleID230)]
)
def test_each_version_matches_its_wire_module_ids(version: str, wire: type) -> None:
    """Every ModuleID of a version's wire enum names exactly one module of that version."""
    named = {table.module_for_identifier(item.value) for item in wire}
    assert None not in named
    assert {m.id.value for m in named if m is not None} == ids(version)


def test_identifiers_are_unique_and_alternative_spellings_resolve() -> None:
    """The bookings edition's ``Booking`` is the bookings module; unknown identifiers are None."""
    assert table.module_for_identifier("Booking") is module(ModuleId.BOOKINGS)
    assert table.module_for_identifier("bookings") is module("bookings")
    assert table.module_for_identifier("parking") is None
    assert len({m.id for m in TABLE}) == len(TABLE) == len(ModuleId)


def test_every_object_is_a_canonical_model_of_one_module() -> None:
    """Object names are canonical (2.3.0) body models, none claimed by two modules."""
    names = [name for m in TABLE for name in m.objects]
    assert set(names) <= set(CANONICAL)
    assert len(names) == len(set(names))


def test_roles_are_consistent() -> None:
    """The owner offers the Sender interface; configuration modules name no consumers, and
    every module the hub pushes has consumers."""
    for m in TABLE:
        if m.owner is not None:
            assert m.owner in m.senders
        if m.kind is Kind.CONFIGURATION:
            assert not m.consumers and not m.initial_sync and not m.agreed
        if m.kind in (Kind.BROADCAST, Kind.ADDRESSED):
            assert m.consumers
        if m.initial_sync:
            assert m.kind is Kind.BROADCAST


def test_the_hub_serves_both_interfaces_of_functional_modules() -> None:
    """Credentials without a role, HubClientInfo as Sender only, everything else Receiver then
    Sender."""
    served = {m.id.value: m.hub_interfaces for m in TABLE}
    assert served.pop("credentials") == (None,)
    assert served.pop("hubclientinfo") == (InterfaceRole.SENDER,)
    assert set(served.values()) == {(InterfaceRole.RECEIVER, InterfaceRole.SENDER)}


def test_hub_interfaces_follow_the_version_details_order() -> None:
    """The order the hub's version details have always listed."""
    listed = [(m.id.value, r.value if r else None) for m, r in table.hub_interfaces("2.2.1")]
    assert listed == [
        ("credentials", None),
        *((name, side) for name in ("locations", "tariffs", "tokens") for side in (_R, _S)),
        *((name, side) for name in ("sessions", "cdrs", "commands") for side in (_R, _S)),
        ("chargingprofiles", _R),
        ("chargingprofiles", _S),
        ("hubclientinfo", _S),
    ]


@pytest.mark.parametrize(
    ("module_id", "partner", "expected"),
    [
        ("locations", "CPO", _R),
        ("locations", "EMSP", _S),
        ("tokens", "CPO", _S),
        ("tokens", "EMSP", _R),
        ("commands", "CPO", _S),
        ("commands", "EMSP", _R),
        ("cdrs", "EMSP", _S),
        ("credentials", "CPO", None),
        ("chargingprofiles", "CPO", None),
        ("bookings", "EMSP", None),
        ("locations", "NSP", None),
    ],
)
def test_a_211_partner_sees_the_hub_in_the_opposite_role(
    module_id: str, partner: str, expected: str | None
) -> None:
    """Towards a 2.1.1 CPO the hub offers the eMSP's interfaces, and the reverse."""
    found = table.hub_interface_for_211(module_id, partner)
    assert (found.value if found else None) == expected


def test_agreements_and_initial_sync() -> None:
    """Agreements cover every functional module; new partners receive Locations, Tariffs and
    Tokens."""
    assert table.agreement_modules() == (
        "bookings",
        "cdrs",
        "chargingprofiles",
        "commands",
        "locations",
        "payments",
        "sessions",
        "tariffs",
        "tokens",
    )
    assert table.synced_modules() == (
        ("locations", "Location"),
        ("tariffs", "Tariff"),
        ("tokens", "Token"),
    )
    assert table.configuration_modules() == {"credentials", "hubclientinfo"}


def test_push_consumers() -> None:
    """The roles each pushed module is delivered to (digest §1.9, §6)."""
    locations = {"EMSP", "NSP", "NAP", "OTHER", "PTP"}
    assert table.push_consumers() == {
        "locations": locations,
        "tariffs": locations,
        "tokens": {"CPO"},
        "sessions": {"EMSP", "SCSP", "PTP", "OTHER"},
        "cdrs": {"EMSP", "PTP", "OTHER"},
        "payments": {"CPO", "PTP", "OTHER"},
        "bookings": {"EMSP"},
    }


def test_usable_interfaces_per_role() -> None:
    """What makes a party of each role usable (digest §6); OTHER is not listed."""
    cpo_sends = {"locations", "tariffs", "sessions", "cdrs", "bookings"}
    cpo_receives = {"tokens", "commands", "chargingprofiles", "payments"}
    receives = {"locations", "tariffs", "sessions", "cdrs"}
    assert table.usable_interfaces() == {
        "CPO": {(m, _S) for m in cpo_sends} | {(m, _R) for m in cpo_receives},
        "EMSP": {(m, _R) for m in receives | {"bookings"}} | {("tokens", _S), ("commands", _S)},
        "NSP": {("locations", _R), ("tariffs", _R)},
        "NAP": {(m, side) for m in ("locations", "tariffs") for side in (_S, _R)},
        "SCSP": {("chargingprofiles", _S), ("sessions", _R)},
        "PTP": {("payments", _S), ("commands", _S)} | {(m, _R) for m in receives},
    }


def test_implemented_interfaces_of_a_role() -> None:
    """A 2.2.1 eMSP platform also sets charging profiles and receives HubClientInfo; a 2.1.1
    one has neither module."""
    assert table.implemented_interfaces("EMSP", "2.2.1") == [
        ("locations", _R),
        ("tariffs", _R),
        ("tokens", _S),
        ("sessions", _R),
        ("cdrs", _R),
        ("commands", _S),
        ("chargingprofiles", _S),
        ("hubclientinfo", _R),
    ]
    assert [m for m, _ in table.implemented_interfaces("CPO", "2.1.1")] == [
        "locations",
        "tariffs",
        "tokens",
        "sessions",
        "cdrs",
        "commands",
    ]


def test_offers() -> None:
    """Whether a version defines a module, for known and unknown names and versions."""
    assert table.offers("2.3.0", "payments")
    assert not table.offers("2.2.1", "payments")
    assert not table.offers(None, "locations")
    assert not table.offers("2.2.1", "parking")


def test_the_table_imports_only_the_standard_library() -> None:
    """The table is pure: nothing of ocpihub but ``errors`` may be imported by it."""
    import ast
    import sys
    from pathlib import Path

    tree = ast.parse(Path(table.__file__).read_text())
    imported = {
        alias.name if isinstance(node, ast.Import) else str(node.module)
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    for name in imported:
        top = name.split(".")[0]
        assert top in sys.stdlib_module_names or name == "ocpihub.errors", name
