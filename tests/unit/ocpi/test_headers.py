"""Authorization token candidates and OCPI routing headers."""

from __future__ import annotations

import base64
import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.datastructures import Headers

from ocpihub.errors import InvalidParameters
from ocpihub.ocpi.headers import PartyRef, encode_token, parse_routing_headers, token_candidates


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def test_plain_token_is_tried_as_sent() -> None:
    """A plain token yields itself only (it is not valid Base64 of printable text)."""
    assert token_candidates("Token abc-123!") == ["abc-123!"]


def test_base64_token_tries_raw_first_then_decoded() -> None:
    """An encoded token is looked up raw first, then decoded (never decode first)."""
    assert token_candidates(f"Token {b64('example-token')}") == [
        b64("example-token"),
        "example-token",
    ]


def test_trailing_newline_in_encoded_token_is_dropped() -> None:
    """The 2.3.0 examples encode a trailing newline (digest §7 item 1); it is not the token's."""
    assert token_candidates("Token ZXhhbXBsZS10b2tlbgo=")[1] == "example-token"


@pytest.mark.parametrize("header", [None, "", "Bearer abc", "Token ", "Token    ", "abc"])
def test_no_candidates_without_token_scheme(header: str | None) -> None:
    """Missing headers and other schemes give nothing to look up."""
    assert token_candidates(header) == []


def test_scheme_is_case_insensitive() -> None:
    """``token`` and ``TOKEN`` work like ``Token``."""
    assert token_candidates("token abc") == ["abc"]
    assert token_candidates("TOKEN abc") == ["abc"]


def test_decoded_binary_is_not_a_candidate() -> None:
    """Base64 that decodes to non-printable bytes is not offered as a token."""
    raw = base64.b64encode(b"\x00\x01\xff").decode()
    assert token_candidates(f"Token {raw}") == [raw]


@settings(max_examples=200, deadline=None)
@given(
    st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=64)
)
def test_encode_then_candidates_finds_token(token: str) -> None:
    """Whatever the token, encoding it either way lets the receiver find it."""
    assert token in token_candidates(encode_token(token, base64_encode=True))
    assert token_candidates(encode_token(token, base64_encode=False))[0] == token


def test_routing_headers_parsed_and_normalised() -> None:
    """From/to pairs become upper-case party references."""
    headers = Headers(
        {
            "ocpi-from-country-code": "nl",
            "ocpi-from-party-id": "abc",
            "OCPI-to-country-code": "DE",
            "OCPI-to-party-id": "XYZ",
        }
    )
    parsed = parse_routing_headers(headers)
    assert parsed.from_party == PartyRef("NL", "ABC")
    assert parsed.to_party == PartyRef("DE", "XYZ")


def test_routing_headers_absent() -> None:
    """No routing headers: both sides unknown (open routing or 2.1.1)."""
    parsed = parse_routing_headers(Headers({}))
    assert parsed.from_party is None and parsed.to_party is None


def test_half_a_pair_is_refused() -> None:
    """A country code without its party id is a 2001 naming the missing header."""
    with pytest.raises(InvalidParameters, match="OCPI-to-party-id is missing"):
        parse_routing_headers(Headers({"OCPI-to-country-code": "NL"}))


def test_malformed_party_id_is_refused() -> None:
    """A party id that is not 3 characters is a 2001 naming header and value."""
    with pytest.raises(InvalidParameters, match="OCPI-from-party-id: 'ABCD'"):
        parse_routing_headers(
            Headers({"OCPI-from-country-code": "NL", "OCPI-from-party-id": "ABCD"})
        )


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(
            [
                "OCPI-from-country-code",
                "OCPI-from-party-id",
                "OCPI-to-country-code",
                "OCPI-to-party-id",
            ]
        ),
        st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=8),
    )
)
def test_any_routing_headers_parse_or_2001(values: dict[str, str]) -> None:
    """Any combination of routing header values parses or is a 2001, nothing else."""
    with contextlib.suppress(InvalidParameters):
        parse_routing_headers(Headers(values))


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=100))
def test_any_authorization_header_gives_candidates(header: str) -> None:
    """Any Authorization value yields a list of candidate tokens and never raises."""
    assert isinstance(token_candidates(header), list)
