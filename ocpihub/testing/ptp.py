"""A simulated Payment Terminal Provider (OCPI 2.3.0 Payments): it creates a payment Terminal
at the CPO, learns which Locations the CPO assigns to it, and pulls Locations and Tariffs.

2.3.0's Role enum has no PTP: like a real one, it registers its party with role ``OTHER``
(docs/modules/payments-bookings.md).
"""

from __future__ import annotations

import random

from ocpihub.ocpi.modules import implemented_interfaces
from ocpihub.ocpi.version import NEWEST
from ocpihub.testing import payloads
from ocpihub.testing.peer import Peer
from ocpihub.testing.simulated import JSON, Log, Simulated, ok

__all__ = ["PTP_MODULES", "SimulatedPtp"]

PTP_MODULES = implemented_interfaces("PTP", NEWEST.number)
"""What a PTP implements (the module table's PTP interfaces): Payments and Commands Sender,
Locations, Tariffs, Sessions and CDRs Receiver."""


class SimulatedPtp(Simulated):
    """A PTP with one Terminal, installed at the CPO ``cpo`` (CC, PID)."""

    def __init__(
        self,
        party: tuple[str, str],
        cpo: tuple[str, str],
        *,
        name: str = "Sandbox PTP",
        log: Log | None = None,
    ) -> None:
        peer = Peer(NEWEST.number, [("OTHER", *party)], name=name, modules=PTP_MODULES)
        super().__init__(peer, log)
        self.cpo = cpo
        self.terminal_id = f"{party[0]}{party[1]}-T1"

    def terminal(self) -> JSON:
        """The Terminal as the PTP creates it (no Locations yet: the CPO assigns them)."""
        return {
            "terminal_id": self.terminal_id,
            "address": "Simulatorstraat 1",
            "city": "Utrecht",
            "country": "NLD",
            "customer_reference": f"{self.cpo[0]}-{self.cpo[1]}",
            "invoice_creator": "PTP",
            "location_ids": [],
            "last_updated": payloads.now(),
        }

    async def setup(self) -> None:
        self.counterpart = self.cpo  # OCPI-to: the CPO the Terminal is for
        answer = await self.send("POST", "payments", "RECEIVER", "/terminals", self.terminal())
        self.counterpart = None
        self.note(f"POST terminal {self.terminal_id} for {'-'.join(self.cpo)}", _outcome(answer))

    async def step(self, rng: random.Random) -> None:
        module = rng.choice(["locations", "tariffs"])
        found = await self.pull(module)
        self.note(f"GET all {module}", f"{len(found)} objects")

    def assigned(self) -> list[str]:
        """The Location ids the CPO assigned to the Terminal (its latest PATCH or PUT)."""
        for received in reversed(self.peer.of("payments")):
            body = received.body
            changes = received.method in ("PATCH", "PUT") and isinstance(body, dict)
            if changes and "location_ids" in body:
                return [str(i) for i in body["location_ids"]]
        return []


def _outcome(answer: tuple[int, object]) -> str:
    return "ok" if ok(answer) else str(answer)
