"""The pure rules every outbound call shares: token form, ids and routing headers, URL joining,
which redirects are followed."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ocpihub.model.parties import TokenEncoding
from ocpihub.outbound.auth import PartnerAuth
from ocpihub.outbound.headers import complete, request_headers
from ocpihub.outbound.redirects import RedirectRefused, redirect_target
from ocpihub.outbound.urls import join_url


@pytest.mark.parametrize(
    ("encoding", "version", "base64"),
    [
        (TokenEncoding.AUTO, "2.1.1", False),
        (TokenEncoding.AUTO, "2.2.1", True),
        (TokenEncoding.AUTO, "2.3.0", True),
        (TokenEncoding.PLAIN, "2.3.0", False),
        (TokenEncoding.BASE64, "2.1.1", True),
    ],
)
def test_token_form_per_version(encoding: TokenEncoding, version: str, base64: bool) -> None:
    """Once a version is chosen, auto means that version's form; explicit settings win."""
    auth = PartnerAuth.for_version("tok", encoding, version)
    assert auth.base64 is base64
    assert auth.header() == ("Token dG9r" if base64 else "Token tok")


def test_only_auto_guesses_before_a_version() -> None:
    """Before any version is chosen, auto tries Base64 then plain; explicit settings one form."""
    assert [a.base64 for a in PartnerAuth.before_version("t", TokenEncoding.AUTO)] == [True, False]
    assert [a.base64 for a in PartnerAuth.before_version("t", TokenEncoding.PLAIN)] == [False]
    assert "s3cret" not in repr(PartnerAuth("s3cret", True))


def test_request_headers_routing_only_on_functional_2x() -> None:
    """Ids always; OCPI-from/-to only for functional modules of 2.2+ partners."""
    functional = request_headers(
        version="2.2.1",
        module="cdrs",
        correlation_id="c1",
        sender=("NL", "CPO"),
        receiver=("DE", "MSP"),
    )
    assert functional["X-Correlation-ID"] == "c1"
    assert functional["OCPI-to-party-id"] == "MSP" and functional["OCPI-from-party-id"] == "CPO"
    for version, module in (
        ("2.1.1", "cdrs"),
        ("2.3.0", "credentials"),
        ("2.3.0", "hubclientinfo"),
    ):
        plain = request_headers(
            version=version, module=module, sender=("NL", "CPO"), receiver=("DE", "MSP")
        )
        assert set(plain) == {"X-Request-ID", "X-Correlation-ID"}
    first, second = request_headers(version=None), request_headers(version=None)
    assert first["X-Request-ID"] != second["X-Request-ID"]
    assert first["X-Correlation-ID"] != second["X-Correlation-ID"]


def test_complete_keeps_given_ids_and_fills_missing() -> None:
    """Given ids are kept (any header case), missing ones made; a redirect gets a new request id."""
    kept = complete({"x-correlation-id": "c", "X-Request-ID": "r"})
    assert kept == {"x-correlation-id": "c", "X-Request-ID": "r"}
    filled = complete(None)
    assert set(filled) == {"X-Request-ID", "X-Correlation-ID"}
    again = complete(kept, new_request=True)
    assert again["x-correlation-id"] == "c" and again["X-Request-ID"] != "r"


@pytest.mark.parametrize(
    ("base", "segments", "url"),
    [
        ("http://p/cdrs/", (), "http://p/cdrs/"),
        ("http://p/cdrs", (), "http://p/cdrs"),
        ("http://p/cdrs/", ("", "/"), "http://p/cdrs/"),
        ("http://p/cdrs/", ("ID1",), "http://p/cdrs/ID1"),
        ("http://p/cdrs", ("ID1",), "http://p/cdrs/ID1"),
        ("http://p/locations/", ("/NL/CPO/L1",), "http://p/locations/NL/CPO/L1"),
        ("http://p/tokens", ("/NL/MSP/T1?type=RFID",), "http://p/tokens/NL/MSP/T1?type=RFID"),
        (
            "http://p/sessions/",
            ("S1", "charging_preferences"),
            "http://p/sessions/S1/charging_preferences",
        ),
    ],
)
def test_join_url_keeps_the_published_base(base: str, segments: tuple[str, ...], url: str) -> None:
    """The published base is never rewritten; ids follow one slash, never two."""
    assert join_url(base, *segments) == url


@given(
    base=st.from_regex(r"\Ahttp://p(/[a-z]{1,5}){0,3}/?\Z"),
    segments=st.lists(st.from_regex(r"\A/?[A-Za-z0-9]{0,4}(/[A-Za-z0-9]{1,4})?/?\Z"), max_size=3),
)
def test_join_url_never_doubles_or_drops(base: str, segments: list[str]) -> None:
    """Whatever the slashes, the base is a prefix, and no ``//`` appears after the scheme."""
    out = join_url(base, *segments)
    assert out.startswith(base)
    assert "//" not in out.removeprefix("http://")


def test_redirect_within_policy_followed() -> None:
    """A relative or absolute Location on the same host is followed."""
    assert redirect_target("http://p/cdrs", "/cdrs/", allow_private=True) == "http://p/cdrs/"
    assert redirect_target("http://p/cdrs", "https://p/cdrs/", allow_private=True) == (
        "https://p/cdrs/"
    )


@pytest.mark.parametrize(
    ("url", "location", "why"),
    [
        ("http://p/cdrs", None, "no Location"),
        ("http://p/cdrs", "http://q/cdrs/", "another host"),
        ("https://p/cdrs", "http://p/cdrs/", "leaves https"),
        ("http://p/cdrs", "ftp://p/cdrs/", "http or https"),
        ("http://p/cdrs", "http://user:pw@p/cdrs/", "credentials"),
        ("http://203.0.113.5/cdrs", "http://127.0.0.1/cdrs/", "private"),
    ],
)
def test_redirect_outside_policy_refused(url: str, location: str | None, why: str) -> None:
    """Redirects off the published host, to a downgrade, or failing the URL policy are refused."""
    with pytest.raises(RedirectRefused, match=why):
        redirect_target(url, location, allow_private=False)


def test_redirect_to_private_address_refused_by_the_url_policy() -> None:
    """The target passes the same URL policy as the original (private addresses off)."""
    with pytest.raises(RedirectRefused, match="private"):
        redirect_target("http://localhost:1/cdrs", "http://localhost:1/cdrs/", allow_private=False)
