"""The running hub's collaborators, built once by ``app.py`` (the composition root).

Handlers reach them through ``request.app.state.runtime``; nothing else builds them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ocpihub.hub.agreement_actions import Notify
from ocpihub.hub.credentials_refresh import CredentialsRefresher
from ocpihub.hub.enums import EnumRegistry
from ocpihub.hub.party_actions import PartiesChanged
from ocpihub.hub.relay import Relay
from ocpihub.inbound.interfaces import InterfaceRegistry
from ocpihub.model.agreements import Agreement
from ocpihub.outbound.client import PartnerClient
from ocpihub.settings import Settings
from ocpihub.store.db import Database
from ocpihub.store.directory import Directory
from ocpihub.tolerations import Tolerations

if TYPE_CHECKING:
    from ocpihub.hub.pull_scheduler import PullScheduler

__all__ = ["Runtime"]


async def _no_notification(agreement: Agreement) -> None:
    return None


async def _no_party_notification(codes: Iterable[tuple[str, str]]) -> None:
    return None


@dataclass
class Runtime:
    """Everything a request handler may need."""

    settings: Settings
    db: Database
    interfaces: InterfaceRegistry
    client: PartnerClient
    enums: EnumRegistry
    directory: Directory
    admin_token_hash: str | None = None
    notify_agreement: Notify = field(default=_no_notification)
    notify_parties: PartiesChanged = field(default=_no_party_notification)
    credentials: CredentialsRefresher | None = None  # credentials updates and rotations
    pulls: PullScheduler | None = None  # scheduled pulls and "pull now" (hub/pull_scheduler.py)
    # deviations the partners' profiles let through: logged once, counted in the metrics
    tolerations: Tolerations = field(default_factory=Tolerations)

    @property
    def relay(self) -> Relay:
        """The one synchronous relay over these collaborators (``hub/relay.py``)."""
        return Relay(
            self.client, self.directory, self.settings.request_timeout, self.tolerations, self.enums
        )
