"""The token buckets behind per-platform rate limits (pure: the clock is given)."""

from __future__ import annotations

import pytest

from ocpihub.inbound.ratelimit import RateLimiter


def test_burst_then_refill() -> None:
    """A bucket lets its burst through at once, then one request per 1/rate seconds."""
    limiter = RateLimiter()
    assert [limiter.take(1, 2.0, 3.0, 100.0) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.take(1, 2.0, 3.0, 100.0) == pytest.approx(0.5)
    assert limiter.take(1, 2.0, 3.0, 100.25) == pytest.approx(0.25)
    assert limiter.take(1, 2.0, 3.0, 100.5) == 0.0
    assert limiter.take(2, 2.0, 3.0, 100.5) == 0.0  # platforms have their own buckets


def test_no_limit_and_a_minimum_burst() -> None:
    """Rate 0 never refuses; a burst below one request still lets one through."""
    limiter = RateLimiter()
    assert all(limiter.take(1, 0.0, 0.0, 5.0) == 0.0 for _ in range(100))
    assert limiter.take(3, 0.1, 0.01, 5.0) == 0.0
    assert limiter.take(3, 0.1, 0.01, 5.0) == pytest.approx(10.0)
