"""A group commit of outcomes the database aborts once (a deadlock it broke) is run again: the
item is recorded DONE and the receiver gets it once, not again after its lease runs out."""

from __future__ import annotations

from typing import Any

import pytest

from ocpihub.model.outbox import Status
from ocpihub.store import outbox as outbox_store
from ocpihub.store.db import is_transient
from tests.e2e.test_outbox import (
    FAST,
    all_in,
    connect_receiver,
    enqueue_all,
    location_puts,
    wait_until,
)


class Aborted(Exception):
    """What a driver raises for a transaction PostgreSQL aborted to break a deadlock."""

    sqlstate = "40P01"


class Refused(Exception):
    """An error that running the transaction again would not cure."""

    sqlstate = "23505"


def fail_first(monkeypatch: pytest.MonkeyPatch, error: Exception) -> list[int]:
    """Make the first outcome commit raise ``error``; the calls' batch sizes."""
    real = outbox_store.finish_many
    calls: list[int] = []

    async def finish_many(conn: Any, worker_id: str, outcomes: Any) -> set[int]:
        calls.append(len(outcomes))
        if len(calls) == 1:
            raise error
        return await real(conn, worker_id, outcomes)

    monkeypatch.setattr(outbox_store, "finish_many", finish_many)
    return calls


async def test_an_aborted_outcome_commit_is_run_again(
    hub_factory: Any, start_peer: Any, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = fail_first(monkeypatch, Aborted("deadlock detected"))
    # a long lease: a redelivery could only come from the lease running out
    await hub_factory(**{**FAST, "outbox_lease_seconds": 30.0})
    peer = await start_peer("2.3.0", [("EMSP", "DE", "MSP")])
    pid = await connect_receiver(database_url, peer, "emsp")
    await enqueue_all(database_url, location_puts(pid, "L1", [0]))

    await wait_until(lambda: all_in(database_url, Status.DONE), timeout=20, what="DONE")

    assert len(peer.of("locations", "PUT")) == 1
    assert len(calls) == 2  # the aborted commit, then the same outcome again


async def test_an_error_that_would_repeat_is_not_retried(
    hub_factory: Any, start_peer: Any, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Anything else is given up at once, as before: the item is delivered again when its lease
    runs out, and recorded then."""
    calls = fail_first(monkeypatch, Refused("unique violation"))
    await hub_factory(**FAST)  # a 1 s lease
    peer = await start_peer("2.3.0", [("EMSP", "DE", "MSP")])
    pid = await connect_receiver(database_url, peer, "emsp")
    await enqueue_all(database_url, location_puts(pid, "L1", [0]))

    await wait_until(lambda: all_in(database_url, Status.DONE), timeout=20, what="DONE")

    assert len(peer.of("locations", "PUT")) == 2
    assert len(calls) == 2


def test_transient_errors_are_told_by_their_code() -> None:
    wrapped = RuntimeError("driver error")
    wrapped.__cause__ = Aborted()
    assert is_transient(Aborted()) and is_transient(wrapped)
    assert not is_transient(Refused()) and not is_transient(RuntimeError("x"))
