"""Pagination: query parameters in, Link / X-Total-Count / X-Limit out."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ocpihub.errors import InvalidParameters
from ocpihub.ocpi.pagination import MAX_INT, page_headers, parse_page_request

BASE = "https://hub.example/ocpi/2.3.0/locations/sender"


def link_query(headers: dict[str, str]) -> dict[str, list[str]]:
    link = headers["Link"]
    assert link.endswith('>; rel="next"') and link.startswith(f"<{BASE}?")
    return parse_qs(urlsplit(link[1 : link.index(">")]).query)


def test_defaults_and_cap() -> None:
    """No parameters: offset 0, limit = the cap; a larger limit is capped."""
    assert parse_page_request({}, max_limit=50).limit == 50
    assert parse_page_request({"limit": "500"}, max_limit=50).limit == 50
    assert parse_page_request({"limit": "10"}, max_limit=50).limit == 10


def test_dates_parsed_tolerantly() -> None:
    """date_from/date_to accept offsets and fractions and become UTC."""
    req = parse_page_request(
        {"date_from": "2024-01-01T10:00:00+02:00", "date_to": "2024-01-02T00:00:00.5Z"},
        max_limit=10,
    )
    assert req.date_from == datetime(2024, 1, 1, 8, tzinfo=UTC)
    assert req.date_to == datetime(2024, 1, 2, 0, 0, 0, 500000, tzinfo=UTC)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"offset": "x"}, "offset: 'x' is not an integer"),
        ({"limit": "-1"}, "limit: '-1' must not be negative"),
        ({"date_from": "yesterday"}, "date_from: 'yesterday' is not a DateTime"),
        ({"offset": str(2**64)}, "offset: '18446744073709551616' is out of range"),
        ({"offset": str(2**63)}, "offset: '9223372036854775808' is out of range"),
        ({"limit": "9" * 400}, "limit: '9999.*' is out of range"),
        ({"cursor": str(2**63)}, "cursor: '9223372036854775808' is out of range"),
        ({"offset": "-9" + "9" * 30}, "offset: .* must not be negative"),
        ({"offset": "1e3"}, "offset: '1e3' is not an integer"),
        ({"offset": " 5"}, "offset: ' 5' is not an integer"),
        ({"offset": "+5"}, "offset: '\\+5' is not an integer"),
        ({"limit": "1_000"}, "limit: '1_000' is not an integer"),
        ({"limit": "\u0661"}, "limit: .* is not an integer"),
        ({"cursor": "1.2.3"}, "cursor: '1.2.3' is not a cursor of this hub"),
    ],
)
def test_bad_parameters_are_2001(params: dict[str, str], message: str) -> None:
    """A bad query parameter is refused with a 2001 naming it and its value."""
    with pytest.raises(InvalidParameters, match=message):
        parse_page_request(params, max_limit=10)


def test_first_page_links_to_second_with_filters_kept() -> None:
    """The first of three pages links on, keeping date filters and adding the cursor."""
    params = {"date_from": "2024-01-01T00:00:00Z", "limit": "10"}
    req = parse_page_request(params, max_limit=100)
    headers = page_headers(BASE, params, req, returned=10, total=25, last_key=77, max_limit=100)
    assert headers["X-Total-Count"] == "25"
    assert headers["X-Limit"] == "100"
    query = link_query(headers)
    assert query == {
        "date_from": ["2024-01-01T00:00:00Z"],
        "limit": ["10"],
        "offset": ["10"],
        "cursor": ["77"],
    }


def test_middle_page_advances_offset_and_cursor() -> None:
    """A middle page's link advances offset by what was returned and moves the cursor."""
    params = {"offset": "10", "limit": "10", "cursor": "77", "date_to": "2025-01-01T00:00:00Z"}
    req = parse_page_request(params, max_limit=100)
    assert req.cursor == 77
    headers = page_headers(BASE, params, req, returned=10, total=25, last_key=150, max_limit=100)
    query = link_query(headers)
    assert query["offset"] == ["20"] and query["cursor"] == ["150"]
    assert query["date_to"] == ["2025-01-01T00:00:00Z"]


def test_last_page_has_no_link() -> None:
    """The last page carries the counts but no Link."""
    params = {"offset": "20", "limit": "10"}
    req = parse_page_request(params, max_limit=100)
    headers = page_headers(BASE, params, req, returned=5, total=25, last_key=200, max_limit=100)
    assert "Link" not in headers
    assert headers["X-Total-Count"] == "25"


def test_empty_result_has_no_link() -> None:
    """Nothing matched: total 0, no Link."""
    req = parse_page_request({}, max_limit=100)
    headers = page_headers(BASE, {}, req, returned=0, total=0, last_key=None, max_limit=100)
    assert headers == {"X-Total-Count": "0", "X-Limit": "100"}


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["offset", "limit", "date_from", "date_to", "cursor", "other"]),
        st.text(max_size=40),
    )
)
def test_any_query_gives_a_request_or_2001(params: dict[str, str]) -> None:
    """Whatever a partner puts in the query, the result is a page request or a 2001."""
    try:
        req = parse_page_request(params, max_limit=100)
    except InvalidParameters:
        return
    assert 0 <= req.limit <= 100
    assert 0 <= req.offset <= MAX_INT
    assert req.cursor is None or 0 <= req.cursor <= MAX_INT


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(["offset", "limit", "cursor"]),
    st.one_of(
        st.integers(min_value=-(2**70), max_value=2**70).map(str),
        st.integers(min_value=0, max_value=2**70).map(lambda n: f"{n}.{n}"),
        st.text(alphabet="0123456789-+. e_x", max_size=30),
    ),
)
def test_integer_parameters_fit_64_bits_or_are_2001(name: str, raw: str) -> None:
    """An integer parameter is either accepted within 0..2**63-1 or refused naming itself."""
    try:
        req = parse_page_request({name: raw}, max_limit=100)
    except InvalidParameters as exc:
        refused = exc.message
    else:
        refused = None
    if refused is not None:
        assert f"query parameter {name}:" in refused
        return
    if raw == "":
        return
    value = {"offset": req.offset, "limit": req.limit, "cursor": req.cursor}[name]
    assert value is not None and 0 <= value <= MAX_INT
    assert name == "limit" or int(raw.partition(".")[0]) == value
