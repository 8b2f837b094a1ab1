"""Per-platform request rate limits: one token bucket per platform, in this process.

A platform may make ``rate`` requests a second on average and ``burst`` at once; a request that
finds the bucket empty is refused, with the seconds until the next one would pass. Buckets live
in process memory: with N hub processes behind a load balancer a platform may reach N times its
limit (docs/settings.md says so). Pure apart from the clock it is given.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["RateLimiter"]

_MAX_BUCKETS = 100_000


@dataclass(slots=True)
class _Bucket:
    tokens: float
    at: float


class RateLimiter:
    """Token buckets keyed by platform id."""

    def __init__(self) -> None:
        self._buckets: dict[int, _Bucket] = {}

    def take(self, key: int, rate: float, burst: float, now: float) -> float:
        """Spend one request of ``key``'s bucket: 0.0 when it may pass, else the seconds to
        wait before one would. ``rate`` <= 0 means no limit."""
        if rate <= 0:
            return 0.0
        burst = max(burst, 1.0)
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) >= _MAX_BUCKETS:  # platforms are few; never grow unbounded
                self._buckets.clear()
            bucket = self._buckets[key] = _Bucket(burst, now)
        bucket.tokens = min(burst, bucket.tokens + (now - bucket.at) * rate)
        bucket.at = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return 0.0
        return (1.0 - bucket.tokens) / rate
