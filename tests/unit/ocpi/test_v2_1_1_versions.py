"""2.1.1 versions and credentials models against the spec's examples and bad input."""

from __future__ import annotations

import pytest

from ocpihub.errors import InvalidParameters
from ocpihub.ocpi.fields import dump, parse
from ocpihub.ocpi.v2_1_1.credentials import Credentials
from ocpihub.ocpi.v2_1_1.enums import ModuleID
from ocpihub.ocpi.v2_1_1.versions import Version, VersionDetails

# Transcribed from the 2.1.1 version_information_endpoint.md and credentials.md examples.
VERSIONS = [
    {"version": "2.1.1", "url": "https://example.com/ocpi/cpo/2.1.1/"},
    {"version": "2.0", "url": "https://example.com/ocpi/cpo/2.0/"},
]
DETAILS = {
    "version": "2.0",
    "endpoints": [
        {"identifier": "credentials", "url": "https://example.com/ocpi/cpo/2.0/credentials/"},
        {"identifier": "locations", "url": "https://example.com/ocpi/cpo/2.0/locations/"},
    ],
}
CREDENTIALS = {
    "url": "https://example.com/ocpi/cpo/",
    "token": "ebf3b399-779f-4497-9b9d-ac6ad3cc44d2",
    "party_id": "EXA",
    "country_code": "NL",
    "business_details": {
        "name": "Example Operator",
        "logo": {
            "url": "https://example.com/img/logo.jpg",
            "thumbnail": "https://example.com/img/logo_thumb.jpg",
            "category": "OPERATOR",
            "type": "jpeg",
            "width": 512,
            "height": 512,
        },
        "website": "http://example.com",
    },
}


def refusal(model, data) -> str:
    with pytest.raises(InvalidParameters) as info:
        parse(model, data)
    assert info.value.status_code == 2001
    return info.value.message


@pytest.mark.parametrize("data", VERSIONS)
def test_version_example_round_trips(data):
    """Each entry of the spec's versions list parses and dumps unchanged."""
    assert dump(parse(Version, data)) == data


def test_version_details_example_round_trips():
    """The spec's version details document parses and dumps unchanged."""
    details = parse(VersionDetails, DETAILS)
    assert dump(details) == DETAILS
    assert details.endpoints[1].identifier == ModuleID.LOCATIONS


def test_custom_module_id_is_accepted():
    """A custom module id (allowed by 2.1.1 by agreement) does not sink the whole document."""
    data = {"version": "2.1.1", "endpoints": [{"identifier": "nltnm-tokens", "url": "u"}]}
    assert dump(parse(VersionDetails, data)) == data


def test_version_number_unknown_to_2_1_1_is_refused():
    """2.1.1's VersionNumber is closed: 2.2.1 is named as the bad value."""
    message = refusal(Version, {"version": "2.2.1", "url": "https://x/"})
    assert "version:" in message
    assert "'2.2.1'" in message


def test_version_details_without_endpoints_is_refused():
    """The endpoints list is `+`: an empty list is refused naming the field."""
    message = refusal(VersionDetails, {"version": "2.1.1", "endpoints": []})
    assert message.startswith("endpoints:")
    assert "(got [])" in message


def test_credentials_example_round_trips():
    """The spec's credentials example parses and dumps unchanged."""
    assert dump(parse(Credentials, CREDENTIALS)) == CREDENTIALS


def test_credentials_missing_party_id_is_refused():
    """A missing required field is named in the 2001 message."""
    data = {k: v for k, v in CREDENTIALS.items() if k != "party_id"}
    assert refusal(Credentials, data) == "party_id: field required"


def test_credentials_token_too_long_is_refused():
    """The token is string(64): 65 characters are refused naming field and value."""
    message = refusal(Credentials, {**CREDENTIALS, "token": "x" * 65})
    assert message.startswith("token:")
    assert "xxxx" in message


def test_credentials_token_with_whitespace_is_refused():
    """A token that cannot travel raw in the Authorization header is refused."""
    message = refusal(Credentials, {**CREDENTIALS, "token": "abc def"})
    assert "token:" in message
    assert "'abc def'" in message


def test_credentials_unknown_fields_are_kept():
    """Unknown JSON fields survive parse and dump."""
    data = {**CREDENTIALS, "x_vendor": {"a": 1}}
    assert dump(parse(Credentials, data)) == data
