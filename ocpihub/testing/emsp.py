"""A simulated eMSP: pushes its Tokens, starts and stops charging sessions with commands, and
pulls (GET all) Locations and Tariffs; it learns its Sessions from what the CPO sends it."""

from __future__ import annotations

import asyncio
import random
import time

from ocpihub.testing import payloads
from ocpihub.testing.peer import Peer, Received
from ocpihub.testing.simulated import JSON, Log, Simulated, ok

__all__ = ["SimulatedEmsp"]

# how long a STOP waits to learn the id of the session it stops (the Session travels from the
# CPO through the hub's outbox; generous, since giving up would change the run's next choices)
SESSION_WAIT_SECONDS = 60.0


class SimulatedEmsp(Simulated):
    """An eMSP of ``version`` with ``tokens`` RFID cards."""

    def __init__(
        self,
        version: str,
        party: tuple[str, str],
        *,
        name: str = "Sandbox eMSP",
        tokens: int = 3,
        log: Log | None = None,
    ) -> None:
        super().__init__(Peer(version, [("EMSP", *party)], name=name), log)
        cc, pid = party
        self.tokens = [f"{cc}{pid}{n:04d}" for n in range(1, tokens + 1)]
        self.charging: list[tuple[str, str]] = []  # (token uid, location id), oldest first
        self.stopped: set[str] = set()  # session ids
        self.locations: list[tuple[str, list[str]]] = []  # (id, EVSE uids), as last pulled
        self._commands = 0

    def _token(self, uid: str) -> JSON:
        _, cc, pid = self.peer.parties[0]
        return payloads.token(self.peer.version, cc, pid, uid)

    async def setup(self) -> None:
        for uid in self.tokens:
            await self._push_token(uid)
        await self._pull("locations")

    async def step(self, rng: random.Random) -> None:
        free = [t for t in self.tokens if t not in {uid for uid, _ in self.charging}]
        choices = ["pull"] * 2 + ["token"]
        if free and self.locations:
            choices += ["start"] * 3
        if self.charging:
            choices += ["stop"] * 3
        action = rng.choice(choices)
        if action == "start":
            await self._start(rng.choice(free), rng)
        elif action == "stop":
            await self._stop()
        elif action == "pull":
            await self._pull(rng.choice(["locations", "tariffs"]))
        else:
            await self._push_token(rng.choice(self.tokens))

    async def _push_token(self, uid: str) -> None:
        _, cc, pid = self.peer.parties[0]
        answer = await self.send(
            "PUT", "tokens", "RECEIVER", f"/{cc}/{pid}/{uid}", self._token(uid)
        )
        self.note(f"PUT token {uid}", "ok" if ok(answer) else str(answer))

    async def _pull(self, module: str) -> None:
        found = await self.pull(module)
        if module == "locations":
            self.locations = sorted(
                (str(loc["id"]), sorted(str(e["uid"]) for e in loc.get("evses") or []))
                for loc in found
                if loc.get("evses")
            )
        self.note(f"GET all {module}", f"{len(found)} objects", planned=True)

    def _response_url(self) -> str:
        self._commands += 1
        return f"{self.peer.module_url('commands', 'SENDER')}/results/{self._commands}"

    async def _start(self, uid: str, rng: random.Random) -> None:
        location_id, evses = rng.choice(self.locations)
        evse = rng.choice(evses)
        body = {
            "response_url": self._response_url(),
            "token": self._token(uid),
            "location_id": location_id,
            "evse_uid": evse,
        }
        status, answer = await self.send("POST", "commands", "RECEIVER", "/START_SESSION", body)
        result = (answer.get("data") or {}).get("result") if ok((status, answer)) else None
        if result == "ACCEPTED":
            self.charging.append((uid, location_id))
        self.note(f"START_SESSION {uid} at {location_id}/{evse}", str(result or answer))

    def _session_of(self, uid: str) -> str | None:
        """The id of this token's active session, from the Sessions the CPO sent us."""
        contract = self._token(uid).get("auth_id")
        for received in reversed(self.peer.of("sessions")):
            body = received.body
            if received.method != "PUT" or not isinstance(body, dict):
                continue
            token_uid = (body.get("cdr_token") or {}).get("uid")
            mine = token_uid == uid or (contract and body.get("auth_id") == contract)
            if mine and body.get("status") == "ACTIVE" and body.get("id") not in self.stopped:
                return str(body["id"])
        return None

    async def _stop(self) -> None:
        uid, location_id = self.charging.pop(0)
        deadline = time.monotonic() + SESSION_WAIT_SECONDS
        session_id = self._session_of(uid)
        while session_id is None and time.monotonic() < deadline:
            await asyncio.sleep(0.1)  # the Session travels CPO -> hub -> us on its own
            session_id = self._session_of(uid)
        if session_id is None:
            self.note(f"STOP_SESSION {uid} at {location_id}", "no session arrived: skipped")
            return
        self.stopped.add(session_id)
        body = {"response_url": self._response_url(), "session_id": session_id}
        status, answer = await self.send("POST", "commands", "RECEIVER", "/STOP_SESSION", body)
        result = (answer.get("data") or {}).get("result") if ok((status, answer)) else None
        self.note(f"STOP_SESSION {uid} at {location_id}", str(result or answer))

    async def stop_all(self) -> None:
        """Stop every session this eMSP started (drivers unplug before the sandbox closes)."""
        while self.charging:
            await self._stop()

    def results(self) -> list[Received]:
        """The command results the CPO sent back (through the hub) to our response URLs."""
        return [r for r in self.peer.of("commands", "POST") if "/results/" in r.path]
