"""A simulated counterpart for a partner's own platform, without a hub: it registers with the
partner's versions URL and token A exactly as a roaming partner would, then keeps trading with
it directly, so that the partner's engineers can try their implementation.

The counterpart plays the role the partner does not (eMSP ``XX-EMP`` for a CPO, CPO ``XX-CPO``
for an eMSP), on the newest OCPI version both speak. 2.1.1 endpoints carry no roles: say which
role to play.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import Callable
from typing import Any

from ocpihub.ocpi.version import NEWEST
from ocpihub.ocpi.version import VERSIONS as ALL_VERSIONS
from ocpihub.testing.cpo import SimulatedCpo
from ocpihub.testing.emsp import SimulatedEmsp
from ocpihub.testing.peer import Peer
from ocpihub.testing.serving import serve_app, stop_on_signals
from ocpihub.testing.simulated import Simulated, ok, pace

__all__ = ["PartnerError", "counterpart_for", "run_against_partner"]

VERSIONS = tuple(v.number for v in sorted(ALL_VERSIONS, reverse=True))  # newest first
PARTIES = {"cpo": ("XX", "CPO"), "emsp": ("XX", "EMP")}


class PartnerError(Exception):
    """The partner's platform could not be used (the message says why)."""


async def _get(probe: Peer, url: str) -> Any:
    status, body, _ = await probe.request("GET", url)
    if status == 401 and probe.send_base64:  # a 2.1.1 platform may want the token as is
        probe.send_base64 = False
        status, body, _ = await probe.request("GET", url)
    if status != 200 or not isinstance(body, dict) or body.get("status_code") != 1000:
        raise PartnerError(f"GET {url} answered HTTP {status}: {body}")
    return body.get("data")


async def counterpart_for(
    versions_url: str, token: str, play: str | None = None, *, seed: int = 0, log: Any = None
) -> Simulated:
    """The simulated partner to pit against the platform at ``versions_url``."""
    probe = Peer(NEWEST.number, [], name="probe")
    probe.hub_token = token
    offered = {v.get("version"): v.get("url") for v in await _get(probe, versions_url) or []}
    version = next((v for v in VERSIONS if v in offered), None)
    if version is None:
        raise PartnerError(f"the partner offers {sorted(offered)}; the simulator speaks {VERSIONS}")
    if play is None:
        details = await _get(probe, str(offered[version]))
        roles = {
            e.get("role")
            for e in details.get("endpoints", [])
            if e.get("identifier") == "locations"
        }
        if "SENDER" in roles:
            play = "emsp"  # it publishes Locations: a CPO
        elif "RECEIVER" in roles:
            play = "cpo"
        else:
            raise PartnerError(
                f"cannot tell the partner's role from its {version} endpoints: use --as"
            )
    if play.lower() == "cpo":
        return SimulatedCpo(version, PARTIES["cpo"], name="Simulated CPO", seed=seed, log=log)
    return SimulatedEmsp(version, PARTIES["emsp"], name="Simulated eMSP", log=log)


def _their_party(sim: Simulated) -> tuple[str, str] | None:
    creds = sim.peer.hub_credentials or {}
    if "country_code" in creds:  # 2.1.1
        return str(creds["country_code"]), str(creds["party_id"])
    roles = creds.get("roles") or []
    return (str(roles[0]["country_code"]), str(roles[0]["party_id"])) if roles else None


async def run_against_partner(
    versions_url: str,
    token: str,
    *,
    play: str | None,
    host: str,
    port: int | None,
    seed: int,
    rate: float,
    echo: Callable[[str], None],
) -> int:
    """Register a counterpart with the partner, trade until SIGINT/SIGTERM, unregister."""
    stop = stop_on_signals()
    try:
        sim = await counterpart_for(versions_url, token, play, seed=seed, log=echo)
    except PartnerError as exc:
        echo(f"error: {exc}")
        return 1
    async with contextlib.AsyncExitStack() as stack:
        sim.peer.base_url = await stack.enter_async_context(serve_app(sim.peer.app, host, port))
        status, body = await sim.peer.register(versions_url, token)
        if not ok((status, body)):
            echo(f"error: registration refused: HTTP {status} {body}")
            return 1
        sim.counterpart = _their_party(sim)
        echo(
            f"ocpihub demo: {sim.code} ({sim.peer.version}) registered with "
            f"{'-'.join(sim.counterpart or ('?', '?'))} at {versions_url}; Ctrl-C stops"
        )
        await _trade(sim, stop, seed, rate)
        status, _ = await sim.peer.unregister()
        echo(f"ocpihub demo: unregistered from the partner (HTTP {status})")
    return 0


async def _trade(sim: Simulated, stop: asyncio.Event, seed: int, rate: float) -> None:
    rng = random.Random(seed)
    try:
        await sim.setup()
        while not stop.is_set():
            await pace(sim.step(rng), stop, 1 / rate)
    finally:
        await sim.settle()
