"""Pure token decisions: types per version, push filtering, URLs, parties, relayed statuses."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ocpihub.errors import InvalidParameters, NotFound
from ocpihub.hub.tokens import (
    classify_answer,
    legacy_status,
    pushes_token,
    requesting_party,
    synthesized_token,
    token_type_param,
    token_url_suffix,
    wire_token_type,
)
from ocpihub.ocpi.fields import parse
from ocpihub.ocpi.registry import model


def test_type_param_defaults_to_rfid() -> None:
    """An absent or empty ``?type=`` means RFID; a given one is upper-cased."""
    assert token_type_param(None) == "RFID"
    assert token_type_param("") == "RFID"
    assert token_type_param("app_user") == "APP_USER"


@pytest.mark.parametrize("bad", ["RF ID", "A/B", "X" * 37, "é"])
def test_type_param_refuses_garbage(bad: str) -> None:
    """A ``?type=`` that cannot be a token type is a 2001 naming the value."""
    with pytest.raises(InvalidParameters, match="type"):
        token_type_param(bad)


@pytest.mark.parametrize(
    ("version", "token_type", "expected"),
    [
        ("2.1.1", "RFID", "RFID"),
        ("2.1.1", "APP_USER", "OTHER"),
        ("2.1.1", "EMAID", "OTHER"),
        ("2.2.1", "APP_USER", "APP_USER"),
        ("2.2.1", "EMAID", "OTHER"),
        ("2.2.1", "LICENSE_PLATE", "OTHER"),
        ("2.3.0", "EMAID", "EMAID"),
        ("2.3.0", "CUSTOM_X", "CUSTOM_X"),
    ],
)
def test_wire_token_type(version: str, token_type: str, expected: str) -> None:
    """A type the version lacks is said as OTHER; 2.3.0 (open enum) keeps every type."""
    assert wire_token_type(version, token_type) == expected


@pytest.mark.parametrize(
    ("version", "token_type", "twin", "expected"),
    [
        ("2.3.0", "EMAID", False, True),
        ("2.2.1", "EMAID", False, False),
        ("2.2.1", "LICENSE_PLATE", False, False),
        ("2.2.1", "APP_USER", True, True),
        ("2.1.1", "EMAID", False, False),
        ("2.1.1", "APP_USER", False, True),
        ("2.1.1", "APP_USER", True, False),
        ("2.1.1", "RFID", True, True),
        ("2.1.1", "OTHER", False, True),
    ],
)
def test_pushes_token(version: str, token_type: str, twin: bool, expected: bool) -> None:
    """EMAID and unknown types skip older CPOs; 2.1.1 gets a non-RFID token only without an
    RFID token of the same uid (2.1.1 keys tokens by uid alone)."""
    assert pushes_token(version, token_type, rfid_twin=twin) is expected


def test_url_suffix_per_version() -> None:
    """2.2+ token URLs carry ``?type=`` (in the receiver's words), 2.1.1 ones none; uids are
    quoted."""
    assert token_url_suffix("2.1.1", "DE", "MSP", "A 1", "APP_USER") == "/DE/MSP/A%201"
    assert token_url_suffix("2.2.1", "DE", "MSP", "T1", "APP_USER") == "/DE/MSP/T1?type=APP_USER"
    assert token_url_suffix("2.3.0", "DE", "MSP", "T/1", "RFID") == "/DE/MSP/T%2F1?type=RFID"


HOSTED = [("NL", "CPA", "CPO"), ("NL", "CPB", "CPO"), ("NL", "MSP", "EMSP")]


def test_requesting_party_from_headers() -> None:
    """OCPI-from chooses among the caller's parties of the role."""
    assert requesting_party(HOSTED, ("NL", "CPB"), "CPO") == ("NL", "CPB")


def test_requesting_party_must_be_hosted_in_role() -> None:
    """OCPI-from naming a party not hosted in the role is refused (404)."""
    with pytest.raises(NotFound, match="NL-MSP"):
        requesting_party(HOSTED, ("NL", "MSP"), "CPO")


def test_requesting_party_refuses_guessing() -> None:
    """Several parties of the role and no OCPI-from: refused, not guessed (DESIGN rule 4)."""
    with pytest.raises(InvalidParameters, match="NL-CPA, NL-CPB"):
        requesting_party(HOSTED, None, "CPO")
    assert requesting_party(HOSTED[1:], None, "CPO") == ("NL", "CPB")
    with pytest.raises(NotFound):
        requesting_party(HOSTED, None, "NSP")


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (1000, 1000),
        (1901, 1000),
        (2001, 2001),
        (2002, 2002),
        (2004, 2000),
        (2901, 2000),
        (3000, 3000),
        (3901, 3000),
        (4001, 3000),
        (4002, 3000),
        (4003, 3000),
    ],
)
def test_legacy_status(code: int, expected: int) -> None:
    """2.1.1 callers get only codes 2.1.1 defines (digest §1.6)."""
    assert legacy_status(code) == expected


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=1000, max_value=4999))
def test_legacy_status_keeps_the_class(code: int) -> None:
    """The 2.1.1 code keeps success/client/server meaning (hub errors count as server)."""
    mapped = legacy_status(code)
    assert mapped in (1000, 2000, 2001, 2002, 2003, 3000, 3001, 3002, 3003) or mapped == code
    assert mapped // 1000 == min(code // 1000, 3)


@pytest.mark.parametrize(
    ("version", "http", "status", "expected"),
    [
        ("2.2.1", 200, 1000, "success"),
        ("2.3.0", 200, 1901, "success"),
        ("2.2.1", 404, 2004, "unknown"),
        ("2.1.1", 404, 2000, "unknown"),
        ("2.1.1", 404, 2001, "unknown"),
        ("2.2.1", 404, 2000, "refused"),
        ("2.2.1", 200, 2002, "refused"),
        ("2.1.1", 200, 3000, "refused"),
        ("2.3.0", 502, None, "failed"),
        ("2.3.0", 401, 2000, "failed"),
    ],
)
def test_classify_answer(version: str, http: int, status: int | None, expected: str) -> None:
    """What an eMSP's authorize answer means: relay, unknown token, relay refusal, or fail."""
    assert classify_answer(version, http, status) == expected


def test_synthesized_token_is_a_valid_token() -> None:
    """The stand-in Token for a never-pushed token is valid 2.3.0 and says what is known."""
    token = synthesized_token(
        ("DE", "MSP"), "U1", "RFID", issuer="DE-MSP", now=datetime(2024, 5, 1, tzinfo=UTC)
    )
    parse(model("2.3.0", "Token"), token)
    assert (token["uid"], token["contract_id"], token["party_id"]) == ("U1", "U1", "MSP")
    assert token["last_updated"] == "2024-05-01T00:00:00Z"
