"""OCPI 2.1.1 Commands module: the four command requests and CommandResponse.

2.1.1 has no CancelReservation and no separate CommandResult: the CPO answers the POST with a
``CommandResponse`` and the charge point's outcome comes back later, POSTed to
``response_url``, as a ``CommandResponse`` too (2.1.1-d2 clarification, digest §7.15). There is
no ``timeout`` or ``message`` in 2.1.1, and ``reservation_id`` is an int.
"""

from __future__ import annotations

from typing import Annotated

from ocpihub.ocpi.fields import DateTime, Integer, OcpiModel, String, Url
from ocpihub.ocpi.v2_1_1.enums import CommandResponseType, CommandType
from ocpihub.ocpi.v2_1_1.tokens import Token

__all__ = [
    "COMMAND_REQUESTS",
    "CommandResponse",
    "ReserveNow",
    "StartSession",
    "StopSession",
    "UnlockConnector",
]


class CommandResponse(OcpiModel):
    """Outcome of a command: the CPO's immediate answer, or the charge point's result."""

    result: CommandResponseType


class ReserveNow(OcpiModel):
    """Reserve an EVSE (or any EVSE of a location) for a token until ``expiry_date``."""

    response_url: Url
    token: Token
    expiry_date: DateTime
    reservation_id: Integer
    location_id: Annotated[str, String(39)]
    evse_uid: Annotated[str, String(39)] | None = None


class StartSession(OcpiModel):
    """Start a session for a token at a location (optionally a given EVSE)."""

    response_url: Url
    token: Token
    location_id: Annotated[str, String(39)]
    evse_uid: Annotated[str, String(39)] | None = None


class StopSession(OcpiModel):
    """Stop a running session."""

    response_url: Url
    session_id: Annotated[str, String(36)]


class UnlockConnector(OcpiModel):
    """Unlock a stuck connector (operator use only)."""

    response_url: Url
    location_id: Annotated[str, String(39)]
    evse_uid: Annotated[str, String(39)]
    connector_id: Annotated[str, String(36)]


COMMAND_REQUESTS: dict[CommandType, type[OcpiModel]] = {
    CommandType.RESERVE_NOW: ReserveNow,
    CommandType.START_SESSION: StartSession,
    CommandType.STOP_SESSION: StopSession,
    CommandType.UNLOCK_CONNECTOR: UnlockConnector,
}
"""The request body model for each ``{command}`` URL segment."""
