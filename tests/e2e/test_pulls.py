"""Scheduled pulls: partners that never push are kept in sync by the hub pulling their Sender
interfaces (issue 19.2). The peers here publish lists (``Peer.sender_lists``) and never push;
what the hub pulls must reach the agreed peers exactly as a push would."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp

from ocpihub.app import create_app
from ocpihub.store.db import Database
from ocpihub.store.pulls import list_pulls
from ocpihub.testing import Peer, payloads
from ocpihub.testing.sender_list import SenderList
from tests.e2e.conftest import ADMIN_TOKEN, RunningHub
from tests.support.connect import connect
from tests.support.servers import free_port, run_server

MANUAL = {"pull_delta_minutes": 0, "pull_full_hours": 0}


def _stamp(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


async def wait_for(check: Any, timeout: float = 15, what: str = "") -> Any:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        result = check()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return result
        assert loop.time() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.05)


async def pair(hub: RunningHub, start_peer: Any) -> tuple[Peer, Peer, int, int]:
    """A CPO that publishes Locations and Tariffs lists and never pushes, an eMSP that
    publishes a Tokens list, connected and agreed."""
    cpo = await start_peer("2.3.0", [("CPO", "NL", "CPO")], name="lister")
    cpo.sender_lists["locations"] = SenderList(page_size=2)
    cpo.sender_lists["tariffs"] = SenderList(page_size=2)
    emsp = await start_peer("2.2.1", [("EMSP", "DE", "MSP")], name="emsp")
    emsp.sender_lists["tokens"] = SenderList(page_size=2)
    runtime = hub.app.state.runtime
    cpo_id = await connect(runtime.db, cpo, hub.versions_url)
    emsp_id = await connect(runtime.db, emsp, hub.versions_url)
    status, _ = await hub.admin("POST", "/agreements", {"parties": ["NL-CPO", "DE-MSP"]})
    assert status == 201
    return cpo, emsp, cpo_id, emsp_id


async def pull_now(hub: RunningHub, platform_id: int, module: str, *, full: bool = False) -> Any:
    """Start a pull through the admin API and wait for it to end; its final status."""
    status, started = await hub.admin(
        "POST", f"/platforms/{platform_id}/pulls/{module}/run", {"full": full}
    )
    assert status == 202, started
    assert started["status"] in ("RUNNING", "OK", "FAILED")  # a short pull may be over already

    async def finished() -> Any:
        _, rows = await hub.admin("GET", f"/platforms/{platform_id}/pulls?module={module}")
        (row,) = rows
        assert row["correlation_id"] == started["correlation_id"]
        return row if not row["running"] and row["finished_at"] else None

    return await wait_for(finished, what=f"the {module} pull to finish")


def puts(peer: Peer, module: str) -> dict[str, Any]:
    """The last body the peer received per object id (PUTs of ``module``)."""
    out: dict[str, Any] = {}
    for item in peer.of(module, "PUT"):
        out[item.path.rsplit("/", 1)[-1]] = item.body
    return out


async def test_delta_pull_sends_date_from_and_delivers_changes(
    hub_factory: Any, start_peer: Any
) -> None:
    """A first pull reads the CPO's whole list across Link pages; the next one asks only for
    changes since the first began (date_from) and delivers the changed and new Locations to
    the agreed eMSP, and nothing unchanged again."""
    hub = await hub_factory(**MANUAL)
    cpo, emsp, cpo_id, _ = await pair(hub, start_peer)
    old = _stamp(datetime.now(UTC) - timedelta(hours=2))
    listed = cpo.sender_lists["locations"]
    for n in range(1, 6):
        loc = payloads.location("NL", "CPO", f"LOC{n}", evses=1, tariff_id="T1")
        listed.put(loc | {"last_updated": old})

    first = await pull_now(hub, cpo_id, "locations")
    assert first["messages"] == []

    assert (first["status"], first["kind"], first["pages"], first["objects"]) == (
        "OK",
        "full",
        3,
        5,
    )
    assert first["stored"] == 5 and first["errors"] == 0 and first["total"] == 5
    gets = cpo.of("locations", "GET")
    assert len(gets) == 3 and "date_from" not in gets[0].query
    assert {g.header("x-correlation-id") for g in gets} == {first["correlation_id"]}
    await wait_for(lambda: len(puts(emsp, "locations")) == 5, what="5 locations at the eMSP")

    changed = dict(listed.objects[1]) | {"name": "Renamed", "last_updated": payloads.now()}
    listed.put(changed)
    listed.put(payloads.location("NL", "CPO", "LOC6", evses=2, tariff_id="T1"))
    before = len(emsp.of("locations", "PUT"))

    second = await pull_now(hub, cpo_id, "locations")

    assert (second["status"], second["kind"], second["stored"]) == ("OK", "delta", 2)
    started = datetime.fromisoformat(first["started_at"])
    delta_get = cpo.of("locations", "GET")[3]
    assert delta_get.query["date_from"] == _stamp(started)
    assert second["synced_from"] == second["started_at"]
    await wait_for(lambda: len(emsp.of("locations", "PUT")) == before + 2, what="2 more PUTs")
    got = puts(emsp, "locations")
    assert got["LOC2"]["name"] == "Renamed"
    assert len(got["LOC6"]["evses"]) == 2
    await asyncio.sleep(0.3)
    assert len(emsp.of("locations", "PUT")) == before + 2  # nothing unchanged went out again


async def test_scheduled_deltas_keep_a_silent_partner_in_sync(
    hub_factory: Any, start_peer: Any
) -> None:
    """With a short delta period the hub pulls on its own: a new Token the eMSP only lists
    reaches the agreed CPO without anyone asking."""
    hub = await hub_factory(pull_delta_minutes=0.02, pull_full_hours=0)
    cpo, emsp, _, emsp_id = await pair(hub, start_peer)
    emsp.sender_lists["tokens"].put(payloads.token("2.2.1", "DE", "MSP", "AA01"), "uid")

    await wait_for(
        lambda: "AA01" in {p.body["uid"] for p in cpo.of("tokens", "PUT")},
        what="the first token at the CPO",
    )
    emsp.sender_lists["tokens"].put(payloads.token("2.2.1", "DE", "MSP", "AA02"), "uid")
    await wait_for(
        lambda: "AA02" in {p.body["uid"] for p in cpo.of("tokens", "PUT")},
        what="the second token at the CPO",
    )

    gets = emsp.of("tokens", "GET")
    assert "date_from" not in gets[0].query  # the first pull is a full one
    assert any("date_from" in g.query for g in gets[1:])
    _, rows = await hub.admin("GET", f"/platforms/{emsp_id}/pulls")
    (tokens,) = rows
    assert tokens["module"] == "tokens" and tokens["next_delta"] is not None
    assert tokens["next_full"] is None


async def test_full_pull_removes_what_the_partner_no_longer_lists(
    hub_factory: Any, start_peer: Any
) -> None:
    """A full pull deletes a Tariff the CPO stopped listing (the eMSP gets the DELETE), marks a
    Token the eMSP stopped listing invalid (the CPO gets the PUT with valid false) and keeps
    a Location (OCPI deletes none)."""
    hub = await hub_factory(**MANUAL)
    cpo, emsp, cpo_id, emsp_id = await pair(hub, start_peer)
    for n in (1, 2, 3):
        cpo.sender_lists["tariffs"].put(payloads.tariff("NL", "CPO", f"T{n}", 0.3))
        cpo.sender_lists["locations"].put(
            payloads.location("NL", "CPO", f"L{n}", evses=1, tariff_id="T1")
        )
        emsp.sender_lists["tokens"].put(payloads.token("2.2.1", "DE", "MSP", f"U{n}"), "uid")
    for platform, module in ((cpo_id, "tariffs"), (cpo_id, "locations"), (emsp_id, "tokens")):
        assert (await pull_now(hub, platform, module))["stored"] == 3
    cpo.sender_lists["tariffs"].remove("T2")
    cpo.sender_lists["locations"].remove("L2")
    u3 = next(t for t in emsp.sender_lists["tokens"].objects if t["uid"] == "U3")
    emsp.sender_lists["tokens"].remove("U3", "uid")

    delta = await pull_now(hub, cpo_id, "tariffs")
    assert delta["kind"] == "delta" and delta["removed"] == 0  # only a full pull removes
    tariffs = await pull_now(hub, cpo_id, "tariffs", full=True)
    locations = await pull_now(hub, cpo_id, "locations", full=True)
    tokens = await pull_now(hub, emsp_id, "tokens", full=True)

    assert (tariffs["kind"], tariffs["removed"]) == ("full", 1)
    assert locations["removed"] == 0
    assert tokens["removed"] == 1
    (deleted,) = await wait_for(lambda: emsp.of("tariffs", "DELETE"), what="the DELETE")
    assert deleted.path.endswith("/NL/CPO/T2")
    invalid = await wait_for(
        lambda: [p for p in cpo.of("tokens", "PUT") if p.body.get("valid") is False],
        what="the invalidated token",
    )
    assert [p.body["uid"] for p in invalid] == ["U3"]
    status, body, _ = await emsp.request("GET", emsp.hub_url("tariffs", "SENDER"))
    assert status == 200
    assert sorted(t["id"] for t in body["data"]) == ["T1", "T3"]
    status, body, _ = await emsp.request("GET", emsp.hub_url("locations", "SENDER"))
    assert status == 200
    assert sorted(t["id"] for t in body["data"]) == ["L1", "L2", "L3"]
    again = await pull_now(hub, emsp_id, "tokens", full=True)
    assert again["removed"] == 0  # already invalid: not sent again
    emsp.sender_lists["tokens"].put(u3, "uid")  # the same object, same last_updated
    back = await pull_now(hub, emsp_id, "tokens", full=True)
    assert (back["stored"], back["removed"]) == (1, 0)  # listed again: valid again
    await wait_for(
        lambda: [p for p in cpo.of("tokens", "PUT") if p.body["uid"] == "U3"][-1].body["valid"],
        what="U3 valid again at the CPO",
    )
    async with aiohttp.ClientSession() as session, session.get(f"{hub.url}/metrics") as r:
        text = await r.text()
    for line in (
        # the first pull ever is a full one
        'ocpihub_pulls_total{kind="full",module="tariffs",platform="lister",status="OK"} 2.0',
        'ocpihub_pulls_total{kind="delta",module="tariffs",platform="lister",status="OK"} 1.0',
        'ocpihub_pulled_objects_total{module="tariffs",outcome="removed",platform="lister"} 1.0',
        'ocpihub_pulled_objects_total{module="tokens",outcome="stored",platform="emsp"} 4.0',
    ):
        assert line in text, line


async def test_pulled_objects_follow_the_push_rules(hub_factory: Any, start_peer: Any) -> None:
    """An object of a party the platform does not host is refused with a message naming it; an
    older copy than the stored one is ignored; the rest are stored."""
    hub = await hub_factory(**MANUAL)
    cpo, emsp, cpo_id, _ = await pair(hub, start_peer)
    listed = cpo.sender_lists["tariffs"]
    listed.put(payloads.tariff("NL", "CPO", "OWN", 0.3))
    listed.put(payloads.tariff("NL", "XXX", "FOREIGN", 0.3))
    listed.put({"id": "BROKEN", "country_code": "NL", "party_id": "CPO"})
    newer = payloads.tariff("NL", "CPO", "PUSHED", 0.5)
    url = f"{cpo.hub_url('tariffs', 'RECEIVER')}/NL/CPO/PUSHED"
    assert (await cpo.request("PUT", url, json=newer))[0] == 201
    listed.put(newer | {"last_updated": _stamp(datetime.now(UTC) - timedelta(days=1))})

    result = await pull_now(hub, cpo_id, "tariffs")

    assert (result["status"], result["objects"], result["stored"], result["errors"]) == (
        "OK",
        4,
        1,
        2,
    )
    foreign, broken = result["messages"]
    assert "'FOREIGN'" in foreign and "NL-XXX" in foreign and "country_code/party_id" in foreign
    assert "'BROKEN'" in broken and "currency" in broken
    status, body, _ = await emsp.request("GET", emsp.hub_url("tariffs", "SENDER"))
    assert status == 200
    by_id = {t["id"]: t for t in body["data"]}
    assert sorted(by_id) == ["OWN", "PUSHED"]
    assert by_id["PUSHED"]["last_updated"] == newer["last_updated"]


async def test_link_loop_stops_the_pull(hub_factory: Any, start_peer: Any) -> None:
    """A partner whose Link points back at a page already fetched: the pull stops with an
    error after that page, nothing is removed, and the next delta starts from the last good
    pull."""
    hub = await hub_factory(**MANUAL)
    cpo, _, cpo_id, _ = await pair(hub, start_peer)
    cpo.sender_lists["tariffs"] = SenderList(page_size=1, loop_link=True)
    cpo.sender_lists["tariffs"].put(payloads.tariff("NL", "CPO", "T1", 0.3))
    cpo.sender_lists["tariffs"].put(payloads.tariff("NL", "CPO", "T2", 0.3))

    result = await pull_now(hub, cpo_id, "tariffs", full=True)

    assert result["status"] == "FAILED"
    assert result["pages"] == 2
    assert "Link loop" in result["messages"][-1]
    assert len(cpo.of("tariffs", "GET")) == 2
    assert result["synced_from"] is None


async def test_size_guard_stops_the_pull(hub_factory: Any, start_peer: Any) -> None:
    """More pages than pull_max_pages: stopped with an error naming the setting. The first
    page asks for no more than the partner's page size cap (its profile)."""
    hub = await hub_factory(pull_max_pages=2, **MANUAL)
    cpo, _, cpo_id, _ = await pair(hub, start_peer)
    cpo.sender_lists["locations"].page_size = 10
    status, _ = await hub.admin("PATCH", f"/platforms/{cpo_id}", {"profile": {"page_size_cap": 3}})
    assert status == 200
    for n in range(1, 8):
        cpo.sender_lists["locations"].put(
            payloads.location("NL", "CPO", f"L{n}", evses=1, tariff_id="T1")
        )

    result = await pull_now(hub, cpo_id, "locations")

    assert result["status"] == "FAILED" and result["pages"] == 2
    assert result["objects"] == 6
    assert "pull_max_pages" in result["messages"][-1]
    assert cpo.of("locations", "GET")[0].query["limit"] == "3"


async def test_pull_now_while_running_is_refused(hub_factory: Any, start_peer: Any) -> None:
    """A second "pull now" of the same platform and module while the first runs: 409; and the
    traffic log shows the pull's GETs as OUT entries of one correlation id."""
    hub = await hub_factory(**MANUAL)
    cpo, emsp, cpo_id, _ = await pair(hub, start_peer)
    release = asyncio.Event()
    listed = SenderList(page_size=10)
    listed.put(payloads.tariff("NL", "CPO", "T1", 0.3))

    async def slow(item: Any) -> tuple[int, Any]:
        await release.wait()
        data, _ = listed.page("", item.query)
        return 200, {"status_code": 1000, "timestamp": payloads.now(), "data": data}

    cpo.on("GET", "tariffs", slow)
    status, started = await hub.admin("POST", f"/platforms/{cpo_id}/pulls/tariffs/run")
    assert status == 202
    status, refused = await hub.admin("POST", f"/platforms/{cpo_id}/pulls/tariffs/run")
    assert status == 409, refused
    assert "running already" in refused["error"]
    release.set()
    await wait_for(lambda: cpo.of("tariffs", "GET"), what="the GET")

    async def done() -> Any:
        _, rows = await hub.admin("GET", f"/platforms/{cpo_id}/pulls?module=tariffs")
        return rows[0]["status"] == "OK"

    await wait_for(done, what="the pull to end")
    await wait_for(lambda: emsp.of("tariffs", "PUT"), what="the delivery to the eMSP")

    async def chain() -> Any:
        await hub.app.state.traffic.flush()
        path = f"/traffic?correlation_id={started['correlation_id']}"
        status, entries = await hub.admin("GET", path)
        assert status == 200, entries
        found = sorted((e["direction"], e["method"], e["module"]) for e in entries)
        return found if len(found) >= 2 else None

    # the pull's GET, and the delivery of what it stored to the eMSP: one correlation id
    assert await wait_for(chain, what="both in the traffic log") == [
        ("OUT", "GET", "tariffs"),
        ("OUT", "PUT", "tariffs"),
    ]


async def test_tokens_pulled_from_a_211_emsp_reach_a_230_cpo(
    hub_factory: Any, start_peer: Any
) -> None:
    """2.1.1 Tokens name no owner: they belong to the platform's one eMSP party, and reach the
    agreed 2.3.0 CPO translated (with country_code/party_id, ?type=RFID)."""
    hub = await hub_factory(**MANUAL)
    cpo = await start_peer("2.3.0", [("CPO", "NL", "CPO")], name="cpo")
    emsp = await start_peer("2.1.1", [("EMSP", "DE", "OLD")], name="old-emsp")
    emsp.sender_lists["tokens"] = SenderList(page_size=2)
    for n in range(3):
        emsp.sender_lists["tokens"].put(payloads.token("2.1.1", "DE", "OLD", f"OLD{n}"), "uid")
    runtime = hub.app.state.runtime
    await connect(runtime.db, cpo, hub.versions_url)
    emsp_id = await connect(runtime.db, emsp, hub.versions_url)
    status, _ = await hub.admin("POST", "/agreements", {"parties": ["NL-CPO", "DE-OLD"]})
    assert status == 201

    result = await pull_now(hub, emsp_id, "tokens")

    assert (result["status"], result["pages"], result["stored"]) == ("OK", 2, 3), result
    assert all("ocpi-to-party-id" not in g.headers for g in emsp.of("tokens", "GET"))
    got = await wait_for(
        lambda: (lambda p: p if len(p) == 3 else None)(cpo.of("tokens", "PUT")),
        what="3 tokens at the CPO",
    )
    first = got[0]
    assert (first.body["country_code"], first.body["party_id"]) == ("DE", "OLD")
    assert first.query == {"type": "RFID"}
    assert first.path.endswith(f"/DE/OLD/{first.body['uid']}")


async def test_pulled_objects_get_the_partners_profile(hub_factory: Any, start_peer: Any) -> None:
    """A deviation the partner's profile tolerates is accepted in what the hub pulls as in what
    it pushes, and counted; under the strict default it is refused, naming the field."""
    hub = await hub_factory(**MANUAL)
    cpo, emsp, cpo_id, _ = await pair(hub, start_peer)
    lax = payloads.tariff("NL", "CPO", "LAX", 0.3)
    lax["elements"][0]["price_components"][0]["price"] = "0.30"
    cpo.sender_lists["tariffs"].put(lax)

    strict = await pull_now(hub, cpo_id, "tariffs")

    assert (strict["stored"], strict["errors"]) == (0, 1)
    assert "elements[0].price_components[0].price" in strict["messages"][0]
    status, _ = await hub.admin(
        "PATCH", f"/platforms/{cpo_id}", {"profile": {"tolerate": ["numbers_as_strings"]}}
    )
    assert status == 200

    tolerant = await pull_now(hub, cpo_id, "tariffs", full=True)

    assert (tolerant["stored"], tolerant["errors"]) == (1, 0), tolerant["messages"]
    (put,) = await wait_for(lambda: emsp.of("tariffs", "PUT"), what="the tariff at the eMSP")
    assert put.body["elements"][0]["price_components"][0]["price"] == 0.3
    async with aiohttp.ClientSession() as session, session.get(f"{hub.url}/metrics") as r:
        text = await r.text()
    assert (
        'ocpihub_profile_tolerated_total{deviation="numbers_as_strings",platform="lister"}' in text
    )


async def test_page_status_code_as_string_needs_the_switch(
    hub_factory: Any, start_peer: Any
) -> None:
    """A page whose envelope says "status_code": "1000" stops the pull under the strict
    default, and is read with the profile's status_code_as_string switch."""
    hub = await hub_factory(**MANUAL)
    cpo, _, cpo_id, _ = await pair(hub, start_peer)
    tariff = payloads.tariff("NL", "CPO", "T1", 0.3)

    def stringly(item: Any) -> tuple[int, Any]:
        return 200, {"status_code": "1000", "timestamp": payloads.now(), "data": [tariff]}

    cpo.on("GET", "tariffs", stringly)

    strict = await pull_now(hub, cpo_id, "tariffs")

    assert strict["status"] == "FAILED" and strict["stored"] == 0
    assert "OCPI status '1000'" in strict["messages"][0]
    status, _ = await hub.admin(
        "PATCH", f"/platforms/{cpo_id}", {"profile": {"tolerate": ["status_code_as_string"]}}
    )
    assert status == 200
    tolerant = await pull_now(hub, cpo_id, "tariffs")
    assert (tolerant["status"], tolerant["stored"]) == ("OK", 1)


async def test_full_pull_of_a_multi_party_platform_removes_only_what_it_answered_for(
    hub_factory: Any, start_peer: Any
) -> None:
    """A platform hosting two CPOs is asked (OCPI-to) for its first one: a full pull removes
    that party's absent Tariffs, not those of the other party it said nothing about."""
    hub = await hub_factory(**MANUAL)
    cpo = await start_peer("2.3.0", [("CPO", "NL", "CPO"), ("CPO", "NL", "CP2")], name="two")
    cpo.sender_lists["tariffs"] = SenderList(page_size=5)
    runtime = hub.app.state.runtime
    cpo_id = await connect(runtime.db, cpo, hub.versions_url)
    for cc_pid, tariff_id in (("CPO", "GONE"), ("CP2", "OTHER")):
        url = f"{cpo.hub_url('tariffs', 'RECEIVER')}/NL/{cc_pid}/{tariff_id}"
        status, body, _ = await cpo.request(
            "PUT", url, json=payloads.tariff("NL", cc_pid, tariff_id, 0.3)
        )
        assert status == 201, body
    cpo.sender_lists["tariffs"].put(payloads.tariff("NL", "CPO", "KEPT", 0.3))

    result = await pull_now(hub, cpo_id, "tariffs", full=True)

    assert (result["status"], result["stored"], result["removed"]) == ("OK", 1, 1)
    (get,) = cpo.of("tariffs", "GET")
    assert (get.header("ocpi-to-country-code"), get.header("ocpi-to-party-id")) == ("NL", "CPO")
    _, body, _ = await cpo.request("GET", f"{cpo.hub_url('tariffs', 'RECEIVER')}/NL/CP2/OTHER")
    assert body["data"]["id"] == "OTHER"
    status, body, _ = await cpo.request("GET", f"{cpo.hub_url('tariffs', 'RECEIVER')}/NL/CPO/GONE")
    assert status == 404, body


async def test_a_pull_running_when_the_hub_stops_is_recorded_as_stopped(
    make_settings: Any, start_peer: Any
) -> None:
    """Stopping the hub mid-pull ends the pull FAILED with the reason and gives its lease back,
    so the next process may run it at once."""
    port = free_port()
    settings = make_settings(
        public_url=f"http://127.0.0.1:{port}", admin_token=ADMIN_TOKEN, **MANUAL
    )
    app = create_app(settings)
    asked, release = asyncio.Event(), asyncio.Event()

    async def never(item: Any) -> tuple[int, Any]:
        asked.set()
        await release.wait()  # not before the hub stopped
        return 200, {"status_code": 1000, "timestamp": payloads.now(), "data": []}

    async with run_server(app, port) as url:
        hub = RunningHub(url, settings, app)
        cpo, _, cpo_id, _ = await pair(hub, start_peer)
        cpo.on("GET", "tariffs", never)
        status, _ = await hub.admin("POST", f"/platforms/{cpo_id}/pulls/tariffs/run")
        assert status == 202
        await asyncio.wait_for(asked.wait(), 15)
    release.set()

    db = Database(settings.database_url)
    try:
        async with db.read() as conn:
            (row,) = [r for r in await list_pulls(conn, datetime.now(UTC)) if r.module == "tariffs"]
    finally:
        await db.close()
    assert (row.status, row.running) == ("FAILED", False)
    assert row.progress.messages == ["stopped: the hub process running it shut down"]
