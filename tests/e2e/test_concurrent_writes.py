"""Concurrent writes of one object through the real hub: nothing lost, nothing refused.

Many PATCHes of one Location's EVSEs sent at the same moment each read, change and write the
stored Location; two simultaneous first PUTs of a new id both try to create it. On both
backends every request is acknowledged and the stored object (and what a peer received last)
holds every acknowledged change.
"""

from __future__ import annotations

import asyncio
import copy
from typing import Any

import pytest

from ocpihub.testing import Peer, Received
from tests.e2e.conftest import RunningHub
from tests.e2e.test_locations import location, wait_for
from tests.support.connect import connect

CPO = ("CPO", "NL", "ALF")
EMSP = ("EMSP", "DE", "MSP")
EVSES = 10
STATUSES = ["AVAILABLE", "CHARGING", "BLOCKED", "OUTOFORDER", "RESERVED"]


def many_evses() -> dict[str, Any]:
    """The example Location with ``EVSES`` EVSEs, each with its own uid."""
    loc = location()
    template = loc["evses"][0]
    loc["evses"] = []
    for i in range(EVSES):
        evse = copy.deepcopy(template)
        evse["uid"] = f"EVSE-{i}"
        evse["evse_id"] = f"NL*ALF*E{i:05d}"
        evse["status"] = "UNKNOWN"
        loc["evses"].append(evse)
    return loc


@pytest.fixture
async def pair(hub: RunningHub, start_peer: Any) -> tuple[Peer, Peer]:
    """A 2.3.0 CPO and a 2.3.0 eMSP with an agreement."""
    runtime = hub.app.state.runtime
    cpo = await start_peer("2.3.0", [CPO], name="cpo")
    emsp = await start_peer("2.3.0", [EMSP], name="emsp")
    for peer in (cpo, emsp):
        await connect(runtime.db, peer, hub.versions_url)
    status, body = await hub.admin("POST", "/agreements", {"parties": ["NL-ALF", "DE-MSP"]})
    assert status == 201, body
    return cpo, emsp


async def test_simultaneous_evse_patches_are_all_kept(pair: tuple[Peer, Peer]) -> None:
    """Ten EVSE status PATCHes of one Location at once, round after round: every one is
    acknowledged, the stored Location has each EVSE's newest status, and so has the eMSP."""
    cpo, emsp = pair
    loc = many_evses()
    base = f"{cpo.hub_url('locations', 'RECEIVER')}/NL/ALF/{loc['id']}"
    assert (await cpo.request("PUT", base, json=loc))[0] == 201
    rounds = len(STATUSES)
    for r, status_value in enumerate(STATUSES):
        patch = {"status": status_value, "last_updated": f"2024-05-01T10:00:{r:02d}Z"}
        answers = await asyncio.gather(
            *(cpo.request("PATCH", f"{base}/EVSE-{i}", json=patch) for i in range(EVSES))
        )
        assert [(s, b["status_code"]) for s, b, _ in answers] == [(200, 1000)] * EVSES
    status, body, _ = await cpo.request("GET", base)
    assert status == 200, body
    assert {e["uid"]: e["status"] for e in body["data"]["evses"]} == {
        f"EVSE-{i}": STATUSES[-1] for i in range(EVSES)
    }
    assert body["data"]["last_updated"] == f"2024-05-01T10:00:{rounds - 1:02d}Z"

    def last_per_evse(got: list[Received]) -> dict[str, str]:
        last: dict[str, str] = {}
        for item in got:
            if item.method == "PATCH":
                last[item.path.rsplit("/", 1)[-1]] = item.body["status"]
        return last

    want = {f"EVSE-{i}": STATUSES[-1] for i in range(EVSES)}
    got = await wait_for(emsp, lambda r: len(r) >= 1 + rounds * EVSES)
    assert last_per_evse(got) == want


ROUNDS = 16  # the race showed about once in six rounds


async def test_simultaneous_first_puts_both_acknowledged(pair: tuple[Peer, Peer]) -> None:
    """Two PUTs creating the same new Location at once are both acknowledged (no unique
    violation); the one with the later ``last_updated`` is stored and reaches the eMSP last,
    round after round."""
    cpo, emsp = pair
    for r in range(ROUNDS):
        older, newer = location(), location()
        older["id"] = newer["id"] = f"LOC-NEW-{r}"
        older["name"], newer["name"] = "older", "newer"
        older["last_updated"] = f"2024-05-01T10:00:{r:02d}Z"
        newer["last_updated"] = f"2024-05-01T10:00:{r:02d}.500Z"
        url = f"{cpo.hub_url('locations', 'RECEIVER')}/NL/ALF/{older['id']}"
        # the older one first: without a rule, the second writer would win
        pushes = (older, newer) if r % 2 else (newer, older)
        answers = await asyncio.gather(*(cpo.request("PUT", url, json=p) for p in pushes))
        assert sorted(s for s, _, _ in answers) in ([200, 201], [201, 201])
        assert [b["status_code"] for _, b, _ in answers] == [1000, 1000]
        status, body, _ = await cpo.request("GET", url)
        assert status == 200, body
        assert body["data"]["name"] == "newer"
    # deliveries keep per-object order: once the newer one arrived, nothing older follows it
    for r in range(ROUNDS):
        ident = f"LOC-NEW-{r}"
        got = await wait_for(
            emsp,
            lambda g, i=ident: any(
                x.path.endswith(f"/{i}") and x.body["name"] == "newer" for x in g
            ),
        )
        mine = [g for g in got if g.path.endswith(f"/{ident}")]
        assert mine[-1].body["name"] == "newer"
