"""The version × module matrix: single source of truth for what each OCPI version contains.

Who owns a module's data decides, for a 2.1.1 partner (whose endpoints carry no role), which of
the hub's two interfaces it talks to: a 2.1.1 CPO sees the hub as an eMSP, a 2.1.1 eMSP sees it as
a CPO (digest §1.1, §6). The hub's URLs are the same in every version:
``/ocpi/{version}/{module}/{sender|receiver}``.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "MODULES",
    "SUPPORTED_VERSIONS",
    "InterfaceRole",
    "ModuleId",
    "hub_interface_for_211",
    "parse_version",
]


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


SUPPORTED_VERSIONS: tuple[str, ...] = ("2.1.1", "2.2.1", "2.3.0")
"""Versions the hub speaks, oldest first."""

MODULES: dict[str, frozenset[ModuleId]] = {
    "2.1.1": frozenset(
        {
            ModuleId.CDRS,
            ModuleId.COMMANDS,
            ModuleId.CREDENTIALS,
            ModuleId.LOCATIONS,
            ModuleId.SESSIONS,
            ModuleId.TARIFFS,
            ModuleId.TOKENS,
        }
    ),
    "2.2.1": frozenset(
        {
            ModuleId.CDRS,
            ModuleId.CHARGING_PROFILES,
            ModuleId.COMMANDS,
            ModuleId.CREDENTIALS,
            ModuleId.HUB_CLIENT_INFO,
            ModuleId.LOCATIONS,
            ModuleId.SESSIONS,
            ModuleId.TARIFFS,
            ModuleId.TOKENS,
        }
    ),
    "2.3.0": frozenset(ModuleId),
}
"""Modules each version defines (payments and bookings: 2.3.0 only, digest §1.1, §7 item 3)."""

# Which party role offers the SENDER interface of a module (the data owner, or for commands the
# party that sends them and receives the results).
_SENDER_SIDE: dict[ModuleId, str] = {
    ModuleId.CDRS: "CPO",
    ModuleId.LOCATIONS: "CPO",
    ModuleId.SESSIONS: "CPO",
    ModuleId.TARIFFS: "CPO",
    ModuleId.TOKENS: "EMSP",
    ModuleId.COMMANDS: "EMSP",
}


def hub_interface_for_211(module: ModuleId, partner_role: str) -> InterfaceRole | None:
    """The hub interface a 2.1.1 partner of ``partner_role`` (CPO or EMSP) uses for ``module``.

    The hub plays the opposite role: towards a CPO it offers the eMSP's interfaces. ``None`` for
    modules without roles (credentials) or roles 2.1.1 does not know.
    """
    sender_side = _SENDER_SIDE.get(module)
    if sender_side is None or partner_role not in ("CPO", "EMSP"):
        return None
    hub_role = "EMSP" if partner_role == "CPO" else "CPO"
    return InterfaceRole.SENDER if hub_role == sender_side else InterfaceRole.RECEIVER


def parse_version(value: str) -> tuple[int, ...]:
    """A sortable key for a version number such as ``2.2.1`` (``2.2`` sorts just below it)."""
    parts = []
    for piece in value.split("."):
        if not piece.isdigit():
            raise ValueError(f"not a version number: {value!r}")
        parts.append(int(piece))
    return tuple(parts)
