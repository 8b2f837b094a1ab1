"""2.1.1 Tokens models against the spec's examples and bad input."""

from __future__ import annotations

import pytest

from ocpihub.errors import InvalidParameters
from ocpihub.ocpi.fields import dump, parse
from ocpihub.ocpi.v2_1_1.tokens import AuthorizationInfo, LocationReferences, Token, TokenPatch

# Transcribed from the 2.1.1 mod_tokens.md Token example.
TOKEN = {
    "uid": "012345678",
    "type": "RFID",
    "auth_id": "DE8ACC12E46L89",
    "visual_number": "DF000-2001-8999",
    "issuer": "TheNewMotion",
    "valid": True,
    "whitelist": "ALLOWED",
    "last_updated": "2015-06-29T22:39:09Z",
}
# Our own payloads built from the 2.1.1 tables (the spec gives no example for these).
REFERENCES = {"location_id": "LOC1", "evse_uids": ["3256", "3257"], "connector_ids": ["1", "2"]}
AUTHORIZATION = {
    "allowed": "ALLOWED",
    "location": {"location_id": "LOC1", "evse_uids": ["3256"]},
    "info": {"language": "en", "text": "Welcome back"},
}


def refusal(model, data) -> str:
    with pytest.raises(InvalidParameters) as info:
        parse(model, data)
    assert info.value.status_code == 2001
    return info.value.message


@pytest.mark.parametrize(
    ("model", "data"),
    [
        (Token, TOKEN),
        (TokenPatch, {"valid": False}),
        (LocationReferences, REFERENCES),
        (AuthorizationInfo, AUTHORIZATION),
        (AuthorizationInfo, {"allowed": "NO_CREDIT"}),
    ],
)
def test_token_module_payloads_round_trip(model, data):
    """The spec's Token and PATCH examples and our authorize payloads round-trip unchanged."""
    assert dump(parse(model, data)) == data


def test_token_type_from_later_versions_is_refused():
    """APP_USER is 2.2+ only: refused by the closed 2.1.1 TokenType."""
    message = refusal(Token, {**TOKEN, "type": "APP_USER"})
    assert message.startswith("type:")
    assert "'APP_USER'" in message


def test_token_without_auth_id_is_refused():
    """auth_id is required in 2.1.1 (a 2.2 contract_id does not replace it)."""
    data = {k: v for k, v in TOKEN.items() if k != "auth_id"}
    data["contract_id"] = "DE8ACC12E46L89"
    assert refusal(Token, data) == "auth_id: field required"


def test_too_long_uid_is_refused():
    """Token.uid is string(36)."""
    assert refusal(Token, {**TOKEN, "uid": "u" * 37}).startswith("uid:")


def test_bad_allowed_value_is_refused():
    """AuthorizationInfo.allowed is the closed Allowed enum."""
    assert "'YES'" in refusal(AuthorizationInfo, {"allowed": "YES"})


def test_token_patch_bad_date_is_refused():
    """A PATCH with an unreadable last_updated names field and value."""
    message = refusal(TokenPatch, {"last_updated": "yesterday"})
    assert message.startswith("last_updated:")
    assert "'yesterday'" in message
