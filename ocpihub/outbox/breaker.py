"""Receivers that do not answer are given a rest: a circuit breaker per receiver platform.

Each item's own backoff (:mod:`ocpihub.outbox.retry`) spaces the attempts of that item. A
receiver that is down with thousands of items due would still be tried as fast as its items
come due — every attempt a claim, a connection, an outcome and a log entry — and that work is
taken from the receivers that do answer (issue 16.3). So the worker keeps, per receiver, the
run of attempts that did not reach it (no answer, a timeout, HTTP 408, 429 or 5xx):

- after ``threshold`` of them in a row the breaker opens: nothing is claimed for the receiver
  for a rest of ``base`` seconds, doubled each time it opens again, at most ``cap``;
- after the rest one item at a time is let through (a probe); one that reaches the receiver
  closes the breaker, one that does not opens it again for a doubled rest.

Any answer that reached the receiver (success, or a refusal of the item) resets it. The state is
per process and only holds back claims: items keep their place, order and attempt budget.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from ocpihub.outbox.retry import Outcome, RetryPolicy

__all__ = ["REST_CAP", "Breakers", "reached"]

REST_CAP = 30.0
"""Longest rest (seconds) of a receiver that does not answer before the next probe."""


def reached(outcome: Outcome) -> bool:
    """Whether the attempt got an answer from a receiver that is up and willing."""
    if outcome.transport_error is not None:
        return False
    status = outcome.http_status or 0
    return status not in (408, 429) and status < 500


@dataclass
class _State:
    failures: int = 0
    opened: int = 0  # rests in a row
    until: float = 0.0


class Breakers:
    """The breakers of one worker (see the module docstring)."""

    def __init__(
        self,
        *,
        threshold: int = 5,
        base: float = 1.0,
        cap: float = REST_CAP,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.threshold = threshold
        self.base = base
        self.cap = cap
        self.clock = clock
        self._states: dict[int, _State] = {}

    @classmethod
    def for_policy(cls, policy: RetryPolicy) -> Breakers:
        """Rests from the retry base delay, at most :data:`REST_CAP` or the longest retry wait."""
        return cls(base=policy.base_delay, cap=min(REST_CAP, policy.max_delay))

    def record(self, receiver: int, outcome: Outcome) -> None:
        """Note what an attempt to ``receiver`` came to."""
        if reached(outcome):
            self._states.pop(receiver, None)
            return
        state = self._states.setdefault(receiver, _State())
        now = self.clock()
        if state.opened and now < state.until:
            return  # attempts claimed before it opened: the rest stands
        state.failures += 1
        if state.opened or state.failures >= self.threshold:
            state.opened += 1
            state.failures = 0
            state.until = now + min(self.cap, self.base * 2 ** (state.opened - 1))

    def room(self, receiver: int, room: int, in_flight: int) -> int:
        """How many items of ``receiver`` may be claimed now, given its ``room`` otherwise."""
        state = self._states.get(receiver)
        if state is None or not state.opened:
            return room
        if self.clock() < state.until:
            return 0
        return min(room, 1 - in_flight)  # one probe at a time

    def resting(self) -> list[int]:
        """Receivers whose breaker is open or probing."""
        return [r for r, s in self._states.items() if s.opened]
