"""The per-receiver circuit breaker of the delivery worker (issue 16.3): pure, with a fake
clock."""

from __future__ import annotations

from ocpihub.outbox.breaker import Breakers, reached
from ocpihub.outbox.retry import Outcome

DOWN = Outcome.failed("could not reach partner: connection refused")
UP = Outcome(http_status=200, ocpi_status=1000)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_what_counts_as_not_reached() -> None:
    assert not reached(DOWN)
    assert not reached(Outcome(http_status=503))
    assert not reached(Outcome(http_status=429))
    assert not reached(Outcome(http_status=408))
    assert reached(UP)
    assert reached(Outcome(http_status=400, ocpi_status=2001))  # a refusal: it answered
    assert reached(Outcome(http_status=200, ocpi_status=3000))


def test_a_run_of_failures_rests_the_receiver_then_one_probe_at_a_time() -> None:
    clock = Clock()
    b = Breakers(threshold=3, base=1.0, cap=4.0, clock=clock)
    for _ in range(2):
        b.record(7, DOWN)
    assert b.room(7, 8, 0) == 8 and b.resting() == []
    b.record(7, DOWN)
    assert b.resting() == [7]
    assert b.room(7, 8, 0) == 0
    assert b.room(8, 8, 0) == 8  # others untouched

    for _ in range(5):  # outcomes of attempts claimed before it opened: the rest stands
        b.record(7, DOWN)
    clock.now += 1.0
    assert b.room(7, 8, 0) == 1  # a probe
    assert b.room(7, 7, 1) == 0  # while it runs, nothing more

    b.record(7, DOWN)  # the probe failed: a doubled rest
    clock.now += 1.5
    assert b.room(7, 8, 0) == 0
    clock.now += 0.5
    assert b.room(7, 8, 0) == 1
    b.record(7, DOWN)
    clock.now += 4.0 - 0.01  # rests of 1, 2, then 4 (the cap)
    assert b.room(7, 8, 0) == 0
    clock.now += 0.01
    assert b.room(7, 8, 0) == 1

    b.record(7, UP)  # the probe got through: closed
    assert b.resting() == []
    assert b.room(7, 8, 0) == 8


def test_any_answer_resets_the_run() -> None:
    b = Breakers(threshold=3, clock=Clock())
    b.record(1, DOWN)
    b.record(1, DOWN)
    b.record(1, Outcome(http_status=404))
    b.record(1, DOWN)
    b.record(1, DOWN)
    assert b.resting() == []
