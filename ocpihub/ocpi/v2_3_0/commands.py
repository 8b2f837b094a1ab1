"""OCPI 2.3.0 Commands module (digest §3.6, §4.4 "Commands").

An eMSP POSTs one of the five request bodies to ``{commands}/{CommandType}``; the CPO answers a
:class:`CommandResponse` at once and later POSTs a :class:`CommandResult` to the request's
``response_url``. :data:`COMMAND_REQUESTS` maps each spec CommandType to its request body, so a
handler can pick the model from the URL segment (an unknown open-enum command has no model).
"""

from __future__ import annotations

from ocpihub.ocpi.fields import DateTime, Integer, OcpiModel, Url
from ocpihub.ocpi.v2_3_0.common import CiString36, DisplayText
from ocpihub.ocpi.v2_3_0.enums import CommandResponseType, CommandResultType, CommandType
from ocpihub.ocpi.v2_3_0.tokens import Token

__all__ = [
    "COMMAND_REQUESTS",
    "CancelReservation",
    "CommandResponse",
    "CommandResult",
    "ReserveNow",
    "StartSession",
    "StopSession",
    "UnlockConnector",
]


class StartSession(OcpiModel):
    """Ask a CPO to start charging for a (pre-authorised) Token."""

    response_url: Url
    token: Token
    location_id: CiString36
    evse_uid: CiString36 | None = None
    connector_id: CiString36 | None = None
    authorization_reference: CiString36 | None = None


class StopSession(OcpiModel):
    """Ask a CPO to stop a running Session."""

    response_url: Url
    session_id: CiString36


class ReserveNow(OcpiModel):
    """Ask a CPO to reserve a Location (or one EVSE) for a Token until ``expiry_date``."""

    response_url: Url
    token: Token
    expiry_date: DateTime
    reservation_id: CiString36
    location_id: CiString36
    evse_uid: CiString36 | None = None
    authorization_reference: CiString36 | None = None


class CancelReservation(OcpiModel):
    """Ask a CPO to cancel an earlier reservation."""

    response_url: Url
    reservation_id: CiString36


class UnlockConnector(OcpiModel):
    """Ask a CPO to unlock one Connector (helpdesk use)."""

    response_url: Url
    location_id: CiString36
    evse_uid: CiString36
    connector_id: CiString36


class CommandResponse(OcpiModel):
    """A CPO's immediate answer to a command request, with how long to wait for the result."""

    result: CommandResponseType
    timeout: Integer
    message: list[DisplayText] | None = None


class CommandResult(OcpiModel):
    """The outcome of a command at the charge point, POSTed to the ``response_url``."""

    result: CommandResultType
    message: list[DisplayText] | None = None


COMMAND_REQUESTS: dict[str, type[OcpiModel]] = {
    CommandType.CANCEL_RESERVATION: CancelReservation,
    CommandType.RESERVE_NOW: ReserveNow,
    CommandType.START_SESSION: StartSession,
    CommandType.STOP_SESSION: StopSession,
    CommandType.UNLOCK_CONNECTOR: UnlockConnector,
}
"""Request body model per CommandType (the URL segment of the command POST)."""
