"""The retry policy: which outcomes retry, backoff with jitter, limits, Retry-After."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ocpihub.outbox.retry import (
    Action,
    Outcome,
    RetryPolicy,
    Verdict,
    backoff,
    classify,
    decide,
    parse_retry_after,
)

NOW = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
POLICY = RetryPolicy(base_delay=1.0, max_delay=60.0, jitter=0.2, max_attempts=5, max_age=3600)


def answer(http: int, code: int | None = None, message: str | None = None, **headers: str):
    envelope = None if code is None else {"status_code": code, "status_message": message}
    return Outcome.answered(http, headers, envelope, NOW)


@pytest.mark.parametrize(
    ("outcome", "verdict"),
    [
        (answer(200, 1000), Verdict.OK),
        (answer(201, 1900), Verdict.OK),
        (answer(200, 2001, "bad id"), Verdict.PERMANENT),
        (answer(400, 2001), Verdict.PERMANENT),
        (answer(404, 2003), Verdict.PERMANENT),
        (answer(200, 3000), Verdict.TRANSIENT),
        (answer(200, 3001), Verdict.TRANSIENT),
        (answer(200, 4001), Verdict.PERMANENT),
        (answer(200, 4003), Verdict.TRANSIENT),
        (answer(503), Verdict.TRANSIENT),
        (answer(500, 3000), Verdict.TRANSIENT),
        (answer(429), Verdict.TRANSIENT),
        (answer(408), Verdict.TRANSIENT),
        (answer(200), Verdict.TRANSIENT),
        (answer(404), Verdict.PERMANENT),
        (answer(301), Verdict.TRANSIENT),
        (answer(307), Verdict.TRANSIENT),
        (Outcome.failed("timeout after 1s"), Verdict.TRANSIENT),
        (Outcome.failed("could not reach partner"), Verdict.TRANSIENT),
    ],
)
def test_classify(outcome: Outcome, verdict: Verdict) -> None:
    """Success is HTTP 2xx with OCPI 1xxx; 2xxx and odd 4xx are final; the rest retries."""
    assert verdict == classify(outcome)[0]


def test_redirect_not_followed_retries_and_shows_where() -> None:
    """A redirect that reached the policy (not followed by the client) is retried, never DEAD
    on the first attempt, and the reason names its Location."""
    outcome = answer(302, Location="https://elsewhere.example/cdrs/")
    decision = decide(POLICY, outcome, attempts=1, window_start=NOW, now=NOW, rand=0.5)

    assert decision.action == Action.RETRY
    assert "https://elsewhere.example/cdrs/" in decision.reason


def test_refusal_goes_dead_with_receivers_message() -> None:
    """A 2xxx answer is DEAD at once, whatever the attempt count, and keeps the message."""
    decision = decide(
        POLICY, answer(200, 2001, "id too long"), attempts=1, window_start=NOW, now=NOW, rand=0.5
    )

    assert decision.action == Action.DEAD
    assert "id too long" in decision.reason
    assert "2001" in decision.reason
    assert decision.next_attempt_at is None


def test_success_is_done() -> None:
    """HTTP 200 with status 1000 is DONE."""
    assert (
        decide(POLICY, answer(200, 1000), attempts=3, window_start=NOW, now=NOW, rand=0.1).action
        == Action.DONE
    )


def test_backoff_doubles_up_to_the_cap() -> None:
    """Without jitter the delay doubles per attempt and stops at max_delay."""
    policy = RetryPolicy(base_delay=1.0, max_delay=10.0, jitter=0.0)

    assert [backoff(policy, n, 0.7) for n in range(1, 7)] == [1.0, 2.0, 4.0, 8.0, 10.0, 10.0]


@settings(max_examples=200, deadline=None)
@given(attempts=st.integers(1, 200), rand=st.floats(0, 1, exclude_max=True))
def test_jitter_stays_within_its_band(attempts: int, rand: float) -> None:
    """A jittered delay is within ±jitter of the plain exponential delay."""
    plain = backoff(RetryPolicy(jitter=0.0, max_delay=600.0), attempts, 0.0)
    jittered = backoff(RetryPolicy(jitter=0.2, max_delay=600.0), attempts, rand)

    assert plain * 0.8 - 1e-9 <= jittered <= plain * 1.2 + 1e-9


def test_transient_failure_is_retried_later() -> None:
    """A 503 schedules the next attempt after the backoff."""
    decision = decide(POLICY, answer(503), attempts=2, window_start=NOW, now=NOW, rand=0.5)

    assert decision.action == Action.RETRY
    assert NOW + timedelta(seconds=2) == decision.next_attempt_at


def test_retry_after_is_a_lower_bound() -> None:
    """A 429's Retry-After wins over a shorter backoff, never the other way round."""
    long_wait = decide(
        POLICY, answer(429, **{"Retry-After": "30"}), attempts=1, window_start=NOW, now=NOW, rand=0
    )
    short_wait = decide(
        POLICY, answer(429, **{"retry-after": "0"}), attempts=4, window_start=NOW, now=NOW, rand=0.5
    )

    assert NOW + timedelta(seconds=30) == long_wait.next_attempt_at
    assert NOW + timedelta(seconds=8) == short_wait.next_attempt_at


def test_retry_after_is_capped() -> None:
    """A Retry-After beyond the policy's maximum waits the maximum, and says it was capped."""
    capped = RetryPolicy(retry_after_max=600.0)
    decision = decide(
        capped,
        answer(503, **{"Retry-After": "100000"}),
        attempts=1,
        window_start=NOW,
        now=NOW,
        rand=0.5,
    )
    within = decide(
        capped,
        answer(503, **{"Retry-After": "600"}),
        attempts=1,
        window_start=NOW,
        now=NOW,
        rand=0.5,
    )

    assert decision.action == Action.RETRY
    assert NOW + timedelta(seconds=600) == decision.next_attempt_at
    assert decision.retry_after_capped == 100000.0
    assert "Retry-After 100000 s capped to 600 s" in decision.reason
    assert within.retry_after_capped is None
    assert NOW + timedelta(seconds=600) == within.next_attempt_at


def test_gives_up_after_max_attempts() -> None:
    """The attempt that reaches max_attempts and fails makes the item DEAD."""
    decision = decide(POLICY, answer(503), attempts=5, window_start=NOW, now=NOW, rand=0.5)

    assert decision.action == Action.DEAD
    assert "after 5 attempts" in decision.reason


def test_gives_up_after_max_age() -> None:
    """A failure once the item has waited max_age seconds makes it DEAD."""
    start = NOW - timedelta(seconds=3600)
    decision = decide(
        POLICY, Outcome.failed("timeout"), attempts=2, window_start=start, now=NOW, rand=0.5
    )

    assert decision.action == Action.DEAD


def test_parse_retry_after() -> None:
    """Retry-After is delta-seconds or an HTTP date; anything else is ignored."""
    assert parse_retry_after("120", NOW) == 120.0
    assert parse_retry_after("Thu, 01 Jan 2026 12:01:00 GMT", NOW) == 60.0
    assert parse_retry_after("Thu, 01 Jan 2026 11:00:00 GMT", NOW) == 0.0
    assert parse_retry_after("soon", NOW) is None
    assert parse_retry_after("-5", NOW) is None


def test_401_is_retried_with_the_current_token() -> None:
    """A 401 (a token rotation crossing the delivery) is transient, not a refusal."""
    from ocpihub.outbox.retry import Outcome, Verdict, classify

    verdict, reason = classify(Outcome(http_status=401, ocpi_status=2000))
    assert verdict is Verdict.TRANSIENT
    assert "token" in reason
