"""Limits of the outbox a receiver cannot push the hub past: a Retry-After is capped."""

from __future__ import annotations

import asyncio
import re
from datetime import datetime
from typing import Any

from ocpihub.model.outbox import Status
from ocpihub.testing import Peer, Received
from tests.e2e.test_outbox import (
    FAST,
    cli,
    connect_receiver,
    enqueue_all,
    location_puts,
    outbox_items,
    wait_until,
)
from tests.support.servers import run_server


class RetryAfter:
    """ASGI wrapper: every 503 the peer sends carries ``Retry-After: <seconds>``."""

    def __init__(self, app: Any, seconds: int) -> None:
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        async def send_with_header(message: Any) -> None:
            if message["type"] == "http.response.start" and message["status"] == 503:
                message["headers"] = [
                    *message.get("headers", []),
                    (b"retry-after", str(self.seconds).encode()),
                ]
            await send(message)

        await self.app(scope, receive, send_with_header)


async def test_retry_after_is_capped_and_shown(hub_factory: Any, database_url: str) -> None:
    """A receiver's `Retry-After: 100000` waits only the configured maximum; the outbox view
    (admin API and `ocpihub outbox list`) shows the next attempt and that the wait was capped."""
    running = await hub_factory(**FAST, outbox_retry_after_max_seconds=3)
    peer = Peer("2.3.0", [("EMSP", "DE", "MSP")])
    attempts: list[Received] = []

    async def answer(r: Received) -> tuple[int, Any]:
        attempts.append(r)
        return 503, {"status_code": 3000, "timestamp": "2030-01-01T00:00:00Z"}

    peer.on("PUT", "locations", answer)
    async with run_server(RetryAfter(peer.app, 100_000)) as url:
        peer.base_url = url
        pid = await connect_receiver(database_url, peer, "maintenance")
        [item_id] = await enqueue_all(database_url, location_puts(pid, "L1", [0]))

        async def retrying() -> bool:
            return (await outbox_items(database_url))[0].status is Status.RETRY

        await wait_until(retrying, what="the 503 to be recorded")
        status, [shown] = await running.admin("GET", "/outbox?status=RETRY")
        listed = ""
        while "capped" not in listed:  # unless the CLI caught the item in flight
            code, listed, err = await cli(database_url, "outbox", "list", "--status", "RETRY")
            assert code == 0, err
        # the second attempt comes after the cap, not after 27.8 hours
        await wait_until(lambda: asyncio.sleep(0, len(attempts) >= 2), what="attempt 2")

    assert status == 200
    assert shown["id"] == item_id
    assert shown["retry_after_capped"] == 100_000
    assert "Retry-After 100000 s capped to 3 s" in shown["last_error"]
    wait = datetime.fromisoformat(shown["next_attempt_at"]) - datetime.fromisoformat(
        shown["updated_at"]
    )
    # the outcome is stamped a moment after the decision that set the next attempt
    assert 2.9 <= wait.total_seconds() <= 3.0 * (1 + FAST["outbox_retry_jitter"])
    assert "[Retry-After 100000 s capped]" in listed
    # the listing shows when the item is tried next
    assert re.search(rf"{item_id}  RETRY .* \d{{4}}-\d\d-\d\d \d\d:\d\d:\d\d  locations/", listed)
