"""Operator actions on parties: suspend and resume (HubClientInfo SUSPENDED)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable

from ocpihub.errors import NotFound
from ocpihub.hub.agreements import parse_party_code
from ocpihub.model.parties import ConnectionStatus, Party
from ocpihub.store import platforms as store
from ocpihub.store.db import Database
from ocpihub.store.reads.directory import party_json

__all__ = ["party_json", "suspend_party"]

PartiesChanged = Callable[[Iterable[tuple[str, str]]], Awaitable[None]]


async def _nothing(codes: Iterable[tuple[str, str]]) -> None:
    return None


async def suspend_party(
    db: Database, code: str, suspended: bool, *, notify: PartiesChanged = _nothing
) -> list[Party]:
    """Suspend a party (nothing flows to or from it) or resume it (CONNECTED again)."""
    cc, pid = parse_party_code(code)
    status = ConnectionStatus.SUSPENDED if suspended else ConnectionStatus.CONNECTED
    async with db.write() as conn:
        changed = await store.set_party_status(conn, cc, pid, status)
    if not changed:
        raise NotFound(f"no party {code}")
    await notify([(cc, pid)])
    return changed
