"""Partners that deviate from the spec in known ways (issue 19.1): under the strict default the
hub refuses them as it always did; with the deviation switched on in that partner's profile the
same input is accepted, repaired to the spec's form for everyone else, and counted in
``ocpihub_profile_tolerated_total``. Also list-wrapped single objects in relayed answers."""

from __future__ import annotations

import re
from typing import Any

import aiohttp
import orjson
import pytest

from ocpihub.model.outbox import Status
from ocpihub.testing import Peer, Received, payloads
from tests.e2e.conftest import RunningHub
from tests.e2e.test_commands import LAST, wait_for
from tests.e2e.test_outbox import (
    FAST,
    connect_receiver,
    enqueue_all,
    location_puts,
    outbox_items,
    wait_until,
)
from tests.e2e.test_pulls import MANUAL, pull_now
from tests.e2e.test_pulls import pair as pulling_pair
from tests.e2e.test_relay import TO_CPO, pair  # noqa: F401 - the fixture is used by name
from tests.support.servers import run_server


async def tolerated(hub: RunningHub, platform: str, deviation: str) -> float:
    """``ocpihub_profile_tolerated_total`` of one platform and deviation (0 when absent)."""
    async with aiohttp.ClientSession() as session, session.get(f"{hub.url}/metrics") as r:
        text = await r.text()
    pattern = (
        r"^ocpihub_profile_tolerated_total\{"
        rf'deviation="{deviation}",platform="{platform}"\}} ([0-9.e+]+)$'
    )
    found = re.search(pattern, text, re.MULTILINE)
    return float(found.group(1)) if found else 0.0


async def set_profile(hub: RunningHub, name: str, **switches: Any) -> None:
    """Set switches of a platform's profile through the admin API."""
    status, listed = await hub.admin("GET", "/platforms")
    pid = next(p["id"] for p in listed if p["name"] == name)
    status, shown = await hub.admin("PATCH", f"/platforms/{pid}", {"profile": switches})
    assert status == 200, shown


def deviating_location() -> dict[str, Any]:
    """A 2.3.0 Location whose plug and status are lower-case and whose voltage is a string."""
    loc = payloads.location("NL", "CPO", "LOC1", evses=1, tariff_id="T1")
    evse = loc["evses"][0]
    evse["status"] = "available"
    evse["connectors"][0]["standard"] = "iec_62196_t2"
    evse["connectors"][0]["max_voltage"] = "230"
    return loc


async def test_deviating_push_refused_strict_accepted_tolerant(pair: dict[str, Any]) -> None:  # noqa: F811
    """A Location with a lower-case enum and a number as a string is 2001 naming the fields
    (nothing stored, nothing delivered) from a strict CPO; once the CPO's profile tolerates
    both, it is stored and delivered in the spec's form, and each use is counted."""
    hub: RunningHub = pair["hub"]
    cpo: Peer = pair["cpo"]
    emsp: Peer = pair["emsp"]
    url = f"{cpo.hub_url('locations', 'RECEIVER')}/NL/CPO/LOC1"
    status, body, _ = await cpo.request("PUT", url, json=deviating_location())
    assert status == 400 and body["status_code"] == 2001, body
    for named in ("evses[0].status", "'available'", "max_voltage", "'230'", "iec_62196_t2"):
        assert named in body["status_message"], body
    status, _, _ = await cpo.request("GET", url)
    assert status == 404
    # one tolerance is not enough: what it does not cover is still refused
    await set_profile(hub, "cpo", tolerate=["lowercase_enums"])
    status, body, _ = await cpo.request("PUT", url, json=deviating_location())
    assert body["status_code"] == 2001 and "max_voltage" in body["status_message"], body
    assert "status" not in body["status_message"].replace("status_code", "")
    await set_profile(hub, "cpo", tolerate=["lowercase_enums", "numbers_as_strings"])
    status, body, _ = await cpo.request("PUT", url, json=deviating_location())
    assert status == 201 and body["status_code"] == 1000, body
    (got,) = await wait_for(emsp, "locations", lambda r: len(r) == 1)
    evse = got.body["evses"][0]
    assert evse["status"] == "AVAILABLE"
    assert evse["connectors"][0]["standard"] == "IEC_62196_T2"
    assert evse["connectors"][0]["max_voltage"] == 230
    assert await tolerated(hub, "cpo", "lowercase_enums") == 2
    assert await tolerated(hub, "cpo", "numbers_as_strings") == 1
    assert await tolerated(hub, "emsp", "lowercase_enums") == 0


def answering(envelope: dict[str, Any]) -> Any:
    """A peer handler answering every request with ``envelope``."""

    def handler(received: Received) -> tuple[int, Any]:
        return 200, envelope

    return handler


@pytest.mark.parametrize("deviation", ["list_wrapped", "status_code_as_string"])
async def test_relayed_get_one_deviating_answer(pair: dict[str, Any], deviation: str) -> None:  # noqa: F811
    """A CPO answers a forwarded GET of a Location with the Location in a one-element list, or
    with status_code "1000": 4000 under the strict default; with the switch in the CPO's
    profile the eMSP gets the Location with 1000, and the use is counted."""
    hub: RunningHub = pair["hub"]
    cpo: Peer = pair["cpo"]
    emsp: Peer = pair["emsp"]
    loc = payloads.location("NL", "CPO", "LOC9", evses=1, tariff_id="T1")
    envelope: dict[str, Any] = {"status_code": 1000, "timestamp": LAST, "data": loc}
    if deviation == "list_wrapped":
        envelope["data"] = [loc]
        switch: dict[str, Any] = {"accept_list_wrapped": True}
    else:
        envelope["status_code"] = "1000"
        switch = {"tolerate": ["status_code_as_string"]}
    cpo.on("GET", "locations", answering(envelope))
    url = f"{emsp.hub_url('locations', 'SENDER')}/LOC9"
    status, answer, _ = await emsp.request("GET", url, headers=TO_CPO)
    assert answer["status_code"] == 4000, answer
    assert ("a list of 1" if deviation == "list_wrapped" else "'1000'") in answer["status_message"]
    await set_profile(hub, "cpo", **switch)
    for _ in range(2):
        status, answer, _ = await emsp.request("GET", url, headers=TO_CPO)
        assert status == 200 and answer["status_code"] == 1000, answer
        assert answer["data"]["id"] == "LOC9"
    assert await tolerated(hub, "cpo", deviation) == 2


async def test_list_wrapped_command_response(pair: dict[str, Any]) -> None:  # noqa: F811
    """A CPO whose profile accepts list-wrapped objects may answer a START_SESSION with
    ``[CommandResponse]``: the eMSP gets the CommandResponse (its timeout lengthened as for any
    answer); a strict CPO's same answer is 4000."""
    hub: RunningHub = pair["hub"]
    cpo: Peer = pair["cpo"]
    emsp: Peer = pair["emsp"]
    cpo.on(
        "POST",
        "commands",
        answering(
            {
                "status_code": 1000,
                "timestamp": LAST,
                "data": [{"result": "ACCEPTED", "timeout": 30}],
            }
        ),
    )
    body = {
        "response_url": f"{emsp.module_url('commands', 'SENDER')}/cb/start",
        "token": payloads.command_token("2.3.0", "DE", "MSP", "TOK1"),
        "location_id": "LOC1",
    }
    url = f"{emsp.hub_url('commands', 'RECEIVER')}/START_SESSION"
    status, answer, _ = await emsp.request("POST", url, json=body, headers=TO_CPO)
    assert answer["status_code"] == 4000, answer
    await set_profile(hub, "cpo", accept_list_wrapped=True)
    status, answer, _ = await emsp.request("POST", url, json=body, headers=TO_CPO)
    assert status == 200 and answer["status_code"] == 1000, answer
    assert answer["data"]["result"] == "ACCEPTED"
    assert await tolerated(hub, "cpo", "list_wrapped") == 1


class WrapCredentials:
    """ASGI wrapper: the peer's answers to credentials POST carry ``data`` as ``[data]``."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        wrap = scope["type"] == "http" and scope["method"] == "POST"
        wrap = wrap and "credentials" in scope["path"]
        if not wrap:
            await self.app(scope, receive, send)
            return
        start: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def hold(message: Any) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body"):
                return
            body = orjson.loads(b"".join(chunks))
            if "data" in body:
                body["data"] = [body["data"]]
            raw = orjson.dumps(body)
            headers = [(k, v) for k, v in start["headers"] if k.lower() != b"content-length"]
            headers.append((b"content-length", str(len(raw)).encode()))
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": raw})

        await self.app(scope, receive, hold)


async def test_list_wrapped_credentials_answer(hub: RunningHub) -> None:
    """A partner answering the hub's credentials POST with ``[Credentials]``: the hub-initiated
    registration fails (3001 naming the answer) for a strict platform, and succeeds once its
    profile accepts list-wrapped objects; the use is counted."""
    peer = Peer("2.3.0", [("EMSP", "DE", "MSP")], name="msp")
    async with run_server(WrapCredentials(peer.app)) as url:
        peer.base_url = url
        roles = [{"role": "EMSP", "country_code": "DE", "party_id": "MSP"}]
        created = await hub.add_platform("msp", roles=roles)
        register = f"/platforms/{created['id']}/register"
        status, body = await hub.admin(
            "POST", register, {"versions_url": peer.versions_url, "token": peer.issue_token()}
        )
        assert status == 502 and "credentials answer is not valid" in body["error"], body
        await set_profile(hub, "msp", accept_list_wrapped=True)
        peer.registered = False
        status, body = await hub.admin(
            "POST", register, {"versions_url": peer.versions_url, "token": peer.issue_token()}
        )
        assert status == 200 and body["status"] == "REGISTERED", body
    assert await tolerated(hub, "msp", "list_wrapped") == 1


async def test_delivery_answered_with_status_code_as_string(
    hub_factory: Any, database_url: str
) -> None:
    """A receiver acknowledging deliveries with status_code "1000": retried as no OCPI
    envelope under the strict default; delivered once its profile tolerates it (counted)."""
    running = await hub_factory(**FAST)
    peer = Peer("2.3.0", [("EMSP", "DE", "MSP")])
    peer.on("PUT", "locations", lambda r: (200, {"status_code": "1000", "timestamp": LAST}))
    async with run_server(peer.app) as url:
        peer.base_url = url
        pid = await connect_receiver(database_url, peer, "quoting")
        await enqueue_all(database_url, location_puts(pid, "L1", [0]))

        async def status() -> Any:
            (item,) = await outbox_items(database_url)
            return item

        async def retried() -> bool:
            item = await status()
            return item.status is Status.RETRY and item.attempts >= 1

        await wait_until(retried, what="the strict refusal")
        assert "not an OCPI envelope" in ((await status()).last_error or "")
        await set_profile(running, "quoting", tolerate=["status_code_as_string"])

        async def done() -> bool:
            return (await status()).status is Status.DONE

        await wait_until(done, what="the delivery")
    assert await tolerated(running, "quoting", "status_code_as_string") == 1


async def test_pulled_objects_with_tolerated_deviations(hub_factory: Any, start_peer: Any) -> None:
    """A CPO whose published list lower-cases enum values: a pull refuses the object (counted
    as an error, nothing stored) while the CPO is strict, and stores and delivers it in the
    spec's form once its profile tolerates lower-case enums (counted)."""
    hub = await hub_factory(**MANUAL)
    cpo, emsp, cpo_id, _ = await pulling_pair(hub, start_peer)
    loc = payloads.location("NL", "CPO", "LOC1", evses=1, tariff_id="T1")
    loc["evses"][0]["status"] = "charging"
    cpo.sender_lists["locations"].put(loc)
    strict = await pull_now(hub, cpo_id, "locations", full=True)
    assert (strict["stored"], strict["errors"]) == (0, 1), strict
    assert "'charging'" in strict["messages"][0]
    await set_profile(hub, "lister", tolerate=["lowercase_enums"])
    tolerant = await pull_now(hub, cpo_id, "locations", full=True)
    assert (tolerant["stored"], tolerant["errors"]) == (1, 0), tolerant
    (got,) = await wait_for(emsp, "locations", lambda r: len(r) == 1)
    assert got.body["evses"][0]["status"] == "CHARGING"
    assert await tolerated(hub, "lister", "lowercase_enums") == 1
