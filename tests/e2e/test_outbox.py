"""Durable delivery end to end: a real hub delivers queued items to real peers.

Receivers are registered straight through the store (registration is issue 4), pointing at
running Peers; deliveries are queued with the producer API, as the data modules will.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import orjson

from ocpihub.model.outbox import OutboxItem, Status
from ocpihub.model.parties import ConnectionStatus, Endpoint, PlatformStatus
from ocpihub.outbox.enqueue import Delivery, enqueue, ordering_key
from ocpihub.store import outbox as outbox_store
from ocpihub.store import platforms as plat
from ocpihub.store.db import Database
from ocpihub.store.migrate import migrate
from ocpihub.testing import Peer, Received
from tests.support.cli import cli
from tests.support.servers import free_port, run_server

FAST: dict[str, Any] = {
    "outbox_poll_interval": 0.05,
    "outbox_retry_base_delay": 0.05,
    "outbox_retry_max_delay": 0.3,
    "outbox_retry_jitter": 0.1,
    "outbox_lease_seconds": 1.0,
    "request_timeout": 1.0,
}
"""Hub settings that keep delivery tests quick."""


async def connect_receiver(
    database_url: str,
    peer: Peer,
    name: str,
    party: tuple[str, str, str] = ("EMSP", "DE", "MSP"),
    status: ConnectionStatus = ConnectionStatus.CONNECTED,
) -> int:
    """Store ``peer`` as a registered platform hosting ``party``; its platform id."""
    role, cc, pid = party
    db = Database(database_url)
    try:
        await migrate(db)  # the hub may not have started yet
        async with db.write() as conn:
            p = await plat.create_platform(conn, name)
            await plat.update_platform(
                conn,
                p.id,
                status=PlatformStatus.REGISTERED,
                version=peer.version,
                versions_url=peer.versions_url,
                outbound_token=peer.issue_token(),
            )
            assert peer.modules is not None
            await plat.replace_endpoints(
                conn, p.id, [Endpoint(m, r, peer.module_url(m, r)) for m, r in peer.modules]
            )
            await plat.upsert_party(
                conn, p.id, country_code=cc, party_id=pid, role=role, status=status
            )
        return p.id
    finally:
        await db.close()


def location_puts(
    platform_id: int,
    obj: str,
    seqs: range | list[int],
    to: tuple[str, str] = ("DE", "MSP"),
    **extra: Any,
) -> list[Delivery]:
    """PUTs of Location ``obj`` (owner NL-CPO) carrying ``seq`` numbers, for one receiver."""
    return [
        Delivery(
            receiver_platform_id=platform_id,
            receiver_party=to,
            sender_party=("NL", "CPO"),
            module="locations",
            method="PUT",
            url_suffix=f"/NL/CPO/{obj}",
            ordering_key=ordering_key("locations", "NL", "CPO", obj),
            correlation_id=f"corr-{obj}-{seq}",
            object_name="Location",
            payload={"id": obj, "seq": seq, "_ocpihub": {"internal": True}},
            **extra,
        )
        for seq in seqs
    ]


async def enqueue_all(database_url: str, deliveries: list[Delivery]) -> list[int]:
    """Queue deliveries in one transaction, as a data module would."""
    db = Database(database_url)
    try:
        async with db.write() as conn:
            return await enqueue(conn, deliveries)
    finally:
        await db.close()


async def outbox_items(database_url: str) -> list[OutboxItem]:
    """Every outbox item, in queue order."""
    db = Database(database_url)
    try:
        async with db.read() as conn:
            return await outbox_store.list_items(conn, limit=100_000)
    finally:
        await db.close()


async def wait_until(
    check: Callable[[], Awaitable[bool]], timeout: float = 60.0, what: str = "condition"
) -> None:
    """Poll ``check`` until it holds, or fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not await check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.05)


async def all_in(database_url: str, *states: Status, count: int | None = None) -> bool:
    """Whether every item (and at least ``count`` of them) is in one of ``states``."""
    items = await outbox_items(database_url)
    return bool(items) and all(i.status in states for i in items) and len(items) >= (count or 0)


def seqs_by_object(received: list[Received]) -> dict[str, list[int]]:
    """What a peer got: the ``seq`` numbers per object path, in arrival order."""
    out: dict[str, list[int]] = {}
    for r in received:
        if r.method == "PUT" and isinstance(r.body, dict) and "seq" in r.body:
            out.setdefault("/".join(r.path.split("/")[-3:]), []).append(r.body["seq"])
    return out


def without_repeats(seqs: list[int]) -> list[int]:
    """``seqs`` with consecutive duplicates (re-deliveries of an in-flight item) collapsed."""
    return [s for i, s in enumerate(seqs) if i == 0 or seqs[i - 1] != s]


async def test_broadcast_burst_reaches_every_receiver_in_order(
    hub_factory: Any, start_peer: Any, database_url: str
) -> None:
    """Queued broadcast PUTs reach each receiver once, in order per object, with hop headers."""
    await hub_factory(**FAST)
    one = await start_peer("2.3.0", [("EMSP", "DE", "MSP")], name="one")
    two = await start_peer("2.3.0", [("EMSP", "BE", "EMP")], name="two")
    one_id = await connect_receiver(database_url, one, "one")
    two_id = await connect_receiver(database_url, two, "two", ("EMSP", "BE", "EMP"))
    burst: list[Delivery] = []
    for obj in ("L1", "L2", "L3"):
        burst += location_puts(one_id, obj, range(10), broadcast=True)
        burst += location_puts(two_id, obj, range(10), ("BE", "EMP"), broadcast=True)
    await enqueue_all(database_url, burst)

    await wait_until(lambda: all_in(database_url, Status.DONE), what="all DONE")

    for peer, party in ((one, ("DE", "MSP")), (two, ("BE", "EMP"))):
        got = seqs_by_object(peer.of("locations"))
        assert got == {f"NL/CPO/{o}": list(range(10)) for o in ("L1", "L2", "L3")}
        puts = peer.of("locations", "PUT")
        assert all("_ocpihub" not in r.body for r in puts)
        assert {
            (r.header("OCPI-from-country-code"), r.header("OCPI-from-party-id")) for r in puts
        } == {("NL", "HUB")}
        assert {(r.header("OCPI-to-country-code"), r.header("OCPI-to-party-id")) for r in puts} == {
            party
        }
        assert all(
            r.header("X-Correlation-ID") == f"corr-{r.body['id']}-{r.body['seq']}" for r in puts
        )
        assert len({r.header("X-Request-ID") for r in puts}) == len(puts)
        assert all(r.token_was_base64 for r in puts)


async def test_same_version_original_is_forwarded_untouched(
    hub_factory: Any, start_peer: Any, database_url: str
) -> None:
    """A receiver on the sender's version gets the sender's payload byte for byte as JSON."""
    await hub_factory(**FAST)
    peer = await start_peer("2.2.1", [("EMSP", "DE", "MSP")])
    pid = await connect_receiver(database_url, peer, "old")
    original = {"id": "L1", "seq": 0, "x_vendor": {"kept": [1, 2]}}
    await enqueue_all(
        database_url, location_puts(pid, "L1", [0], original=original, original_version="2.2.1")
    )

    await wait_until(lambda: all_in(database_url, Status.DONE), what="DONE")

    [got] = peer.of("locations", "PUT")
    assert got.body == original
    assert got.path == "/ocpi/2.2.1/locations/receiver/NL/CPO/L1"


async def test_receiver_down_then_back_gets_everything_in_order(
    hub_factory: Any, start_peer: Any, database_url: str
) -> None:
    """Not listening, then 503s, then healthy: every item arrives, in order per object."""
    await hub_factory(**FAST)
    port = free_port()
    peer = Peer("2.3.0", [("EMSP", "DE", "MSP")], base_url=f"http://127.0.0.1:{port}")
    pid = await connect_receiver(database_url, peer, "flaky")
    burst = [d for obj in ("A", "B") for d in location_puts(pid, obj, range(8))]
    await enqueue_all(database_url, burst)

    async def retried() -> bool:
        return any(
            i.status is Status.RETRY and i.attempts >= 2 for i in await outbox_items(database_url)
        )

    await wait_until(retried, what="retries while the receiver is not listening")
    unavailable = {"left": 6}

    def answer(r: Received) -> tuple[int, Any]:
        if unavailable["left"] > 0:
            unavailable["left"] -= 1
            return 503, b"Service Unavailable"
        return 200, {"status_code": 1000, "timestamp": "2030-01-01T00:00:00Z"}

    peer.on("PUT", "locations", answer)
    async with run_server(peer.app, port):
        await wait_until(lambda: all_in(database_url, Status.DONE), what="all DONE")

    got = seqs_by_object(peer.received)
    assert {k: without_repeats(v) for k, v in got.items()} == {
        "NL/CPO/A": list(range(8)),
        "NL/CPO/B": list(range(8)),
    }
    assert unavailable["left"] == 0
    assert max(i.attempts for i in await outbox_items(database_url)) >= 3


class RetryAfter:
    """ASGI wrapper: every 429 the peer sends carries ``Retry-After: <seconds>``."""

    def __init__(self, app: Any, seconds: int) -> None:
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        async def send_with_header(message: Any) -> None:
            if message["type"] == "http.response.start" and message["status"] == 429:
                message["headers"] = [
                    *message.get("headers", []),
                    (b"retry-after", str(self.seconds).encode()),
                ]
            await send(message)

        await self.app(scope, receive, send_with_header)


async def test_429_retry_after_is_honoured(hub_factory: Any, database_url: str) -> None:
    """After a 429 with Retry-After: 1 the next attempt comes no sooner than 1 s later."""
    await hub_factory(**FAST)
    peer = Peer("2.3.0", [("EMSP", "DE", "MSP")])
    attempts: list[float] = []
    answered_429: list[datetime] = []

    def answer(r: Received) -> tuple[int, Any]:
        attempts.append(time.monotonic())
        answered_429.append(datetime.now(UTC))
        if len(attempts) == 1:
            return 429, {
                "status_code": 2000,
                "status_message": "slow down",
                "timestamp": "2030-01-01T00:00:00Z",
            }
        return 200, {"status_code": 1000, "timestamp": "2030-01-01T00:00:00Z"}

    peer.on("PUT", "locations", answer)
    async with run_server(RetryAfter(peer.app, 1)) as url:
        peer.base_url = url
        pid = await connect_receiver(database_url, peer, "busy")
        await enqueue_all(database_url, location_puts(pid, "L1", [0]))

        async def after_429() -> bool:
            items = await outbox_items(database_url)
            return items[0].status is Status.RETRY

        await wait_until(after_429, what="the 429 to be recorded")
        [waiting] = await outbox_items(database_url)
        await wait_until(lambda: all_in(database_url, Status.DONE), what="DONE")

    assert waiting.last_http_status == 429
    # the attempt time recorded by the hub is later than the peer's answer: a safe lower bound
    assert (waiting.next_attempt_at - answered_429[0]).total_seconds() >= 1.0
    assert len(attempts) == 2
    assert attempts[1] - attempts[0] >= 1.0


async def test_refusal_goes_dead_and_cli_retry_delivers_it(
    start_peer: Any, database_url: str, hub_factory: Any
) -> None:
    """A 2001 refusal is DEAD with the receiver's message; `ocpihub outbox retry` redelivers it."""
    running = await hub_factory(**FAST)
    peer = await start_peer("2.3.0", [("EMSP", "DE", "MSP")])
    peer.on(
        "PUT",
        "locations",
        lambda r: (
            400,
            {
                "status_code": 2001,
                "status_message": "field 'seq' is odd",
                "timestamp": "2030-01-01T00:00:00Z",
            },
        ),
    )
    pid = await connect_receiver(database_url, peer, "picky")
    [item_id] = await enqueue_all(database_url, location_puts(pid, "L1", [7]))

    await wait_until(lambda: all_in(database_url, Status.DEAD), what="DEAD")
    [dead] = await outbox_items(database_url)
    assert dead.attempts == 1
    assert "field 'seq' is odd" in (dead.last_error or "")
    assert (dead.last_http_status, dead.last_ocpi_status) == (400, 2001)
    status, listed = await running.admin("GET", "/outbox?status=dead")
    assert status == 200
    assert [i["id"] for i in listed] == [item_id]
    code, out, err = await cli(database_url, "outbox", "list", "--status", "DEAD", "--json")
    assert code == 0, err
    assert [i["id"] for i in orjson.loads(out)] == [item_id]

    peer.handlers.clear()  # the receiver is fixed
    code, out, err = await cli(database_url, "outbox", "retry", str(item_id))
    assert code == 0, err

    await wait_until(lambda: all_in(database_url, Status.DONE), what="DONE after retry")
    assert [r.body["seq"] for r in peer.of("locations", "PUT")] == [7, 7]
    code, _, err = await cli(database_url, "outbox", "retry", "999999")
    assert code == 1
    assert "no outbox item with id 999999" in err


async def test_admin_retry_of_all_dead(
    hub_factory: Any, start_peer: Any, database_url: str
) -> None:
    """POST /outbox/retry-dead and /outbox/{id}/retry re-queue items; unknown ids are 404."""
    running = await hub_factory(**FAST)
    peer = await start_peer("2.3.0", [("EMSP", "DE", "MSP")])
    refuse = {"on": True}
    peer.on(
        "PUT",
        "locations",
        lambda r: (
            200,
            {"status_code": 2001 if refuse["on"] else 1000, "timestamp": "2030-01-01T00:00:00Z"},
        ),
    )
    pid = await connect_receiver(database_url, peer, "picky")
    ids = await enqueue_all(database_url, location_puts(pid, "L1", [1, 2]))
    await wait_until(lambda: all_in(database_url, Status.DEAD, count=2), what="DEAD")

    refuse["on"] = False
    status, body = await running.admin("POST", "/outbox/retry-dead")
    assert (status, body) == (200, {"retried": ids})
    await wait_until(lambda: all_in(database_url, Status.DONE), what="DONE")
    assert without_repeats(seqs_by_object(peer.received)["NL/CPO/L1"]) == [1, 2, 1, 2]

    status, again = await running.admin("POST", f"/outbox/{ids[0]}/retry")
    assert (status, again["status"]) == (200, "PENDING")
    status, _ = await running.admin("POST", "/outbox/424242/retry")
    assert status == 404


async def test_offline_receiver_waits_until_connected(
    hub_factory: Any, start_peer: Any, database_url: str
) -> None:
    """Deliveries to an OFFLINE party wait, untried, and flow once it is CONNECTED again."""
    await hub_factory(**FAST)
    peer = await start_peer("2.3.0", [("EMSP", "DE", "MSP")])
    pid = await connect_receiver(database_url, peer, "sleepy", status=ConnectionStatus.OFFLINE)
    await enqueue_all(database_url, location_puts(pid, "L1", range(3)))

    await asyncio.sleep(0.5)  # ten poll intervals
    assert peer.of("locations") == []
    assert [i.attempts for i in await outbox_items(database_url)] == [0, 0, 0]

    db = Database(database_url)
    try:
        async with db.write() as conn:
            await plat.upsert_party(
                conn,
                pid,
                country_code="DE",
                party_id="MSP",
                role="EMSP",
                status=ConnectionStatus.CONNECTED,
            )
    finally:
        await db.close()
    await wait_until(lambda: all_in(database_url, Status.DONE), what="DONE")
    assert seqs_by_object(peer.received) == {"NL/CPO/L1": [0, 1, 2]}
