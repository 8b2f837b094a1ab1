"""Per-platform interoperability profiles (issue 19.1): set through the admin API and the CLI,
and carried out at the outbound edge — the partner's page size cap in the ``limit`` it is
asked for, its own request timeout, and its concurrency limit on deliveries."""

from __future__ import annotations

import asyncio
import contextlib
import html
from typing import Any

import pytest

from ocpihub.testing import Peer, Received
from tests.e2e.conftest import ADMIN_TOKEN, RunningHub
from tests.e2e.test_outbox import (
    FAST,
    cli,
    connect_receiver,
    enqueue_all,
    location_puts,
    outbox_items,
    wait_until,
)
from tests.e2e.test_payments import market, to  # noqa: F401 - the fixture is used by name
from tests.e2e.test_relay import TO_CPO, pair  # noqa: F401 - the fixture is used by name
from tests.support.console import ConsoleClient

STRICT = {
    "page_size_cap": None,
    "timeout_seconds": None,
    "concurrency": None,
    "accept_list_wrapped": False,
    "tolerate": [],
    "backports": [],
}


async def _platform_id(hub: RunningHub, name: str) -> int:
    status, listed = await hub.admin("GET", "/platforms")
    assert status == 200, listed
    return int(next(p["id"] for p in listed if p["name"] == name))


async def test_profile_through_admin_api(hub: RunningHub) -> None:
    """A new platform is strict; PATCH sets only the switches given, GET shows them; an unknown
    switch, deviation or back-port, or a bad number, is refused naming it and nothing changes."""
    created = await hub.add_platform("partner")
    pid = created["id"]
    status, shown = await hub.admin("GET", f"/platforms/{pid}")
    assert shown["profile"] == STRICT
    status, shown = await hub.admin(
        "PATCH", f"/platforms/{pid}", {"profile": {"page_size_cap": 100, "concurrency": 4}}
    )
    assert status == 200, shown
    status, shown = await hub.admin(
        "PATCH",
        f"/platforms/{pid}",
        {"profile": {"timeout_seconds": 2.5, "tolerate": ["lowercase_enums"]}},
    )
    assert status == 200, shown
    assert shown["profile"] == {
        **STRICT,
        "page_size_cap": 100,
        "concurrency": 4,
        "timeout_seconds": 2.5,
        "tolerate": ["lowercase_enums"],
    }
    for bad, named in (
        ({"page_size": 3}, "page_size"),
        ({"tolerate": ["everything"]}, "'everything'"),
        ({"backports": ["location.nonsense"]}, "'location.nonsense'"),
        ({"concurrency": 0}, "profile.concurrency"),
        ({"page_size_cap": 1.5}, "profile.page_size_cap"),
        ({"accept_list_wrapped": "yes"}, "profile.accept_list_wrapped"),
    ):
        status, refused = await hub.admin(
            "PATCH", f"/platforms/{pid}", {"profile": bad, "max_body_bytes": 999}
        )
        assert status == 400, refused
        assert named in refused["error"], refused
    status, shown = await hub.admin("GET", f"/platforms/{pid}")
    assert shown["profile"]["page_size_cap"] == 100
    assert shown["max_body_bytes"] is None
    status, shown = await hub.admin(
        "PATCH", f"/platforms/{pid}", {"profile": {k: None for k in STRICT}}
    )
    assert shown["profile"] == STRICT


async def test_profile_through_cli(hub: RunningHub) -> None:
    """``ocpihub platform profile`` sets switches (adding and removing names) and shows them;
    the admin API sees what the CLI set."""
    created = await hub.add_platform("cli-partner")
    url = hub.settings.database_url
    code, out, err = await cli(
        url,
        "platform",
        "profile",
        "cli-partner",
        "--page-size-cap",
        "100",
        "--timeout",
        "10",
        "--concurrency",
        "4",
        "--accept-list-wrapped",
        "--tolerate",
        "numbers_as_strings",
        "--tolerate",
        "lowercase_enums",
        "--backport",
        "location.help_phone",
    )
    assert code == 0, err
    assert "page size cap:        100" in out
    code, out, err = await cli(
        url, "platform", "profile", "cli-partner", "--no-tolerate", "lowercase_enums", "--json"
    )
    assert code == 0, err
    _, shown = await hub.admin("GET", f"/platforms/{created['id']}")
    assert shown["profile"] == {
        "page_size_cap": 100,
        "timeout_seconds": 10.0,
        "concurrency": 4,
        "accept_list_wrapped": True,
        "tolerate": ["numbers_as_strings"],
        "backports": ["location.help_phone"],
    }
    code, out, err = await cli(url, "platform", "profile", "cli-partner", "--show")
    assert code == 0 and "tolerate:             numbers_as_strings" in out, out
    code, out, err = await cli(url, "platform", "show", "cli-partner")
    assert code == 0, err
    assert "pages <= 100; timeout s 10.0; at once 4; list-wrapped accepted" in out, out
    code, out, err = await cli(url, "platform", "profile", "cli-partner", "--tolerate", "bogus")
    assert code == 2 and "'bogus'" in err, err
    code, out, err = await cli(url, "platform", "profile", "cli-partner", "--reset", "--json")
    assert code == 0, err
    _, shown = await hub.admin("GET", f"/platforms/{created['id']}")
    assert shown["profile"] == STRICT


async def test_page_size_cap_is_the_limit_the_partner_sees(
    hub: RunningHub,
    market: dict[str, Peer],  # noqa: F811 - the fixture
) -> None:
    """A CPO's GET of a PTP's terminals list asks the PTP for at most the PTP's page size cap:
    no limit or a larger one becomes the cap, a smaller one stays; without a cap the CPO's
    limit goes through as given."""
    ptp, cpo = market["ptp"], market["cpo"]
    ptp.on(
        "GET",
        "payments",
        lambda r: (200, {"status_code": 1000, "timestamp": "2024-01-01T00:00:00Z", "data": []}),
    )
    base = f"{cpo.hub_url('payments', 'SENDER')}/terminals"

    async def asked(params: dict[str, str]) -> str | None:
        ptp.received.clear()
        status, answer, _ = await cpo.request("GET", base, headers=to("AT", "PTP"), params=params)
        assert status == 200 and answer["status_code"] == 1000, answer
        (got,) = ptp.of("payments", "GET")
        return got.query.get("limit")

    assert await asked({"limit": "500"}) == "500"
    assert await asked({}) is None
    pid = await _platform_id(hub, "ptp")
    status, _ = await hub.admin("PATCH", f"/platforms/{pid}", {"profile": {"page_size_cap": 100}})
    assert status == 200
    assert await asked({"limit": "500"}) == "100"
    assert await asked({}) == "100"
    assert await asked({"limit": "20", "offset": "40"}) == "20"


async def test_partner_timeout_bounds_a_relayed_request(pair: dict[str, Any]) -> None:  # noqa: F811
    """A CPO that does not answer a forwarded GET within its profile's timeout: the eMSP gets
    4002 after that timeout, not the hub-wide one."""
    hub: RunningHub = pair["hub"]
    cpo: Peer = pair["cpo"]
    emsp: Peer = pair["emsp"]
    released = asyncio.Event()

    async def never(received: Received) -> tuple[int, Any]:
        await released.wait()
        return 200, {"status_code": 1000, "timestamp": "2024-01-01T00:00:00Z", "data": None}

    cpo.on("GET", "locations", never)
    pid = await _platform_id(hub, "cpo")
    status, _ = await hub.admin("PATCH", f"/platforms/{pid}", {"profile": {"timeout_seconds": 0.3}})
    assert status == 200
    try:
        status, answer, _ = await emsp.request(
            "GET", f"{emsp.hub_url('locations', 'SENDER')}/LOC1", headers=TO_CPO
        )
    finally:
        released.set()
    assert answer["status_code"] == 4002, answer
    assert "timeout after 0.3s" in answer["status_message"]
    assert hub.settings.request_timeout != 0.3


@pytest.mark.parametrize("limit", [None, 2])
async def test_concurrency_limit_holds_deliveries(
    hub_factory: Any, database_url: str, limit: int | None
) -> None:
    """Deliveries of many objects to one receiver run in parallel up to its profile's
    concurrency limit and never beyond it; without a limit they go beyond."""
    running = await hub_factory(**{**FAST, "request_timeout": 10.0}, outbox_receiver_concurrency=8)
    peer = Peer("2.3.0", [("EMSP", "DE", "MSP")])
    state = {"now": 0, "max": 0}
    crowd = asyncio.Event()

    async def slow(received: Received) -> tuple[int, Any]:
        state["now"] += 1
        state["max"] = max(state["max"], state["now"])
        if state["now"] > 2:
            crowd.set()
        with contextlib.suppress(TimeoutError):  # hold the slot until more come, or a while
            await asyncio.wait_for(crowd.wait(), timeout=0.3)
        state["now"] -= 1
        return 200, {"status_code": 1000, "timestamp": "2024-01-01T00:00:00Z"}

    peer.on("PUT", "locations", slow)
    from tests.support.servers import run_server

    async with run_server(peer.app) as url:
        peer.base_url = url
        pid = await connect_receiver(database_url, peer, "receiver")
        if limit is not None:
            status, _ = await running.admin(
                "PATCH", f"/platforms/{pid}", {"profile": {"concurrency": limit}}
            )
            assert status == 200
        deliveries = [d for n in range(8) for d in location_puts(pid, f"L{n}", [0])]
        await enqueue_all(database_url, deliveries)

        async def all_done() -> bool:
            items = await outbox_items(database_url)
            return len(items) == 8 and all(i.status.value == "DONE" for i in items)

        await wait_until(all_done, what="every delivery")
    if limit is None:
        assert state["max"] > 2
    else:
        assert state["max"] == limit


async def test_profile_through_console(hub: RunningHub) -> None:
    """The Platform page's profile form sets every switch as the form shows it (an unticked box
    is off); a bad number is refused naming it; the page shows the profile."""
    created = await hub.add_platform("console-partner")
    page = f"/admin/platforms/{created['id']}"
    console = ConsoleClient(hub.url)
    try:
        await console.sign_in(ADMIN_TOKEN)
        _, before = await console.page(page)
        assert "strict (spec-exact)" in before
        said = await console.act(
            page,
            f"{page}/profile",
            page_size_cap="100",
            timeout_seconds="2.5",
            concurrency="",
            accept_list_wrapped="on",
            **{"tolerate.numbers_as_strings": "on", "backport.connector.capabilities": "on"},
        )
        assert said == "ok: Interoperability profile of console-partner saved."
        _, shown = await hub.admin("GET", f"/platforms/{created['id']}")
        assert shown["profile"] == {
            **STRICT,
            "page_size_cap": 100,
            "timeout_seconds": 2.5,
            "accept_list_wrapped": True,
            "tolerate": ["numbers_as_strings"],
            "backports": ["connector.capabilities"],
        }
        _, after = await console.page(page)
        assert "pages ≤ 100" in after and "tolerates numbers_as_strings" in after
        said = await console.act(page, f"{page}/profile", concurrency="many")
        assert html.unescape(said) == (
            "error: concurrency 'many' must be a number above 0 (blank: the default)"
        )
        said = await console.act(page, f"{page}/profile")
        assert said == "ok: Interoperability profile of console-partner saved."
        _, shown = await hub.admin("GET", f"/platforms/{created['id']}")
        assert shown["profile"] == STRICT
    finally:
        await console.close()


async def test_concurrency_limit_holds_relays(pair: dict[str, Any]) -> None:  # noqa: F811
    """Relayed requests to a CPO (forwarded GETs of Locations the hub lacks) run at most its
    profile's concurrency at once; the others wait for a slot and are answered too."""
    hub: RunningHub = pair["hub"]
    cpo: Peer = pair["cpo"]
    emsp: Peer = pair["emsp"]
    state = {"now": 0, "max": 0}
    crowd = asyncio.Event()

    async def slow(received: Received) -> tuple[int, Any]:
        state["now"] += 1
        state["max"] = max(state["max"], state["now"])
        if state["now"] > 2:
            crowd.set()
        with contextlib.suppress(TimeoutError):  # hold the slot until more come, or a while
            await asyncio.wait_for(crowd.wait(), timeout=0.3)
        state["now"] -= 1
        return 200, {"status_code": 2003, "timestamp": "2024-01-01T00:00:00Z"}

    cpo.on("GET", "locations", slow)
    pid = await _platform_id(hub, "cpo")
    status, _ = await hub.admin("PATCH", f"/platforms/{pid}", {"profile": {"concurrency": 2}})
    assert status == 200
    base = emsp.hub_url("locations", "SENDER")
    answers = await asyncio.gather(
        *(emsp.request("GET", f"{base}/LOC{n}", headers=TO_CPO) for n in range(6))
    )
    assert [a[1]["status_code"] for a in answers] == [2003] * 6
    assert state["max"] == 2
