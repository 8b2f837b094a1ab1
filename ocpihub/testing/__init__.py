"""Test helpers shipped with the package: real OCPI platforms to put next to a hub.

- :class:`Peer` (``peer.py``): a small real OCPI platform of one version that records what it
  receives; tests assert on it. Its ``sender_lists`` (``sender_list.py``) publish objects on its
  Sender interfaces, paged with ``Link``, for a hub to pull.
- ``payloads.py``: valid OCPI objects (Locations, Tariffs, Tokens, Sessions, CDRs) to send.
- Simulated partners that keep trading on their own (``cpo.py``, ``emsp.py``, ``ptp.py``),
  driven by ``sandbox.py``; ``ocpihub demo`` runs them against a hub or a partner's platform.
"""

from __future__ import annotations

from ocpihub.testing.peer import DEFAULT_MODULES, Peer, Received
from ocpihub.testing.sender_list import SenderList

__all__ = ["DEFAULT_MODULES", "Peer", "Received", "SenderList"]
