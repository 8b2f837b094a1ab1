"""The liveness check: is each registered platform answering? (HubClientInfo OFFLINE/CONNECTED)

Every ``interval`` seconds the hub GETs each registered platform's versions endpoint with its
token. After ``threshold`` failures in a row the platform's CONNECTED parties become OFFLINE;
the first success brings OFFLINE parties back to CONNECTED. PLANNED and SUSPENDED parties are
the operator's to change and are left alone. Every change is pushed to the parties' partners.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable

import structlog

from ocpihub.errors import OcpiError
from ocpihub.model.parties import ConnectionStatus, Platform, PlatformStatus
from ocpihub.outbound.client import PartnerAuth, PartnerClient
from ocpihub.store import platforms as store
from ocpihub.store.db import Database

__all__ = ["LivenessChecker", "next_status"]

log = structlog.get_logger("ocpihub.liveness")

PartiesChanged = Callable[[Iterable[tuple[str, str]]], Awaitable[None]]


def next_status(current: ConnectionStatus, failures: int, threshold: int) -> ConnectionStatus:
    """A party's status after a check that left its platform at ``failures`` in a row (pure)."""
    if current is ConnectionStatus.CONNECTED and failures >= threshold:
        return ConnectionStatus.OFFLINE
    if current is ConnectionStatus.OFFLINE and failures == 0:
        return ConnectionStatus.CONNECTED
    return current


class LivenessChecker:
    """Runs the check periodically; :meth:`check_once` is one round."""

    def __init__(
        self,
        db: Database,
        client: PartnerClient,
        *,
        interval: float,
        threshold: int,
        timeout: float,
        on_change: PartiesChanged,
    ) -> None:
        self.db = db
        self.client = client
        self.interval = interval
        self.threshold = threshold
        self.timeout = timeout
        self.on_change = on_change

    async def run(self) -> None:
        """Check forever (cancel the task to stop)."""
        while True:
            await asyncio.sleep(self.interval)
            try:
                await self.check_once()
            except Exception:  # one failed round must not stop the checks
                log.warning("liveness_round_failed", exc_info=True)

    async def _answers(self, platform: Platform) -> bool:
        if not platform.versions_url or not platform.outbound_token:
            return True
        try:
            response = await self.client.request(
                "GET",
                platform.versions_url,
                auth=PartnerAuth.of(platform),
                timeout=self.timeout,
                extra={"module": "versions", "platform_id": platform.id},
            )
        except OcpiError:
            return False
        return 200 <= response.status < 300

    async def check_once(self) -> list[tuple[str, str]]:
        """Check every registered platform; the parties whose status changed."""
        async with self.db.read() as conn:
            registered = [
                p for p in await store.list_platforms(conn) if p.status is PlatformStatus.REGISTERED
            ]
        results = await asyncio.gather(*(self._answers(p) for p in registered))
        changed: list[tuple[str, str]] = []
        async with self.db.write() as conn:
            for platform, ok in zip(registered, results, strict=True):
                failures = await store.record_liveness(conn, platform.id, answered=ok)
                for party in await store.list_parties(conn, platform.id):
                    new = next_status(party.status, failures, self.threshold)
                    if new is not party.status:
                        await store.set_liveness_status(conn, party, new)
                        changed.append((party.country_code, party.party_id))
                        log.info("party_status", party=party.code, status=new.value)
        if changed:
            await self.on_change(changed)
        return changed
