"""Routing decisions (pure): who receives a push, given the facts ``store/routing.py`` read.

Broadcast pushes (Locations, Tariffs, Tokens) go to every party that has an ACTIVE agreement with
the sender covering the module, plays a role that consumes the module, sits on a registered
platform other than the sender's, and published a receiver endpoint for the module (digest §1.9).
Addressed pushes (Sessions, CDRs) go to the one party they concern, under the same conditions.
"""

from __future__ import annotations

from collections.abc import Iterable

from ocpihub.model.parties import Target
from ocpihub.ocpi.modules import offers, push_consumers

__all__ = ["RECEIVING_ROLES", "addressed", "broadcast"]

RECEIVING_ROLES: dict[str, frozenset[str]] = push_consumers()
"""Roles that consume each module's pushes (digest §1.9, §6): the module table's consumers."""


def _usable(target: Target, module: str) -> bool:
    return (
        target.endpoint_url is not None
        and target.version is not None
        and offers(target.version, module)
        and target.role in RECEIVING_ROLES.get(module, frozenset())
    )


def broadcast(targets: Iterable[Target], module: str, *, sender_platform_id: int) -> list[Target]:
    """The receivers of a broadcast push, one per (platform, party), never the sender."""
    out: list[Target] = []
    seen: set[tuple[int, tuple[str, str]]] = set()
    for target in targets:
        key = (target.platform_id, target.party)
        if target.platform_id == sender_platform_id or key in seen or not _usable(target, module):
            continue
        seen.add(key)
        out.append(target)
    return out


def addressed(
    targets: Iterable[Target], party: tuple[str, str], module: str, *, sender_platform_id: int
) -> Target | None:
    """The receiver of a push addressed to ``party``, if it may and can receive it."""
    for target in targets:
        if target.party == party and _usable(target, module):
            return target
    return None
