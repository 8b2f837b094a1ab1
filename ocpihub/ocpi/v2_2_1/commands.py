"""Commands module of OCPI 2.2.1: command request bodies, the CPO's answer and the result.

The eMSP POSTs one request object per command type to ``{commands}/{CommandType}``; the CPO
answers synchronously with :class:`CommandResponse` and later POSTs a :class:`CommandResult`
to the request's ``response_url`` (which the hub rewrites, digest §7 item 13).
:data:`COMMAND_BODIES` maps each command type to its request class.
"""

from __future__ import annotations

from ocpihub.ocpi.fields import DateTime, Integer, OcpiModel, Url

from .common import DisplayText, Id36
from .enums import CommandResponseType, CommandResultType, CommandType
from .tokens import Token

__all__ = [
    "COMMAND_BODIES",
    "CancelReservation",
    "CommandResponse",
    "CommandResult",
    "ReserveNow",
    "StartSession",
    "StopSession",
    "UnlockConnector",
]


class CancelReservation(OcpiModel):
    """Request to cancel an existing reservation."""

    response_url: Url
    reservation_id: Id36


class ReserveNow(OcpiModel):
    """Request to reserve a location (or one EVSE of it) for a token until ``expiry_date``."""

    response_url: Url
    token: Token
    expiry_date: DateTime
    reservation_id: Id36
    location_id: Id36
    evse_uid: Id36 | None = None
    authorization_reference: Id36 | None = None


class StartSession(OcpiModel):
    """Request to start a session for a token at a location, EVSE or connector."""

    response_url: Url
    token: Token
    location_id: Id36
    evse_uid: Id36 | None = None
    connector_id: Id36 | None = None
    authorization_reference: Id36 | None = None


class StopSession(OcpiModel):
    """Request to stop a running session."""

    response_url: Url
    session_id: Id36


class UnlockConnector(OcpiModel):
    """Request to unlock one connector of an EVSE."""

    response_url: Url
    location_id: Id36
    evse_uid: Id36
    connector_id: Id36


class CommandResponse(OcpiModel):
    """The CPO's synchronous answer: accepted or not, and how long the result may take (s)."""

    result: CommandResponseType
    timeout: Integer
    message: list[DisplayText] | None = None


class CommandResult(OcpiModel):
    """The asynchronous outcome of a command, posted to its ``response_url``."""

    result: CommandResultType
    message: list[DisplayText] | None = None


COMMAND_BODIES: dict[CommandType, type[OcpiModel]] = {
    CommandType.CANCEL_RESERVATION: CancelReservation,
    CommandType.RESERVE_NOW: ReserveNow,
    CommandType.START_SESSION: StartSession,
    CommandType.STOP_SESSION: StopSession,
    CommandType.UNLOCK_CONNECTOR: UnlockConnector,
}
"""Request body class for each command type of the URL."""
