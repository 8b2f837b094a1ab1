"""When the woken delivery worker claims again (``outbox/worker.pause_before_claim``): at once
when idle or at a slow pace; after the rest of a short spacing when busy, so that one claim
takes the pushes of those milliseconds together; a little later when nearly full."""

from __future__ import annotations

import pytest

from ocpihub.outbox import worker
from ocpihub.outbox.worker import pause_before_claim


def test_idle_worker_claims_at_once() -> None:
    """The last claim found nothing: the first push after a quiet spell is not held back."""
    assert pause_before_claim(False, False, 0.0) == 0.0


def test_slow_pace_claims_at_once() -> None:
    assert pause_before_claim(False, True, worker._SPACING) == 0.0
    assert pause_before_claim(False, True, 1.0) == 0.0


@pytest.mark.parametrize("since", [0.0, 0.004, 0.009])
def test_busy_worker_waits_out_the_spacing(since: float) -> None:
    assert pause_before_claim(False, True, since) == pytest.approx(worker._SPACING - since)
    assert 0 < worker._SPACING <= 0.02  # a few milliseconds, not a noticeable delay


def test_nearly_full_worker_gathers_finished_deliveries() -> None:
    assert pause_before_claim(True, True, 0.0) == worker._GATHER
    assert pause_before_claim(True, False, 5.0) == worker._GATHER
