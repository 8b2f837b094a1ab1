"""The reconciliation's pure parts: filters from text, and the verdict on one CDR's deliveries."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from ocpihub.errors import InvalidParameters
from ocpihub.hub.cdr_reconciliation import CdrState, judge, report_filter
from ocpihub.store.cdr_traces import CdrTrace, DeliveryTrace

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
WEEK = timedelta(days=7)


def item(status: str, item_id: int = 1, **kw: Any) -> DeliveryTrace:
    """An outbox item of the CDR to DE-MSP."""
    values: dict[str, Any] = {
        "id": item_id,
        "status": status,
        "receiver_party": ("DE", "MSP"),
        "receiver_platform_id": 7,
        "attempts": 1,
        "last_error": None,
        "last_http_status": None,
        "last_ocpi_status": None,
        "delivered_at": None,
        "updated_at": NOW,
    }
    values.update(kw)
    return DeliveryTrace(**values)


def trace(*deliveries: DeliveryTrace, **kw: Any) -> CdrTrace:
    """NL-ALF's CDR1, received an hour ago, filed for DE-MSP, token of FR-TOK."""
    values: dict[str, Any] = {
        "key": 1,
        "cpo": ("NL", "ALF"),
        "cdr_id": "CDR1",
        "received_at": NOW - timedelta(hours=1),
        "addressee": ("DE", "MSP"),
        "token_party": ("FR", "TOK"),
        "deliveries": deliveries,
    }
    values.update(kw)
    return CdrTrace(**values)


@pytest.mark.parametrize(
    ("status", "http", "ocpi", "expected"),
    [
        ("DONE", 200, 1000, CdrState.DELIVERED),
        ("PENDING", None, None, CdrState.PENDING),
        ("IN_FLIGHT", None, None, CdrState.PENDING),
        ("RETRY", 503, None, CdrState.RETRYING),
        ("DEAD", 200, 2001, CdrState.REFUSED),
        ("DEAD", 200, 4001, CdrState.REFUSED),
        ("DEAD", 404, None, CdrState.REFUSED),
        ("DEAD", 500, 3000, CdrState.DEAD),
        ("DEAD", 401, None, CdrState.DEAD),
        ("DEAD", 429, None, CdrState.DEAD),
        ("DEAD", None, None, CdrState.DEAD),
    ],
)
def test_states_follow_the_item_and_the_last_answer(
    status: str, http: int | None, ocpi: int | None, expected: CdrState
) -> None:
    """A DEAD item is refused only when the last answer was the receiver saying no."""
    found = judge(
        trace(item(status, last_http_status=http, last_ocpi_status=ocpi)),
        now=NOW,
        retention=WEEK,
    )
    assert (found.state, found.emsp) == (expected, ("DE", "MSP"))


def test_a_done_item_wins_over_a_later_open_one() -> None:
    """Of several items, a DONE one decides; otherwise the latest does."""
    assert judge(trace(item("DONE", 1), item("DEAD", 2)), now=NOW, retention=WEEK).state is (
        CdrState.DELIVERED
    )
    latest = judge(trace(item("DEAD", 1), item("RETRY", 2)), now=NOW, retention=WEEK)
    assert (latest.state, latest.delivery and latest.delivery.id) == (CdrState.RETRYING, 2)


def test_without_item_the_emsp_comes_from_the_mailbox_then_the_token() -> None:
    """No delivery and no mailbox copy: never queued, for the cdr_token owner."""
    filed = judge(trace(), now=NOW, retention=WEEK)
    assert (filed.state, filed.emsp) == (CdrState.NOT_QUEUED, ("DE", "MSP"))
    bare = judge(trace(addressee=None), now=NOW + 2 * WEEK, retention=WEEK)
    assert (bare.state, bare.emsp, bare.pruned) == (CdrState.NOT_QUEUED, ("FR", "TOK"), False)
    nobody = judge(trace(addressee=None, token_party=None), now=NOW, retention=WEEK)
    assert nobody.emsp is None


def test_filter_defaults_to_the_last_seven_days() -> None:
    """No dates: today and the six days before; parties upper-cased."""
    f = report_filter({"cpo": "nl-alf", "emsp": None, "from": " "}, today=date(2026, 3, 10))
    assert (f.first_day, f.last_day, f.cpo, f.emsp) == (
        date(2026, 3, 4),
        date(2026, 3, 10),
        ("NL", "ALF"),
        None,
    )
    assert f.since == datetime(2026, 3, 4, tzinfo=UTC)
    assert f.until == datetime(2026, 3, 11, tzinfo=UTC)


@pytest.mark.parametrize(
    ("values", "limit", "message"),
    [
        ({"cpo": "NLALF"}, 10, "cpo 'NLALF' must have the form CC-PID"),
        ({"emsp": "DE-MS"}, 10, "emsp 'DE-MS' must have the form CC-PID"),
        ({"from": "2026-02-30"}, 10, "from '2026-02-30' is not a date"),
        ({"from": "2026-03-02", "to": "2026-03-01"}, 10, "from 2026-03-02 is after to"),
        ({"from": "2025-01-01", "to": "2026-03-01"}, 10, "at most 366 days"),
        ({"party": "NL-ALF"}, 10, "unknown report filter 'party'"),
        ({}, 0, "limit 0 must be between 1 and 10000"),
    ],
)
def test_bad_filters_name_the_value(values: dict[str, str], limit: int, message: str) -> None:
    """Every bad value is refused with a message naming it."""
    with pytest.raises(InvalidParameters) as caught:
        report_filter(values, limit=limit, today=date(2026, 3, 10))
    assert message in caught.value.message
