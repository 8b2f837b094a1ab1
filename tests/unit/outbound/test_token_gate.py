"""The token gate: calls to a partner never cross the exchange of the hub's token with it."""

from __future__ import annotations

import asyncio

from ocpihub.outbound.auth import PartnerAuth
from ocpihub.outbound.token_gate import TokenGate

OLD = PartnerAuth("old-token", base64=True)


async def test_a_call_prepared_before_an_exchange_goes_with_the_new_token() -> None:
    gate = TokenGate()
    inside = asyncio.Event()
    release = asyncio.Event()
    sent: list[PartnerAuth | None] = []

    async def exchange() -> None:
        async with gate.exchange(7) as replaced:
            inside.set()
            await release.wait()
            replaced("old-token", "new-token")

    async def call() -> None:
        async with gate.call(7, OLD) as auth:
            sent.append(auth)

    exchanging = asyncio.create_task(exchange())
    await inside.wait()
    calling = asyncio.create_task(call())
    await asyncio.sleep(0.05)
    assert sent == []  # held back while the exchange runs
    release.set()
    await asyncio.gather(exchanging, calling)
    assert sent == [PartnerAuth("new-token", base64=True)]
    # later calls that still carry the old token are corrected too, other platforms are not
    async with gate.call(7, OLD) as auth:
        assert auth == PartnerAuth("new-token", base64=True)
    async with gate.call(8, OLD) as auth:
        assert auth == OLD


async def test_an_exchange_waits_for_calls_in_flight() -> None:
    gate = TokenGate()
    order: list[str] = []
    in_call = asyncio.Event()
    finish = asyncio.Event()

    async def call() -> None:
        async with gate.call(7, OLD):
            in_call.set()
            await finish.wait()
            order.append("call done")

    async def exchange() -> None:
        async with gate.exchange(7):
            order.append("exchange")

    calling = asyncio.create_task(call())
    await in_call.wait()
    exchanging = asyncio.create_task(exchange())
    await asyncio.sleep(0.05)
    assert order == []
    finish.set()
    await asyncio.gather(calling, exchanging)
    assert order == ["call done", "exchange"]


async def test_an_exchange_does_not_wait_forever_for_a_hanging_call() -> None:
    gate = TokenGate(drain_seconds=0.1)
    hang = asyncio.Event()
    in_call = asyncio.Event()

    async def call() -> None:
        async with gate.call(7, OLD):
            in_call.set()
            await hang.wait()

    calling = asyncio.create_task(call())
    await in_call.wait()
    async with asyncio.timeout(2), gate.exchange(7):
        pass
    hang.set()
    await calling


async def test_calls_inside_the_exchange_pass_and_replacements_chain() -> None:
    gate = TokenGate()
    async with gate.exchange(7) as replaced:
        async with asyncio.timeout(1), gate.call(7, OLD) as auth:
            assert auth == OLD  # the exchange's own PUT
        replaced("old-token", "second")
    async with gate.exchange(7) as replaced:
        replaced("second", "third")
    async with gate.call(7, OLD) as auth:
        assert auth == PartnerAuth("third", base64=True)
    async with gate.call(7, None) as auth:
        assert auth is None
