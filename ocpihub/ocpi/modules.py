"""The module table: every OCPI module the hub speaks, declared once.

One frozen :class:`Module` per module says in which versions it exists, what kind of traffic it
carries, which party roles offer its two interfaces, whom the hub delivers its pushes to, which
objects it holds, and whether agreements and initial syncs concern it. Everything that depends
on "which modules exist" is derived from :data:`TABLE`: the hub's routes and version details
(``inbound/routes.py``), the version × module matrix (``ocpi/versions.py``), the usable
interfaces of a role (``hub/discovery.py``), push receivers (``hub/routing.py``), the modules an
agreement can name (``hub/agreements.py``), the initial sync (``hub/initial_sync.py``), the
configuration modules that carry no routing headers, and the default interfaces of a test
``Peer``. Adding a module starts here (docs/architecture.md, "Adding a module").

The table's order is the order of the hub's version details. The roles follow the digest's
module × role matrix (§6, indicative in the spec); a 2.1.1 partner, whose endpoints carry no
role, sees the hub in the role opposite to its own (§1.1).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlsplit

__all__ = [
    "SUPPORTED_VERSIONS",
    "TABLE",
    "InterfaceRole",
    "Kind",
    "Module",
    "ModuleId",
    "agreement_modules",
    "configuration_modules",
    "hub_interface_for_211",
    "hub_interfaces",
    "implemented_interfaces",
    "module",
    "module_for_identifier",
    "module_of",
    "modules_of",
    "offers",
    "push_consumers",
    "synced_modules",
    "usable_interfaces",
]

SUPPORTED_VERSIONS: tuple[str, ...] = ("2.1.1", "2.2.1", "2.3.0")
"""Versions the hub speaks, oldest first."""


class InterfaceRole(StrEnum):
    """SENDER: the data owner's interface; RECEIVER: the data consumer's (2.2+ terms)."""

    SENDER = "SENDER"
    RECEIVER = "RECEIVER"


class ModuleId(StrEnum):
    """Module identifiers as they appear in version details."""

    CDRS = "cdrs"
    CHARGING_PROFILES = "chargingprofiles"
    COMMANDS = "commands"
    CREDENTIALS = "credentials"
    HUB_CLIENT_INFO = "hubclientinfo"
    LOCATIONS = "locations"
    SESSIONS = "sessions"
    TARIFFS = "tariffs"
    TOKENS = "tokens"
    PAYMENTS = "payments"
    BOOKINGS = "bookings"


class Kind(StrEnum):
    """What the hub does with a module's traffic (DESIGN rules 4 and 5)."""

    BROADCAST = "broadcast"  # stored, pushed to every agreed consumer (or the one OCPI-to names)
    ADDRESSED = "addressed"  # stored, pushed to the one party an object concerns
    RELAYED = "relayed"  # not stored: forwarded synchronously, answers relayed back
    CONFIGURATION = "configuration"  # between the hub and each platform: no routing headers


_S, _R = InterfaceRole.SENDER, InterfaceRole.RECEIVER
_ALL = SUPPORTED_VERSIONS
_SINCE_221 = ("2.2.1", "2.3.0")
_ONLY_230 = ("2.3.0",)
_NONE: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Module:
    """One OCPI module as the hub serves and routes it."""

    id: ModuleId
    kind: Kind
    versions: tuple[str, ...]
    objects: tuple[str, ...]
    """Canonical object names the module carries; the first is its main object."""
    owner: str | None = None
    """The role whose platform offers the Sender interface: the data owner (for commands and
    charging profiles, the party that sends them). None: the hub (hubclientinfo), or nobody."""
    senders: frozenset[str] = _NONE
    """Roles whose Sender interface makes a party of that role usable (digest §6)."""
    receivers: frozenset[str] = _NONE
    """Roles whose Receiver interface makes a party of that role usable (digest §6)."""
    also_senders: frozenset[str] = _NONE
    """Roles that may offer the Sender interface too, without it counting as usable."""
    consumers: frozenset[str] = _NONE
    """Roles the hub delivers pushes of the module to (``hub/routing.py``)."""
    hub_interfaces: tuple[InterfaceRole | None, ...] = (_R, _S)
    """The interfaces the hub serves, in the order its version details list them."""
    initial_sync: bool = False
    """A new agreement partner receives every stored main object (``hub/initial_sync.py``)."""
    identifiers: tuple[str, ...] = ()
    """Other spellings of the identifier partners publish (the bookings edition's ``Booking``)."""

    @property
    def agreed(self) -> bool:
        """Whether agreements govern it (every module but the configuration ones)."""
        return self.kind is not Kind.CONFIGURATION


_CONSUMERS_OF_LOCATIONS = frozenset({"EMSP", "NSP", "NAP", "OTHER", "PTP"})

TABLE: tuple[Module, ...] = (
    Module(
        ModuleId.CREDENTIALS, Kind.CONFIGURATION, _ALL, ("Credentials",), hub_interfaces=(None,)
    ),
    Module(
        ModuleId.LOCATIONS,
        Kind.BROADCAST,
        _ALL,
        ("Location", "EVSE", "Connector"),
        owner="CPO",
        senders=frozenset({"CPO", "NAP"}),
        receivers=frozenset({"EMSP", "NSP", "NAP", "PTP"}),
        consumers=_CONSUMERS_OF_LOCATIONS,
        initial_sync=True,
    ),
    Module(
        ModuleId.TARIFFS,
        Kind.BROADCAST,
        _ALL,
        ("Tariff",),
        owner="CPO",
        senders=frozenset({"CPO", "NAP"}),
        receivers=frozenset({"EMSP", "NSP", "NAP", "PTP"}),
        consumers=_CONSUMERS_OF_LOCATIONS,
        initial_sync=True,
    ),
    Module(
        ModuleId.TOKENS,
        Kind.BROADCAST,
        _ALL,
        ("Token", "AuthorizationInfo", "LocationReferences"),
        owner="EMSP",
        senders=frozenset({"EMSP"}),
        receivers=frozenset({"CPO"}),
        consumers=frozenset({"CPO"}),
        initial_sync=True,
    ),
    Module(
        ModuleId.SESSIONS,
        Kind.ADDRESSED,
        _ALL,
        ("Session", "ChargingPreferences"),
        owner="CPO",
        senders=frozenset({"CPO"}),
        receivers=frozenset({"EMSP", "SCSP", "PTP"}),
        consumers=frozenset({"EMSP", "SCSP", "PTP", "OTHER"}),
    ),
    Module(
        ModuleId.CDRS,
        Kind.ADDRESSED,
        _ALL,
        ("CDR",),
        owner="CPO",
        senders=frozenset({"CPO"}),
        receivers=frozenset({"EMSP", "PTP"}),
        consumers=frozenset({"EMSP", "PTP", "OTHER"}),
    ),
    Module(
        ModuleId.COMMANDS,
        Kind.RELAYED,
        _ALL,
        (
            "StartSession",
            "StopSession",
            "ReserveNow",
            "CancelReservation",
            "UnlockConnector",
            "CommandResponse",
            "CommandResult",
        ),
        owner="EMSP",
        senders=frozenset({"EMSP", "PTP"}),
        receivers=frozenset({"CPO"}),
    ),
    Module(
        ModuleId.CHARGING_PROFILES,
        Kind.RELAYED,
        _SINCE_221,
        (
            "SetChargingProfile",
            "ChargingProfileResponse",
            "ChargingProfileResult",
            "ActiveChargingProfile",
            "ActiveChargingProfileResult",
            "ClearProfileResult",
        ),
        owner="SCSP",
        senders=frozenset({"SCSP"}),
        receivers=frozenset({"CPO"}),
        also_senders=frozenset({"EMSP"}),  # an eMSP sets profiles itself or for its SCSP
    ),
    Module(
        ModuleId.HUB_CLIENT_INFO,
        Kind.CONFIGURATION,
        _SINCE_221,
        ("ClientInfo",),
        receivers=frozenset({"CPO", "EMSP", "NSP", "NAP", "SCSP"}),
        hub_interfaces=(_S,),
    ),
    Module(
        ModuleId.PAYMENTS,
        Kind.ADDRESSED,
        _ONLY_230,
        ("Terminal", "FinancialAdviceConfirmation"),
        owner="PTP",
        senders=frozenset({"PTP"}),
        receivers=frozenset({"CPO"}),
        consumers=frozenset({"CPO", "PTP", "OTHER"}),
    ),
    Module(
        ModuleId.BOOKINGS,
        Kind.ADDRESSED,
        _ONLY_230,
        ("BookingLocation", "Calendar", "Booking", "BookingRequest"),
        owner="CPO",
        senders=frozenset({"CPO"}),
        receivers=frozenset({"EMSP"}),
        consumers=frozenset({"EMSP"}),
        identifiers=("Booking",),
    ),
)
"""Every module, in the order of the hub's version details."""

_BY_ID = {m.id.value: m for m in TABLE}
_BY_IDENTIFIER = {i: m for m in TABLE for i in (m.id.value, *m.identifiers)}
_IDS = frozenset(m.value for m in ModuleId)
_VERSION_SEGMENT = re.compile(r"^\d+(\.\d+)+$")


def module(module_id: str) -> Module:
    """The table entry of ``module_id`` (a :class:`ModuleId` or its value); KeyError if none."""
    return _BY_ID[str(module_id)]


def module_for_identifier(identifier: str) -> Module | None:
    """The module a partner's version-details ``identifier`` names, if the hub knows it."""
    return _BY_IDENTIFIER.get(identifier)


def module_of(url_or_path: str) -> str | None:
    """The OCPI module a URL addresses: the first path segment that names one (the traffic
    log's ``module``).

    ``/ocpi/versions`` and version-details paths (``/ocpi/2.3.0``) count as ``versions``.
    """
    segments = [s for s in urlsplit(url_or_path).path.split("/") if s]
    for segment in segments:
        if segment in _IDS:
            return segment
    if segments and (segments[-1] == "versions" or _VERSION_SEGMENT.match(segments[-1])):
        return "versions"
    return None


def modules_of(version: str) -> tuple[Module, ...]:
    """The modules OCPI ``version`` defines, in table order (none for an unknown version)."""
    return tuple(m for m in TABLE if version in m.versions)


def offers(version: str | None, module_id: str) -> bool:
    """Whether ``version`` defines the module ``module_id``."""
    found = _BY_ID.get(str(module_id))
    return found is not None and version in found.versions


def hub_interfaces(version: str) -> Iterator[tuple[Module, InterfaceRole | None]]:
    """Every interface the hub serves in ``version``, in version-details order."""
    for entry in modules_of(version):
        for role in entry.hub_interfaces:
            yield entry, role


def hub_interface_for_211(module_id: str, partner_role: str) -> InterfaceRole | None:
    """The hub interface a 2.1.1 partner of ``partner_role`` (CPO or EMSP) uses for a module.

    The hub plays the opposite role: towards a CPO it offers the eMSP's interfaces. ``None`` for
    modules without roles (credentials), modules 2.1.1 lacks, or roles 2.1.1 does not know.
    """
    entry = _BY_ID.get(str(module_id))
    if entry is None or "2.1.1" not in entry.versions or entry.owner not in ("CPO", "EMSP"):
        return None
    if partner_role not in ("CPO", "EMSP"):
        return None
    hub_role = "EMSP" if partner_role == "CPO" else "CPO"
    return _S if hub_role == entry.owner else _R


def configuration_modules() -> frozenset[str]:
    """Identifiers of the configuration modules (no routing headers, no agreements)."""
    return frozenset(m.id.value for m in TABLE if m.kind is Kind.CONFIGURATION)


def agreement_modules() -> tuple[str, ...]:
    """The modules an agreement can be limited to, alphabetically."""
    return tuple(sorted(m.id.value for m in TABLE if m.agreed))


def synced_modules() -> tuple[tuple[str, str], ...]:
    """(module, main object) of what a new agreement partner receives, in table order."""
    return tuple((m.id.value, m.objects[0]) for m in TABLE if m.initial_sync)


def push_consumers() -> dict[str, frozenset[str]]:
    """The roles that receive each module's pushes, for the modules the hub pushes."""
    return {m.id.value: m.consumers for m in TABLE if m.consumers}


def usable_interfaces() -> dict[str, frozenset[tuple[str, str]]]:
    """Per role, the functional interfaces (module, interface role) that make a party of that
    role usable (digest §6). A role not listed (OTHER) is usable with any of them."""
    out: dict[str, set[tuple[str, str]]] = {}
    for entry in TABLE:
        if entry.kind is Kind.CONFIGURATION:
            continue
        for interface, roles in ((_S, entry.senders), (_R, entry.receivers)):
            for role in roles:
                out.setdefault(role, set()).add((entry.id.value, interface.value))
    return {role: frozenset(items) for role, items in out.items()}


def implemented_interfaces(role: str, version: str) -> list[tuple[str, str]]:
    """The interfaces (module, interface role) a platform of ``role`` typically implements in
    ``version``, in table order: those that make it usable, those it may also offer, and the
    configuration interfaces it receives (HubClientInfo); never credentials."""
    out: list[tuple[str, str]] = []
    for entry in modules_of(version):
        if role in entry.senders | entry.also_senders:
            out.append((entry.id.value, _S.value))
        if role in entry.receivers:
            out.append((entry.id.value, _R.value))
    return out
