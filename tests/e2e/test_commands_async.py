"""Command results over time: the hub's TIMEOUT when the CPO never posts one, duplicates
relayed once, and a reservation that outlives its RESERVE_NOW's wait for a result."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from ocpihub.testing import Peer, Received
from tests.e2e.test_commands import (
    GRACE,
    LAST,
    callbacks,
    last,
    post_result,
    roaming,
    send,
    tag,
    wait_for,
)

__all__ = ["roaming"]  # the fixture, shared with test_commands.py


def answers_timeout(seconds: int) -> Any:
    """A CPO handler: ACCEPTED, result within ``seconds``."""

    def handler(r: Received) -> tuple[int, Any]:
        data = {"result": "ACCEPTED", "timeout": seconds}
        return 200, {"status_code": 1000, "timestamp": LAST, "data": data}

    return handler


@pytest.mark.parametrize("emsp_v", ["2.1.1", "2.3.0"])
async def test_no_result_means_timeout(roaming: dict[str, Any], emsp_v: str) -> None:
    """A CPO that never posts a result: after its timeout plus the grace the eMSP gets TIMEOUT
    from the hub, and a result the CPO posts later is no longer relayed."""
    cpo: Peer = roaming["cpo23"]
    emsp: Peer = roaming["emsp" + tag(emsp_v)]
    cpo.on("POST", "commands", answers_timeout(1))
    _status, answer = await send(roaming, "STOP_SESSION", emsp_v, "2.3.0", "late")
    assert answer["data"]["result"] == "ACCEPTED", answer
    if emsp_v != "2.1.1":
        assert answer["data"]["timeout"] == 2  # 1 s + 0.5 s grace, rounded up
    await asyncio.sleep(1 + GRACE)
    (result,) = await wait_for(emsp, "commands", lambda r: len(callbacks(emsp, "late")) == 1)
    assert result.body["result"] == "TIMEOUT"
    (got,) = cpo.of("commands", "POST")
    await post_result(cpo, got, "ACCEPTED")
    await asyncio.sleep(0.3)
    assert len(callbacks(emsp, "late")) == 1


async def test_duplicate_result_is_relayed_once(roaming: dict[str, Any]) -> None:
    """The CPO posting the same result twice: the eMSP receives it once; both posts get 1000."""
    cpo: Peer = roaming["cpo22"]
    emsp: Peer = roaming["emsp23"]
    await send(roaming, "UNLOCK_CONNECTOR", "2.3.0", "2.2.1", "dup")
    (got,) = cpo.of("commands", "POST")
    for _ in range(2):
        status, ack = await post_result(cpo, got, "ACCEPTED")
        assert status == 200 and ack["status_code"] == 1000, ack
    await wait_for(emsp, "commands", lambda r: len(callbacks(emsp, "dup")) >= 1)
    await asyncio.sleep(0.3)
    assert len(callbacks(emsp, "dup")) == 1


async def test_reservation_outlives_its_result_wait(roaming: dict[str, Any]) -> None:
    """After the RESERVE_NOW's timeout and grace have passed, a CANCEL_RESERVATION is still
    routed to its CPO, and the CPO's later CANCELED_RESERVATION still reaches the eMSP."""
    cpo: Peer = roaming["cpo23"]
    emsp: Peer = roaming["emsp22"]
    cpo.on("POST", "commands", answers_timeout(1))
    await send(roaming, "RESERVE_NOW", "2.2.1", "2.3.0", "reserve")
    (reserve,) = cpo.of("commands", "POST")
    await post_result(cpo, reserve, "ACCEPTED")
    await asyncio.sleep(1 + GRACE + 0.5)
    status, answer = await send(roaming, "CANCEL_RESERVATION", "2.2.1", "2.3.0", "cancel")
    assert status == 200 and answer["data"]["result"] == "ACCEPTED", answer
    assert [last(r) for r in cpo.of("commands", "POST")] == ["RESERVE_NOW", "CANCEL_RESERVATION"]
    await post_result(cpo, reserve, "CANCELED_RESERVATION")
    got = await wait_for(emsp, "commands", lambda r: len(callbacks(emsp, "reserve")) == 2)
    assert [r.body["result"] for r in callbacks(emsp, "reserve")] == [
        "ACCEPTED",
        "CANCELED_RESERVATION",
    ]
    assert got
