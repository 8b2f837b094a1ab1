"""Removing a platform (operator action): refused or done whole, and it says what it did.

A platform with deliveries queued for it is not removed unless the operator forces it
(``ocpihub platform remove --force``, ``DELETE /admin/api/platforms/{id}?force=true``). A removal
then, in this order:

1. tells a registered partner with a credentials DELETE (best effort; the answer says whether it
   was reached);
2. in one transaction: stops accepting its tokens, forgets its endpoints (so nothing more is
   queued for it), marks its parties SUSPENDED and ends the agreements of its parties (those no
   other platform also hosts);
3. tells the other side of each ended agreement, as removing the agreement would (HubClientInfo
   SUSPENDED, and whatever else the agreement notification carries);
4. in one transaction: moves every delivery still queued for it to the dead-letter list (DEAD,
   with the reason as its last error: never deleted silently) and deletes the platform. Its
   outbox items stay, with no receiver platform; they cannot be retried.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import structlog

from ocpihub.errors import Conflict, NotFound
from ocpihub.hub.agreement_actions import Notify, agreement_json, ended
from ocpihub.model.agreements import Agreement
from ocpihub.model.parties import ConnectionStatus, Platform, PlatformStatus
from ocpihub.store import agreements as agreement_store
from ocpihub.store import outbox as outbox_store
from ocpihub.store import platforms as store
from ocpihub.store.db import Connection, Database

__all__ = ["PlatformRemoval"]

log = structlog.get_logger("ocpihub.platforms")

TellPartner = Callable[[Platform], Awaitable[tuple[bool | None, str | None]]]
"""Best-effort credentials DELETE at the partner: (reached?, error); None: not registered."""


@dataclass
class PlatformRemoval:
    """One platform's removal with what it needs to tell others."""

    db: Database
    tell_partner: TellPartner
    notify_agreement: Notify

    async def remove(self, platform_id: int, *, force: bool = False) -> dict[str, Any]:
        """Remove the platform (see the module docstring); what was done."""
        async with self.db.read() as conn:
            platform = await store.get_platform(conn, platform_id)
            if platform is None:
                raise NotFound(f"no platform with id {platform_id}")
            queued = await outbox_store.count_open(conn, platform_id)
        if queued and not force:
            raise Conflict(
                f"platform {platform.name} has {queued} deliveries queued; force the removal "
                "to move them to the dead-letter list (CLI: --force; admin API: ?force=true; "
                "console: the force box)"
            )
        notified, error = await self.tell_partner(platform)
        ended_agreements = await self._disconnect(platform)
        for agreement in ended_agreements:
            try:
                await self.notify_agreement(ended(agreement))
            except Exception:
                log.exception("agreement_notification_failed", agreement=agreement.id)
        reason = f"receiver platform {platform.name!r} was removed by the operator"
        async with self.db.write() as conn:
            dead = await outbox_store.dead_letter_open(conn, platform_id, reason, datetime.now(UTC))
            await store.delete_platform(conn, platform_id)
        log.info(
            "platform_removed",
            platform=platform.name,
            partner_notified=notified,
            agreements_ended=[a.id for a in ended_agreements],
            dead_lettered=dead,
        )
        return {
            "id": platform_id,
            "removed": True,
            "partner_notified": notified,
            "partner_error": error,
            "agreements_ended": [agreement_json(a) for a in ended_agreements],
            "dead_lettered": dead,
        }

    async def _disconnect(self, platform: Platform) -> list[Agreement]:
        """Step 2: nothing more reaches or leaves the platform; its agreements end."""
        async with self.db.write() as conn:
            await store.revoke_tokens(conn, platform.id)
            await store.replace_endpoints(conn, platform.id, [])
            await store.update_platform(
                conn, platform.id, status=PlatformStatus.UNREGISTERED, outbound_token=None
            )
            hosted = await store.set_platform_parties_status(
                conn, platform.id, ConnectionStatus.SUSPENDED
            )
            others = {
                (p.country_code, p.party_id)
                for p in await store.list_parties(conn)
                if p.platform_id not in (None, platform.id)
            }
            codes = {(p.country_code, p.party_id) for p in hosted} - others
            return await _end_agreements(conn, codes)


async def _end_agreements(conn: Connection, codes: Iterable[tuple[str, str]]) -> list[Agreement]:
    out: dict[int, Agreement] = {}
    for code in codes:
        for agreement in await agreement_store.list_agreements(conn, code):
            if agreement.id not in out:
                removed = await agreement_store.delete_agreement(conn, agreement.id)
                if removed is not None:
                    out[agreement.id] = removed
    return sorted(out.values(), key=lambda a: a.id)
