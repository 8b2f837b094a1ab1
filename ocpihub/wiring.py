"""The builders ``composition.build_hub`` (the server's and the CLI's one composition root) uses.

One builder each, so that an operator action taken from the CLI has exactly the effects the
same action has through the admin API (DESIGN rule 1): the partner client with the hub's
settings, its traffic-log observer (an outbound :class:`Exchange` becomes the store's
:class:`TrafficEntry` here, so that ``outbound/`` and ``store/`` need not know each other), and
:class:`HubEvents` — what follows an agreement or party change (HubClientInfo pushes, 2.3.0
credentials updates).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from ocpihub.hub.clientinfo import ClientInfoNotifier
from ocpihub.hub.credentials_refresh import CredentialsRefresher
from ocpihub.hub.registration import Registrar
from ocpihub.model.agreements import Agreement
from ocpihub.ocpi.modules import module_of
from ocpihub.outbound.client import Exchange, Observer, PartnerClient
from ocpihub.settings import Settings
from ocpihub.store.db import Database
from ocpihub.store.traffic import TrafficEntry, TrafficRecorder

__all__ = [
    "HubEvents",
    "entry_from_exchange",
    "hub_events",
    "partner_client",
    "traffic_observer",
    "traffic_recorder",
]


def partner_client(settings: Settings, observer: Observer | None = None) -> PartnerClient:
    """The client the hub calls partners with, configured from the settings."""
    return PartnerClient(
        timeout=settings.request_timeout,
        observer=observer,
        allow_private_addresses=settings.allow_private_addresses,
    )


def traffic_recorder(db: Database, settings: Settings) -> TrafficRecorder:
    """The traffic log writer, configured from the settings."""
    return TrafficRecorder(
        db,
        keep_bodies=settings.traffic_log_bodies,
        retention=timedelta(hours=settings.traffic_retention_hours),
        prune_interval=settings.prune_interval_seconds,
    )


def _party(headers: Mapping[str, str], side: str) -> str | None:
    lower = {k.lower(): v for k, v in headers.items()}
    cc = lower.get(f"ocpi-{side}-country-code")
    pid = lower.get(f"ocpi-{side}-party-id")
    return f"{cc.upper()}-{pid.upper()}"[:6] if cc and pid else None


def entry_from_exchange(exchange: Exchange, at: datetime) -> TrafficEntry:
    """The traffic entry of one outbound call (headers reduced to ids and parties): the
    partner client's :class:`Exchange` in the store's terms, so neither imports the other."""
    extra = exchange.extra
    headers = {k.lower(): v for k, v in exchange.request_headers.items()}
    module = extra.get("module") or module_of(exchange.url)
    return TrafficEntry(
        at=at,
        direction="OUT",
        method=exchange.method,
        url=exchange.url,
        duration_ms=exchange.duration_ms,
        platform_id=extra.get("platform_id"),
        from_party=extra.get("from_party") or _party(headers, "from"),
        to_party=extra.get("to_party") or _party(headers, "to"),
        module=module,
        http_status=exchange.status,
        request_id=headers.get("x-request-id"),
        correlation_id=headers.get("x-correlation-id"),
        outbox_id=extra.get("outbox_id"),
        error=exchange.error,
        request_body=exchange.request_body,
        response_body=exchange.response_body,
    )


def traffic_observer(recorder: TrafficRecorder) -> Observer:
    """The partner client's observer that logs every outbound call through ``recorder``."""

    async def observe(exchange: Exchange) -> None:
        recorder.record_outbound(entry_from_exchange(exchange, datetime.now(UTC)))

    return observe


@dataclass
class HubEvents:
    """What the hub does when agreements or parties change, wherever the change was made."""

    registrar: Registrar
    clientinfo: ClientInfoNotifier
    refresher: CredentialsRefresher

    async def agreement_changed(self, agreement: Agreement) -> None:
        """Both sides learn the other's status; 2.3.0 partners get their new reachable parties
        (a credentials update) before the operator's call returns."""
        await self.clientinfo.agreement_changed(agreement)
        await self.refresher.agreement_changed(agreement)

    async def parties_changed(self, codes: Iterable[tuple[str, str]]) -> None:
        """Agreed partners learn the parties' current status."""
        await self.clientinfo.party_changed(codes)


def hub_events(db: Database, client: PartnerClient, settings: Settings) -> HubEvents:
    """The hub's reactions to changes, over one database and partner client."""
    clientinfo = ClientInfoNotifier(db, settings.hub_party)
    registrar = Registrar(db, client, settings)
    events = HubEvents(registrar, clientinfo, CredentialsRefresher(registrar))
    # a registration's party changes and a platform's removal (which ends its agreements)
    # have the reactions of a party change and of agreement remove
    registrar.notify_parties = events.parties_changed
    registrar.notify_agreement = events.agreement_changed
    return events
