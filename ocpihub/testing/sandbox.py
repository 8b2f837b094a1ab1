"""A sandbox of simulated partners that keep trading: who they are, how they join a hub (or a
partner's own platform), and the loop that makes them act at a steady rate.

The standard cast (party codes under the user-assigned country code ``XX``, so they never
collide with real parties or with the codes README.md tells an operator to use):

=========  =======  =====  ====================================================
party      version  role   does
=========  =======  =====  ====================================================
XX-CPO     2.3.0    CPO    Locations, Tariffs, EVSE status, answers commands,
                           Sessions and CDRs with tariffs
XX-EM2     2.2.1    EMSP   Tokens, START/STOP_SESSION, GET all
XX-EM1     2.1.1    EMSP   the same in 2.1.1
XX-PTP     2.3.0    OTHER  (with_ptp) a payment Terminal at the CPO, which
                           assigns it its Locations; GET all
=========  =======  =====  ====================================================
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from ocpihub.testing.cpo import SimulatedCpo
from ocpihub.testing.emsp import SimulatedEmsp
from ocpihub.testing.ptp import SimulatedPtp
from ocpihub.testing.serving import serve_app
from ocpihub.testing.simulated import Log, Simulated, ok, pace

__all__ = ["CPO_PARTY", "EMSP_PARTIES", "Registration", "Sandbox"]

CPO_PARTY = ("XX", "CPO")
PTP_PARTY = ("XX", "PTP")
EMSP_PARTIES = {"2.2.1": ("XX", "EM2"), "2.1.1": ("XX", "EM1")}

# the hub's side of joining: (platform name, role, cc, pid) -> (versions URL, token A)
Issue = Callable[[str, str, str, str], Awaitable[tuple[str, str]]]
# make an agreement between two parties, CC-PID
Agree = Callable[[str, str], Awaitable[None]]


def hub_services(runtime: Any, public_url: str) -> tuple[Issue, Agree]:
    """Joining a hub that runs in this process (``app.state.runtime``): token A and agreements
    from the same services as ``ocpihub platform add`` and ``ocpihub agreement add``."""
    from ocpihub.hub.agreement_actions import add_agreement
    from ocpihub.hub.platforms import add_platform
    from ocpihub.model.parties import DeclaredRole

    async def issue(name: str, role: str, cc: str, pid: str) -> tuple[str, str]:
        roles = [DeclaredRole(role, cc, pid)]
        created = await add_platform(runtime.db, name, public_url=public_url, roles=roles)
        return created.versions_url, created.token_a

    async def agree(a: str, b: str) -> None:
        await add_agreement(runtime.db, a, b, None, notify=runtime.notify_agreement)

    return issue, agree


class Registration(Exception):
    """A simulated partner could not register (the message says with what answer)."""


@dataclass
class Sandbox:
    """Simulated partners, their loopback servers, and the loop that keeps them trading."""

    partners: list[Simulated]
    seed: int = 0
    log: Log = field(default=lambda line: None)

    @classmethod
    def standard(cls, *, seed: int = 0, with_ptp: bool = False, log: Log | None = None) -> Sandbox:
        """The standard cast: a 2.3.0 CPO, a 2.2.1 eMSP and a 2.1.1 eMSP (and a PTP)."""
        out = log or (lambda line: None)
        name = "Sandbox CPO (2.3.0)"
        cpo = SimulatedCpo("2.3.0", CPO_PARTY, name=name, seed=seed, payments=with_ptp, log=out)
        partners: list[Simulated] = [cpo]
        for version, party in EMSP_PARTIES.items():
            name = f"Sandbox eMSP ({version})"
            partners.append(SimulatedEmsp(version, party, name=name, log=out))
        if with_ptp:
            partners.append(SimulatedPtp(PTP_PARTY, CPO_PARTY, name="Sandbox PTP (2.3.0)", log=out))
        return cls(partners, seed, out)

    @property
    def cpos(self) -> list[SimulatedCpo]:
        return [p for p in self.partners if isinstance(p, SimulatedCpo)]

    @property
    def emsps(self) -> list[SimulatedEmsp]:
        return [p for p in self.partners if isinstance(p, SimulatedEmsp)]

    async def serve(self, stack: contextlib.AsyncExitStack, host: str = "127.0.0.1") -> None:
        """Serve every partner's OCPI API on a free port of ``host`` until ``stack`` closes."""
        for partner in self.partners:
            partner.peer.base_url = await stack.enter_async_context(
                serve_app(partner.peer.app, host)
            )

    async def join_hub(self, issue: Issue, agree: Agree) -> None:
        """Each partner registers with the token A ``issue`` gives it; then every eMSP (and
        any other party) is agreed with every CPO."""
        for partner in self.partners:
            role, cc, pid = partner.peer.parties[0]
            versions_url, token_a = await issue(partner.peer.name, role, cc, pid)
            await self._register(partner, versions_url, token_a)
        for cpo in self.cpos:
            for other in self.partners:
                if other is not cpo:
                    await agree(cpo.code, other.code)
                    self.log(f"agreement {cpo.code} <-> {other.code}")

    async def _register(self, partner: Simulated, versions_url: str, token_a: str) -> None:
        status, body = await partner.peer.register(versions_url, token_a)
        if not ok((status, body)):
            raise Registration(f"{partner.code} could not register: HTTP {status} {body}")
        self.log(f"{partner.code:<7} registered over OCPI {partner.peer.version}")

    async def run(
        self, stop: asyncio.Event, *, rate: float = 2.0, steps: int | None = None
    ) -> None:
        """Set every partner up, then let one act ``rate`` times a second until ``stop`` is set
        (or ``steps`` actions were taken); wait for their follow-ups before returning."""
        rng = random.Random(self.seed)
        try:
            for partner in self.partners:
                await partner.setup()
            taken = 0
            while not stop.is_set() and (steps is None or taken < steps):
                await pace(rng.choice(self.partners).step(rng), stop, 1 / rate)
                taken += 1
        finally:
            for partner in self.partners:
                await partner.settle()

    def actions(self) -> list[str]:
        """Every partner's planned actions, each prefixed with the partner's party."""
        return [f"{p.code} {a}" for p in self.partners for a in p.actions]
