"""A simulated CPO: Locations whose EVSEs change status, Tariffs, and commands it answers by
charging: START_SESSION starts a Session, STOP_SESSION ends it and produces a priced CDR.

It keeps its objects in the hub's canonical (2.3.0) shape and speaks its own version on the
wire (the hub's translators turn them into 2.2.1 or 2.1.1 when it is an older CPO).
"""

from __future__ import annotations

import asyncio
import random
from typing import Any

from ocpihub.ocpi.modules import ModuleId, offers
from ocpihub.testing import payloads
from ocpihub.testing.peer import DEFAULT_MODULES, Peer, Received
from ocpihub.testing.simulated import JSON, Log, Simulated, ok
from ocpihub.translate import CANONICAL_VERSION, TranslationContext, from_canonical

__all__ = ["SimulatedCpo"]

TARIFFS = {"T1": 0.30, "T2": 0.45}  # EUR per kWh before taxes
IDLE_STATUSES = ("AVAILABLE", "AVAILABLE", "AVAILABLE", "OUTOFORDER", "BLOCKED", "INOPERATIVE")
REACTION_SECONDS = 0.2  # how long the charger takes before the CPO reports a command's result


class SimulatedCpo(Simulated):
    """A CPO with ``locations`` Locations of ``evses`` EVSEs each."""

    def __init__(
        self,
        version: str,
        party: tuple[str, str],
        *,
        name: str = "Sandbox CPO",
        seed: int = 0,
        locations: int = 3,
        evses: int = 2,
        payments: bool = False,
        log: Log | None = None,
    ) -> None:
        modules = list(DEFAULT_MODULES["CPO"])
        if payments and offers(version, ModuleId.PAYMENTS):
            modules.append(("payments", "RECEIVER"))
        super().__init__(Peer(version, [("CPO", *party)], name=name, modules=modules), log)
        self.seed = seed
        self.peer.on("POST", "commands", self._command)
        self.peer.on("POST", "payments", self._payments)
        self.locations: dict[str, JSON] = {}
        for n in range(1, locations + 1):
            tariff_id = list(TARIFFS)[n % len(TARIFFS)]
            loc = payloads.location(*party, f"LOC{n}", evses=evses, tariff_id=tariff_id)
            self.locations[loc["id"]] = loc
        self.status: dict[tuple[str, str], str] = {
            (loc_id, e["uid"]): "AVAILABLE"
            for loc_id, loc in self.locations.items()
            for e in loc["evses"]
        }
        self.sessions: dict[str, JSON] = {}  # session id -> canonical Session
        self.active: dict[str, tuple[str, str]] = {}  # session id -> (location, evse)
        self._sequence = 0

    # --- the wire ------------------------------------------------------------------------

    def _wire(self, name: str, doc: JSON) -> JSON:
        if self.peer.version == CANONICAL_VERSION:
            return doc
        ctx = TranslationContext(
            country_code=doc.get("country_code"),
            party_id=doc.get("party_id"),
            location_by_id=self.locations.get,
            role="CPO",
        )
        return from_canonical(self.peer.version, name, doc, ctx)[0]

    def _object_url(self, module: str, object_id: str) -> str:
        _, cc, pid = self.peer.parties[0]
        return f"/{cc}/{pid}/{object_id}"

    async def _put(self, module: str, name: str, doc: JSON) -> bool:
        suffix = self._object_url(module, doc["id"])
        return ok(await self.send("PUT", module, "RECEIVER", suffix, self._wire(name, doc)))

    # --- what the CPO does on its own -----------------------------------------------------------

    async def setup(self) -> None:
        _, cc, pid = self.peer.parties[0]
        for tariff_id, price in TARIFFS.items():
            done = await self._put("tariffs", "Tariff", payloads.tariff(cc, pid, tariff_id, price))
            self.note(f"PUT tariff {tariff_id} ({price:.2f} EUR/kWh)", "ok" if done else "refused")
        for loc_id, loc in self.locations.items():
            done = await self._put("locations", "Location", loc)
            self.note(
                f"PUT location {loc_id} ({len(loc['evses'])} EVSEs)", "ok" if done else "refused"
            )

    async def step(self, rng: random.Random) -> None:
        idle = sorted(k for k, s in self.status.items() if s != "CHARGING")
        if not idle:
            self.note("all EVSEs charging: nothing to change")
            return
        loc_id, evse_uid = rng.choice(idle)
        new = rng.choice([s for s in IDLE_STATUSES if s != self.status[(loc_id, evse_uid)]])
        self._set_status(loc_id, evse_uid, new)
        await self._send_status(loc_id, evse_uid)

    def _set_status(self, loc_id: str, evse_uid: str, status: str) -> None:
        """Change an EVSE's status: only where the CPO decides (a step, a command it accepts),
        never when a follow-up happens to run, so that a seed's decisions do not vary."""
        self.status[(loc_id, evse_uid)] = status
        for evse in self.locations[loc_id]["evses"]:
            if evse["uid"] == evse_uid:
                evse["status"] = status

    async def _send_status(self, loc_id: str, evse_uid: str, *, planned: bool = True) -> None:
        """PATCH the EVSE's current status to the counterpart."""
        status = self.status[(loc_id, evse_uid)]
        suffix = self._object_url("locations", loc_id) + f"/{evse_uid}"
        answer = await self.send(
            "PATCH", "locations", "RECEIVER", suffix, payloads.evse_status_patch(status)
        )
        outcome = "ok" if ok(answer) else f"{answer[0]}"
        self.note(f"EVSE {loc_id}/{evse_uid} {status}", outcome, planned=planned)

    # --- commands ---------------------------------------------------------------------------

    def _command(self, received: Received) -> tuple[int, Any]:
        command = received.rest.strip("/").rsplit("/", 1)[-1].upper()
        body = received.body if isinstance(received.body, dict) else {}
        if command == "START_SESSION":
            result = self._accept_start(body)
        elif command == "STOP_SESSION":
            result = self._accept_stop(body)
        else:
            result = "NOT_SUPPORTED"
        self.note(f"answered {command} {result}")
        data: JSON = {"result": result}
        if self.peer.speaks.has_command_timeout:
            data["timeout"] = 30
        return 200, {"status_code": 1000, "timestamp": payloads.now(), "data": data}

    def _accept_start(self, body: JSON) -> str:
        loc_id = str(body.get("location_id"))
        evse_uid = body.get("evse_uid") or next(
            (
                e
                for (loc, e), s in sorted(self.status.items())
                if loc == loc_id and s == "AVAILABLE"
            ),
            None,
        )
        if self.status.get((loc_id, str(evse_uid))) != "AVAILABLE":
            return "REJECTED"
        self._sequence += 1
        session_id = f"S{self.seed}-{self._sequence:05d}"
        self._set_status(loc_id, str(evse_uid), "CHARGING")
        self.active[session_id] = (loc_id, str(evse_uid))
        self.later(self._start(session_id, body, loc_id, str(evse_uid)))
        return "ACCEPTED"

    def _accept_stop(self, body: JSON) -> str:
        session_id = str(body.get("session_id"))
        if session_id not in self.active:
            return "REJECTED"
        loc_id, evse_uid = self.active.pop(session_id)
        self._set_status(loc_id, evse_uid, "AVAILABLE")
        self.later(self._stop(session_id, body, loc_id, evse_uid))
        return "ACCEPTED"

    # --- payments (2.3.0) ------------------------------------------------------------------------

    def _payments(self, received: Received) -> tuple[int, Any]:
        """A PTP's new Terminal: accept it, then assign it every Location (a PATCH back)."""
        body = received.body if isinstance(received.body, dict) else {}
        if received.rest.strip("/").endswith("terminals") and body.get("terminal_id"):
            terminal_id = str(body["terminal_id"])
            self.note(f"received terminal {terminal_id}", planned=False)
            self.later(self._assign(terminal_id))
        return 200, {"status_code": 1000, "timestamp": payloads.now()}

    async def _assign(self, terminal_id: str) -> None:
        await asyncio.sleep(REACTION_SECONDS)
        assignment = {"location_ids": sorted(self.locations), "last_updated": payloads.now()}
        url = f"{self.peer.hub_url('payments', 'SENDER')}/terminals/{terminal_id}"
        status, answer, _ = await self.call("PATCH", url, assignment)
        outcome = "ok" if ok((status, answer)) else f"{status} {answer}"
        self.note(
            f"assigned {len(self.locations)} locations to terminal {terminal_id}",
            outcome,
            planned=False,
        )

    def _cdr_token(self, token: JSON) -> JSON:
        if "auth_id" in token:  # a 2.1.1 Token: its owner is the party on the other side
            cc, pid = self.counterpart or ("ZZ", "ZZZ")
            token = {**token, "country_code": cc, "party_id": pid, "contract_id": token["auth_id"]}
        return {k: token[k] for k in ("country_code", "party_id", "uid", "type", "contract_id")}

    async def _start(self, session_id: str, body: JSON, loc_id: str, evse_uid: str) -> None:
        await asyncio.sleep(REACTION_SECONDS)
        await self.call("POST", str(body.get("response_url")), {"result": "ACCEPTED"})
        _, cc, pid = self.peer.parties[0]
        tariff_id = self.locations[loc_id]["evses"][0]["connectors"][0]["tariff_ids"][0]
        session = payloads.session(
            cc,
            pid,
            session_id,
            cdr_token=self._cdr_token(body.get("token") or {}),
            location_id=loc_id,
            evse_uid=evse_uid,
            start=payloads.now(),
            kwh=0.0,
            price_per_kwh=TARIFFS[tariff_id],
            status="ACTIVE",
        )
        self.sessions[session_id] = session | {"_tariff": tariff_id}
        done = await self._put("sessions", "Session", session)
        self.note(f"session {session_id} ACTIVE", "ok" if done else "refused", planned=False)
        await self._send_status(loc_id, evse_uid, planned=False)

    async def _stop(self, session_id: str, body: JSON, loc_id: str, evse_uid: str) -> None:
        await asyncio.sleep(REACTION_SECONDS)
        await self.call("POST", str(body.get("response_url")), {"result": "ACCEPTED"})
        stored = self.sessions.pop(session_id, None)
        if stored is None:  # stopped before it had started: nothing was charged
            return
        tariff_id = stored["_tariff"]
        kwh = round(random.Random(f"{self.seed}-{session_id}").uniform(2, 40), 3)
        end = payloads.now()
        session = payloads.session(
            stored["country_code"],
            stored["party_id"],
            session_id,
            cdr_token=stored["cdr_token"],
            location_id=loc_id,
            evse_uid=evse_uid,
            start=stored["start_date_time"],
            kwh=kwh,
            price_per_kwh=TARIFFS[tariff_id],
            status="COMPLETED",
            end=end,
        )
        done = await self._put("sessions", "Session", session)
        self.note(f"session {session_id} COMPLETED", "ok" if done else "refused", planned=False)
        await self._send_status(loc_id, evse_uid, planned=False)
        _, cc, pid = self.peer.parties[0]
        tariff = payloads.tariff(cc, pid, tariff_id, TARIFFS[tariff_id])
        cdr = payloads.cdr(
            f"CDR-{session_id}",
            session_body=session,
            location_body=self.locations[loc_id],
            tariff_body=tariff,
            end=end,
        )
        answer = await self.send("POST", "cdrs", "RECEIVER", "", self._wire("CDR", cdr))
        self.note(
            f"CDR for {session_id} ({kwh} kWh, tariff {tariff_id})",
            "ok" if ok(answer) else str(answer[0]),
            planned=False,
        )
