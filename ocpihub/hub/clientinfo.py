"""HubClientInfo: every party learns which partners it can reach, and in what state.

The status a viewer sees of a party (pure, :func:`seen_status`): SUSPENDED when the operator
suspended the agreement between them (or it ended), otherwise the party's own status —
CONNECTED (registered and answering), OFFLINE (the liveness check fails), PLANNED (announced by
the operator, not registered yet) or SUSPENDED (suspended by the operator).

Changes are pushed through the outbox (durable, ordered per receiver and subject) as
``PUT {receiver's hubclientinfo endpoint}/{country_code}/{party_id}`` ClientInfo objects, to
2.2.1 and 2.3.0 platforms. 2.1.1 has no HubClientInfo module: 2.1.1 partners are told nothing
and learn about partners from the operator (docs/agreements.md).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from ocpihub.hub.initial_sync import queue_initial_sync
from ocpihub.model.agreements import Agreement, AgreementStatus
from ocpihub.model.outbox import Delivery
from ocpihub.model.parties import ConnectionStatus, Party
from ocpihub.ocpi.fields import format_datetime
from ocpihub.ocpi.version import ocpi_version
from ocpihub.outbox.enqueue import enqueue
from ocpihub.store.agreements import list_agreements
from ocpihub.store.db import Connection, Database
from ocpihub.store.platforms import list_parties
from ocpihub.store.routing import party_target

__all__ = ["ClientInfoNotifier", "client_info", "seen_status"]

MODULE = "hubclientinfo"


def seen_status(party_status: ConnectionStatus, agreement: Agreement | None) -> ConnectionStatus:
    """What a partner is told about a party (see the module docstring)."""
    if agreement is None or agreement.status is AgreementStatus.SUSPENDED:
        return ConnectionStatus.SUSPENDED
    return party_status


def client_info(party: Party, status: ConnectionStatus, now: datetime) -> dict[str, Any]:
    """The canonical (2.3.0) ClientInfo object of ``party`` as one viewer sees it."""
    return {
        "party_id": party.party_id,
        "country_code": party.country_code,
        "role": party.role if party.role != "HUB" else "OTHER",
        "status": status.value,
        "last_updated": format_datetime(now, fractions=False),
    }


def _has_hub_client_info(version: str | None) -> bool:
    return version is not None and ocpi_version(version).has_hub_client_info


class ClientInfoNotifier:
    """Queues ClientInfo pushes when agreements or party statuses change."""

    def __init__(self, db: Database, hub_party: tuple[str, str]) -> None:
        self.db = db
        self.hub_party = hub_party

    async def agreement_changed(self, agreement: Agreement) -> None:
        """Both sides of ``agreement`` learn the other's status (a removed one: SUSPENDED).

        When the agreement is ACTIVE, each side is also sent the stored objects it may now see
        (``hub/initial_sync.py``), in the same transaction.
        """
        async with self.db.write() as conn:
            known = await list_parties(conn)
            deliveries: list[Delivery] = []
            for subject_code, viewer_code in (
                (agreement.a, agreement.b),
                (agreement.b, agreement.a),
            ):
                subjects = [p for p in known if (p.country_code, p.party_id) == subject_code]
                for subject in subjects:
                    status = seen_status(subject.status, agreement)
                    deliveries += await self._to_viewer(conn, subject, status, viewer_code)
            if deliveries:
                await enqueue(conn, deliveries)
            # a partner that just became reachable also gets what it may now see
            await queue_initial_sync(conn, agreement)

    async def party_changed(self, party_codes: Iterable[tuple[str, str]]) -> None:
        """Every agreed partner of these parties learns their current status."""
        async with self.db.write() as conn:
            known = await list_parties(conn)
            deliveries: list[Delivery] = []
            for code in set(party_codes):
                subjects = [p for p in known if (p.country_code, p.party_id) == code]
                for agreement in await list_agreements(conn, code):
                    viewer = agreement.other(code)
                    for subject in subjects:
                        status = seen_status(subject.status, agreement)
                        deliveries += await self._to_viewer(conn, subject, status, viewer)
            if deliveries:
                await enqueue(conn, deliveries)

    async def _to_viewer(
        self,
        conn: Connection,
        subject: Party,
        status: ConnectionStatus,
        viewer: tuple[str, str],
    ) -> list[Delivery]:
        info = client_info(subject, status, datetime.now(UTC))
        out = []
        seen_platforms: set[int] = set()
        for target in await party_target(conn, viewer, MODULE, interface_role="RECEIVER"):
            if not _has_hub_client_info(target.version) or target.endpoint_url is None:
                continue
            if target.platform_id in seen_platforms:
                continue  # one ClientInfo per platform is enough: the module has no routing
            seen_platforms.add(target.platform_id)
            out.append(
                Delivery(
                    receiver_platform_id=target.platform_id,
                    receiver_party=target.party,
                    sender_party=self.hub_party,
                    module=MODULE,
                    method="PUT",
                    url_suffix=f"/{subject.country_code}/{subject.party_id}",
                    ordering_key=f"{MODULE}:{subject.country_code}:{subject.party_id}",
                    correlation_id=str(uuid.uuid4()),
                    object_name="ClientInfo",
                    payload=info,
                    broadcast=True,
                )
            )
        return out
