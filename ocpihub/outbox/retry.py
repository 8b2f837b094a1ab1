"""The retry policy: what one delivery attempt came to, and what to do next. Pure functions.

Which outcomes retry (digest §1.6, DESIGN rule 7):

- DONE: HTTP 2xx carrying an OCPI envelope with a 1xxx status.
- RETRY (transient): timeouts and connection errors; HTTP 401 (a token rotation crossing the
  delivery; the next attempt sends the current token); HTTP 5xx, 408, 425 and 429 (Retry-After is
  honoured up to ``retry_after_max`` seconds: the next attempt is never earlier, and a longer
  wait asked for is cut to that and noted); OCPI 3xxx (the receiver's own server trouble,
  which is usually passing); OCPI 4xxx from a chained hub except 4001; an HTTP 2xx whose body is
  not an OCPI envelope (a truncated or garbled answer); a 3xx redirect the client did not follow
  (it follows 307/308 within the URL policy; anything else is retried, never dead on the first
  redirect, and its Location is shown).
- DEAD (permanent): OCPI 2xxx (the receiver refused the request: sending it again cannot help;
  its message is kept); OCPI 4001 (the receiver's hub does not know the addressee); any other
  HTTP status (4xx without a 2xxx envelope).

Transient failures back off exponentially with jitter, ``base · 2^(attempts-1)`` capped at
``max_delay`` and spread by ±``jitter``; after ``max_attempts`` attempts, or once the item has
waited ``max_age`` seconds since it was queued (or last retried by the operator), it is DEAD.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from enum import StrEnum

__all__ = [
    "Action",
    "Decision",
    "Outcome",
    "RetryPolicy",
    "Verdict",
    "backoff",
    "classify",
    "decide",
    "parse_retry_after",
]


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Backoff shape and limits (seconds); the settings fill it."""

    base_delay: float = 1.0
    max_delay: float = 600.0
    jitter: float = 0.2
    max_attempts: int = 20
    max_age: float = 86_400.0
    retry_after_max: float = 600.0


class Verdict(StrEnum):
    """What an outcome says about the delivery itself."""

    OK = "OK"
    TRANSIENT = "TRANSIENT"
    PERMANENT = "PERMANENT"


class Action(StrEnum):
    """What the worker does with the item."""

    DONE = "DONE"
    RETRY = "RETRY"
    DEAD = "DEAD"


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one attempt came to: an answer (HTTP and OCPI status), or a transport failure."""

    http_status: int | None = None
    ocpi_status: int | None = None
    message: str | None = None
    retry_after: float | None = None
    transport_error: str | None = None

    @classmethod
    def failed(cls, error: str) -> Outcome:
        """No answer: a timeout or a connection problem, described by ``error``."""
        return cls(transport_error=error)

    @classmethod
    def answered(
        cls,
        http_status: int,
        headers: Mapping[str, str],
        envelope: object,
        now: datetime,
    ) -> Outcome:
        """An HTTP answer; ``envelope`` is the parsed JSON body (anything, or None)."""
        ocpi_status: int | None = None
        message: str | None = None
        if isinstance(envelope, dict):
            code = envelope.get("status_code")
            if isinstance(code, int) and not isinstance(code, bool):
                ocpi_status = code
            text = envelope.get("status_message")
            if isinstance(text, str):
                message = text
        retry_after = None
        for name, value in headers.items():
            if name.lower() == "retry-after":
                retry_after = parse_retry_after(value, now)
            elif name.lower() == "location" and 300 <= http_status < 400 and message is None:
                message = f"redirect to {value} not followed"
        return cls(http_status, ocpi_status, message, retry_after)

    def describe(self) -> str:
        """One line for the operator: what the receiver said."""
        if self.transport_error:
            return self.transport_error
        parts = [f"HTTP {self.http_status}"]
        if self.ocpi_status is not None:
            parts.append(f"OCPI {self.ocpi_status}")
        text = " ".join(parts)
        return f"{text}: {self.message}" if self.message else text


@dataclass(frozen=True, slots=True)
class Decision:
    """The policy's answer: the action, why, and for RETRY when to try next.

    ``retry_after_capped``: the receiver's Retry-After in seconds, when it asked for a longer
    wait than the policy allows (the wait was cut to ``retry_after_max``).
    """

    action: Action
    reason: str
    next_attempt_at: datetime | None = None
    retry_after_capped: float | None = None


def parse_retry_after(value: str, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date); None if invalid."""
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, (when - now).total_seconds())


def classify(outcome: Outcome) -> tuple[Verdict, str]:
    """Whether the outcome is success, worth another try, or final; with the reason."""
    if outcome.transport_error is not None:
        return Verdict.TRANSIENT, outcome.transport_error
    http = outcome.http_status or 0
    code = outcome.ocpi_status
    said = outcome.describe()
    if http == 429 or http == 408 or http == 425 or http >= 500 or 300 <= http < 400:
        return Verdict.TRANSIENT, said
    if http == 401:
        # credentials may be mid-rotation (a PUT crossing this delivery); every attempt sends
        # the platform's current token, so a later one can succeed
        return Verdict.TRANSIENT, f"receiver did not accept the hub's token: {said}"
    if code is not None and 2000 <= code < 3000:
        return Verdict.PERMANENT, f"receiver refused: {said}"
    if 200 <= http < 300:
        if code is None:
            return Verdict.TRANSIENT, f"{said}: the answer is not an OCPI envelope"
        if 1000 <= code < 2000:
            return Verdict.OK, said
        if code == 4001:
            return Verdict.PERMANENT, f"receiver's hub does not know the addressee: {said}"
        return Verdict.TRANSIENT, said
    return Verdict.PERMANENT, f"unexpected answer: {said}"


def backoff(policy: RetryPolicy, attempts: int, rand: float) -> float:
    """Seconds before the next attempt after ``attempts`` failed ones; ``rand`` in [0, 1)."""
    exponent = min(max(attempts - 1, 0), 62)
    delay = min(policy.max_delay, policy.base_delay * (2.0**exponent))
    spread = 1.0 - policy.jitter + 2.0 * policy.jitter * rand
    return max(0.0, delay * spread)


def decide(
    policy: RetryPolicy,
    outcome: Outcome,
    *,
    attempts: int,
    window_start: datetime,
    now: datetime,
    rand: float,
) -> Decision:
    """What to do after attempt number ``attempts`` (1 = the first) came to ``outcome``."""
    verdict, reason = classify(outcome)
    if verdict is Verdict.OK:
        return Decision(Action.DONE, reason)
    if verdict is Verdict.PERMANENT:
        return Decision(Action.DEAD, reason)
    if attempts >= policy.max_attempts:
        return Decision(Action.DEAD, f"gave up after {attempts} attempts; last: {reason}")
    age = (now - window_start).total_seconds()
    if age >= policy.max_age:
        return Decision(Action.DEAD, f"gave up after {age:.0f} s; last: {reason}")
    delay = backoff(policy, attempts, rand)
    capped = None
    asked = outcome.retry_after
    if asked is not None:
        if asked > policy.retry_after_max:
            # a receiver must not park the object's queue past every other limit of the hub
            capped = asked
            reason = f"{reason}; Retry-After {asked:.0f} s capped to {policy.retry_after_max:.0f} s"
            asked = policy.retry_after_max
        delay = max(delay, asked)
    return Decision(Action.RETRY, reason, now + timedelta(seconds=delay), capped)
