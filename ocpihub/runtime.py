"""The running hub's collaborators as request handlers see them (``Runtime.serving``).

``app.py`` makes one per application from the process's :class:`~ocpihub.composition.Hub`
(built once by ``composition.build_hub``) and the interfaces its routes declare. Handlers reach
it through ``request.app.state.runtime``; nothing else builds these collaborators.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ocpihub.hub.agreement_actions import Notify
from ocpihub.hub.credentials_refresh import CredentialsRefresher
from ocpihub.hub.enums import EnumRegistry
from ocpihub.hub.interfaces import InterfaceRegistry
from ocpihub.hub.party_actions import PartiesChanged
from ocpihub.hub.registration import Registrar
from ocpihub.hub.relay import Relay
from ocpihub.outbound.client import PartnerClient
from ocpihub.settings import Settings
from ocpihub.store.db import Database
from ocpihub.store.directory import Directory
from ocpihub.tolerations import Tolerations

if TYPE_CHECKING:
    from ocpihub.composition import Hub
    from ocpihub.hub.pull_scheduler import PullScheduler

__all__ = ["Runtime"]


@dataclass
class Runtime:
    """Everything a request handler may need."""

    settings: Settings
    db: Database
    interfaces: InterfaceRegistry
    client: PartnerClient
    enums: EnumRegistry
    directory: Directory
    registrar: Registrar  # the process's one registrar (composition.build_hub)
    credentials: CredentialsRefresher  # credentials updates and rotations
    notify_agreement: Notify
    notify_parties: PartiesChanged
    # deviations the partners' profiles let through: logged once, counted in the metrics
    tolerations: Tolerations
    admin_token_hash: str | None = None
    pulls: PullScheduler | None = None  # scheduled pulls and "pull now" (hub/pull_scheduler.py)
    relay: Relay = field(init=False)  # the one synchronous relay (hub/relay.py)

    def __post_init__(self) -> None:
        self.relay = Relay(
            self.client, self.directory, self.settings.request_timeout, self.tolerations, self.enums
        )

    @classmethod
    def serving(cls, hub: Hub, interfaces: InterfaceRegistry) -> Runtime:
        """The handlers' view of ``hub``, serving ``interfaces``."""
        return cls(
            settings=hub.settings,
            db=hub.db,
            interfaces=interfaces,
            client=hub.client,
            enums=hub.enums,
            directory=hub.directory,
            registrar=hub.registrar,
            credentials=hub.refresher,
            notify_agreement=hub.events.agreement_changed,
            notify_parties=hub.events.parties_changed,
            tolerations=hub.tolerations,
        )
