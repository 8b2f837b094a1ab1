"""The composition root: ``build_hub(settings)`` builds the hub's collaborators, once per process.

Both the server (``app.py``, which adds what only HTTP needs: middlewares, routes, console,
metrics and the background workers) and the CLI's acting commands (``cli/_common.act``) build
them here, so an operator action has the same effects from either: the same partner client
(with its traffic-log observer and the tolerations of the partners' profiles), the same open-enum
registry and directory, the same registrar, and the same reactions to agreement and party
changes (HubClientInfo pushes, 2.3.0 credentials updates; ``wiring.hub_events``).
"""

from __future__ import annotations

from dataclasses import dataclass

from ocpihub.hub.credentials_refresh import CredentialsRefresher
from ocpihub.hub.enums import EnumRegistry
from ocpihub.hub.pulls import Puller
from ocpihub.hub.registration import Registrar
from ocpihub.outbound.client import PartnerClient
from ocpihub.settings import Settings
from ocpihub.store.db import Database
from ocpihub.store.directory import Directory
from ocpihub.store.traffic import TrafficRecorder
from ocpihub.tolerations import Tolerations
from ocpihub.wiring import HubEvents, hub_events, partner_client, traffic_observer, traffic_recorder

__all__ = ["Hub", "build_hub"]


@dataclass
class Hub:
    """The collaborators of one hub process (server or CLI command), each built once."""

    settings: Settings
    db: Database
    client: PartnerClient
    enums: EnumRegistry
    directory: Directory
    traffic: TrafficRecorder
    tolerations: Tolerations
    events: HubEvents
    puller: Puller

    @property
    def registrar(self) -> Registrar:
        """The one registrar (registrations, token A, platform removal)."""
        return self.events.registrar

    @property
    def refresher(self) -> CredentialsRefresher:
        """The one credentials refresher (its per-platform serialisation is per process)."""
        return self.events.refresher

    async def open(self) -> None:
        """Load the open-enum registry and open the partner client's pool (the database is
        migrated by the caller: the server always, the CLI when it is not current)."""
        await self.enums.load(self.db)
        await self.client.start()

    async def close(self) -> None:
        """Write the traffic entries still queued, close the client and the database."""
        await self.traffic.stop()
        await self.client.close()
        await self.db.close()


def build_hub(settings: Settings) -> Hub:
    """Settings → database, partner client, registries, directory, registrar, reactions."""
    db = Database(settings.database_url)
    client = partner_client(settings)
    traffic = traffic_recorder(db, settings)
    client.observer = traffic_observer(traffic)
    tolerations = Tolerations()
    client.tolerations = tolerations
    enums = EnumRegistry(settings.custom_enum_values)
    directory = Directory(db, ttl=settings.directory_cache_seconds)
    return Hub(
        settings=settings,
        db=db,
        client=client,
        enums=enums,
        directory=directory,
        traffic=traffic,
        tolerations=tolerations,
        events=hub_events(db, client, settings),
        puller=Puller(db, client, directory, enums, settings),
    )
