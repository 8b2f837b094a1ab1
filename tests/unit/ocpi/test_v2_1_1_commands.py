"""2.1.1 Commands models: requests, responses, and the command-type lookup."""

from __future__ import annotations

from typing import Any

import pytest

from ocpihub.errors import InvalidParameters
from ocpihub.ocpi.fields import dump, parse
from ocpihub.ocpi.v2_1_1.commands import (
    COMMAND_REQUESTS,
    CommandResponse,
    ReserveNow,
    StartSession,
    StopSession,
    UnlockConnector,
)
from ocpihub.ocpi.v2_1_1.enums import CommandType
from tests.unit.ocpi.test_v2_1_1_tokens import TOKEN

# The 2.1.1 spec has no command examples; these are our own, built from its tables.
RESPONSE_URL = "https://emsp.example.com/ocpi/emsp/2.1.1/commands/START_SESSION/1234"
REQUESTS: dict[CommandType, dict[str, Any]] = {
    CommandType.RESERVE_NOW: {
        "response_url": RESPONSE_URL,
        "token": TOKEN,
        "expiry_date": "2015-06-29T23:39:09Z",
        "reservation_id": 1001,
        "location_id": "LOC1",
        "evse_uid": "3256",
    },
    CommandType.START_SESSION: {
        "response_url": RESPONSE_URL,
        "token": TOKEN,
        "location_id": "LOC1",
    },
    CommandType.STOP_SESSION: {"response_url": RESPONSE_URL, "session_id": "101"},
    CommandType.UNLOCK_CONNECTOR: {
        "response_url": RESPONSE_URL,
        "location_id": "LOC1",
        "evse_uid": "3256",
        "connector_id": "1",
    },
}


def refusal(model, data) -> str:
    with pytest.raises(InvalidParameters) as info:
        parse(model, data)
    assert info.value.status_code == 2001
    return info.value.message


def test_every_command_type_has_a_request_model():
    """COMMAND_REQUESTS covers exactly the 2.1.1 command types."""
    assert set(COMMAND_REQUESTS) == set(CommandType)
    assert COMMAND_REQUESTS[CommandType.UNLOCK_CONNECTOR] is UnlockConnector


@pytest.mark.parametrize("command", list(CommandType))
def test_command_requests_round_trip(command):
    """Each command request parses with its model and dumps unchanged."""
    data = REQUESTS[command]
    assert dump(parse(COMMAND_REQUESTS[command], data)) == data


@pytest.mark.parametrize("result", ["ACCEPTED", "TIMEOUT", "UNKNOWN_SESSION"])
def test_command_response_round_trips(result):
    """CommandResponse (sync answer and async callback body alike) round-trips."""
    assert dump(parse(CommandResponse, {"result": result})) == {"result": result}


def test_canceled_reservation_result_is_refused():
    """A 2.2 CommandResultType value is not a 2.1.1 CommandResponseType."""
    message = refusal(CommandResponse, {"result": "CANCELED_RESERVATION"})
    assert message.startswith("result:")
    assert "'CANCELED_RESERVATION'" in message


def test_reservation_id_must_be_an_int():
    """2.1.1 reservation_id is an int: a 2.2-style string id is refused with the value."""
    data = {**REQUESTS[CommandType.RESERVE_NOW], "reservation_id": "RES-1"}
    message = refusal(ReserveNow, data)
    assert message.startswith("reservation_id:")
    assert "'RES-1'" in message


def test_embedded_token_is_validated():
    """A bad field of the embedded Token is named with its path."""
    data = {**REQUESTS[CommandType.START_SESSION], "token": {**TOKEN, "whitelist": "SOMETIMES"}}
    message = refusal(StartSession, data)
    assert message.startswith("token.whitelist:")
    assert "'SOMETIMES'" in message


def test_unlock_needs_all_three_ids():
    """UnlockConnector requires location, EVSE and connector ids."""
    data = {k: v for k, v in REQUESTS[CommandType.UNLOCK_CONNECTOR].items() if k != "evse_uid"}
    assert refusal(UnlockConnector, data) == "evse_uid: field required"


def test_too_long_session_id_is_refused():
    """StopSession.session_id is string(36)."""
    data = {**REQUESTS[CommandType.STOP_SESSION], "session_id": "s" * 37}
    assert refusal(StopSession, data).startswith("session_id:")
