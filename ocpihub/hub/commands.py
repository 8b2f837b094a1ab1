"""Commands and charging-profile requests relayed through the hub: the pure decisions.

A command (digest §3.6) or charging-profile request (§3.7) goes to one CPO; the CPO answers at
once and later POSTs the outcome to a ``response_url``. The hub hands the CPO its own callback
URL instead (DESIGN rule 6, digest §7 item 13) and keeps a *pending request* that says where the
outcome goes. This module decides, from plain values:

- which stored fact names the CPO of a command (:func:`routing_key`);
- how long a pending request lives and when the hub gives up waiting (:func:`deadlines`):
  the CPO's ``timeout`` plus a grace period, and for ``RESERVE_NOW`` at least until the
  reservation's ``expiry_date``, because the CPO may POST ``CANCELED_RESERVATION`` (or the eMSP
  send ``CANCEL_RESERVATION``) until then;
- which results are relayed (:func:`relays`): the first one, and for a reservation each later
  *different* one; a repeated result is a duplicate and is relayed once only;
- what the hub says itself: the ``timeout`` it announces to the eMSP (the CPO's plus the grace,
  since that is when the hub's own TIMEOUT result comes), the TIMEOUT result, and the
  NOT_SUPPORTED answer to a CANCEL_RESERVATION a 2.1.1 CPO cannot take (digest §4.3).
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ocpihub.ocpi.version import ocpi_version

__all__ = [
    "COMMANDS",
    "PROFILE_REQUESTS",
    "UNANSWERED_TIMEOUT",
    "Deadlines",
    "RoutingKey",
    "announced_timeout",
    "cancel_unsupported",
    "deadlines",
    "not_supported_response",
    "profile_deadlines",
    "relays",
    "relays_once",
    "routing_key",
    "timeout_result",
]

COMMANDS: tuple[str, ...] = (
    "CANCEL_RESERVATION",
    "RESERVE_NOW",
    "START_SESSION",
    "STOP_SESSION",
    "UNLOCK_CONNECTOR",
)
"""The CommandTypes the hub relays (2.1.1 lacks CANCEL_RESERVATION)."""

COMMAND_OBJECTS: Mapping[str, str] = {
    "CANCEL_RESERVATION": "CancelReservation",
    "RESERVE_NOW": "ReserveNow",
    "START_SESSION": "StartSession",
    "STOP_SESSION": "StopSession",
    "UNLOCK_CONNECTOR": "UnlockConnector",
}
"""The request body object of each command."""

PROFILE_REQUESTS: Mapping[str, str] = {
    "GET": "ActiveChargingProfileResult",
    "SET": "ChargingProfileResult",
    "CLEAR": "ClearProfileResult",
}
"""Charging-profile request kinds and the result object each one's callback carries."""

UNANSWERED_TIMEOUT = 60
"""Seconds the hub waits for a result when the receiver's success carried no usable timeout
(its answer had no valid CommandResponse/ChargingProfileResponse): 2.1.1's implied default."""


@dataclass(frozen=True, slots=True)
class RoutingKey:
    """The stored fact that names a command's CPO: a Location, a Session or a reservation."""

    kind: str  # "location", "session" or "reservation"
    value: str


def routing_key(command: str, body: Mapping[str, Any]) -> RoutingKey:
    """What to look up to find the CPO of ``command`` when no OCPI-to headers name it."""
    if command == "STOP_SESSION":
        return RoutingKey("session", str(body["session_id"]))
    if command == "CANCEL_RESERVATION":
        return RoutingKey("reservation", str(body["reservation_id"]))
    return RoutingKey("location", str(body["location_id"]))


@dataclass(frozen=True, slots=True)
class Deadlines:
    """When the hub posts TIMEOUT (None: never) and when it forgets the pending request."""

    result_due: datetime | None
    expires: datetime


def deadlines(
    command: str,
    now: datetime,
    timeout: int,
    grace: float,
    expiry_date: datetime | None = None,
) -> Deadlines:
    """The deadlines of a command the CPO ACCEPTED with ``timeout`` seconds.

    A reservation's mapping outlives the wait for its result: until ``expiry_date``.
    """
    due = now + timedelta(seconds=max(timeout, 0) + grace)
    expires = due
    if command == "RESERVE_NOW" and expiry_date is not None:
        expires = max(due, expiry_date)
    return Deadlines(result_due=due, expires=expires)


def profile_deadlines(now: datetime, timeout: int, grace: float) -> Deadlines:
    """A charging-profile request's mapping lives ``timeout`` + grace; no TIMEOUT result exists
    for profiles (ChargingProfileResultType has none), so the hub posts nothing itself."""
    return Deadlines(result_due=None, expires=now + timedelta(seconds=max(timeout, 0) + grace))


def announced_timeout(cpo_timeout: int, grace: float) -> int:
    """The ``timeout`` the eMSP is told: the hub's TIMEOUT result comes after the grace."""
    return math.ceil(cpo_timeout + grace)


def relays(command: str, relayed: Collection[str], result: str) -> bool:
    """Whether a result the CPO POSTed goes on to the eMSP.

    The first result always does. After it, only a reservation's *new* outcomes do (a CPO that
    cancels a reservation POSTs CANCELED_RESERVATION to the RESERVE_NOW's response_url);
    anything else is a duplicate or a late straggler, and the eMSP has had its answer.
    """
    if not relayed:
        return True
    return command == "RESERVE_NOW" and result not in relayed


def relays_once(kind: str, relayed: Collection[str], result: str) -> bool:
    """Charging-profile results: only the first one goes on (one request, one answer)."""
    return not relayed


def timeout_result() -> dict[str, Any]:
    """The canonical CommandResult the hub sends when the CPO never posted one."""
    return {
        "result": "TIMEOUT",
        "message": [{"language": "en", "text": "no result from the charge point operator in time"}],
    }


def cancel_unsupported(command: str, cpo_version: str) -> bool:
    """A CANCEL_RESERVATION for a 2.1.1 CPO, which has no such command: the hub answers."""
    return command == "CANCEL_RESERVATION" and not ocpi_version(cpo_version).has_cancel_reservation


def not_supported_response() -> dict[str, Any]:
    """The canonical CommandResponse the hub gives itself for a command the CPO cannot take."""
    return {
        "result": "NOT_SUPPORTED",
        "timeout": 0,
        "message": [
            {
                "language": "en",
                "text": "the charge point operator speaks OCPI 2.1.1, which has no "
                "CANCEL_RESERVATION",
            }
        ],
    }
