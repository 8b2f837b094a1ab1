"""Operator actions on agreements, shared by the CLI and the admin API.

Each action commits the change and then tells the ``notify`` callback which parties are
affected, so that HubClientInfo and credentials updates can follow (``hub/clientinfo.py``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any

from ocpihub.errors import InvalidParameters, NotFound
from ocpihub.hub.agreements import compatible_roles, parse_modules, parse_party_code
from ocpihub.model.agreements import Agreement, AgreementStatus, OnAuthorizeTimeout
from ocpihub.store import agreements as store
from ocpihub.store.db import Database, DuplicateKey
from ocpihub.store.platforms import list_parties
from ocpihub.store.reads.directory import agreement_json

__all__ = [
    "Notify",
    "add_agreement",
    "agreement_json",
    "ended",
    "remove_agreement",
    "set_authorize_policy",
    "set_status",
]

Notify = Callable[[Agreement], Awaitable[None]]


async def _nothing(agreement: Agreement) -> None:
    return None


async def add_agreement(
    db: Database,
    party_a: str,
    party_b: str,
    modules: Iterable[str] | None = None,
    *,
    notify: Notify = _nothing,
) -> Agreement:
    """Agree that two parties (``CC-PID``) may exchange data, optionally only some modules.

    Both parties must be known to the hub (registered, or announced by a platform's declared
    roles), different, and have roles that exchange data.
    """
    a, b = parse_party_code(party_a), parse_party_code(party_b)
    if a == b:
        raise InvalidParameters(f"parties: {party_a} cannot have an agreement with itself")
    limit = parse_modules(modules)
    try:
        async with db.write() as conn:
            known = await list_parties(conn)
            roles_a = {p.role for p in known if (p.country_code, p.party_id) == a}
            roles_b = {p.role for p in known if (p.country_code, p.party_id) == b}
            for code, roles in ((party_a, roles_a), (party_b, roles_b)):
                if not roles:
                    raise InvalidParameters(f"parties: {code} is not a party known to this hub")
            if not compatible_roles(roles_a, roles_b):
                raise InvalidParameters(
                    f"parties: {party_a} ({', '.join(sorted(roles_a))}) and {party_b} "
                    f"({', '.join(sorted(roles_b))}) have no roles that exchange data"
                )
            if await store.find_agreement(conn, a, b) is not None:
                raise InvalidParameters(f"parties: {party_a} and {party_b} have an agreement")
            created = await store.create_agreement(conn, a, b, limit)
    except DuplicateKey:
        raise InvalidParameters(f"parties: {party_a} and {party_b} have an agreement") from None
    await notify(created)
    return created


async def set_status(
    db: Database, agreement_id: int, status: AgreementStatus, *, notify: Notify = _nothing
) -> Agreement:
    """Suspend or resume an agreement."""
    async with db.write() as conn:
        changed = await store.set_agreement_status(conn, agreement_id, status)
    if changed is None:
        raise NotFound(f"no agreement with id {agreement_id}")
    await notify(changed)
    return changed


async def set_authorize_policy(
    db: Database, agreement_id: int, changes: Mapping[str, Any]
) -> Agreement:
    """Set the agreement's real-time authorization policy (CLI, admin API, console): keys
    ``authorize_timeout_seconds`` (above 0, or None) and ``authorize_on_timeout`` (REFUSE or
    ALLOW); the keys not given keep their values."""
    unknown = sorted(set(changes) - {"authorize_timeout_seconds", "authorize_on_timeout"})
    if unknown:
        raise InvalidParameters(f"{unknown[0]} is not an authorization policy setting")
    timeout = changes.get("authorize_timeout_seconds")
    ok = timeout is None or (isinstance(timeout, int | float) and not isinstance(timeout, bool))
    if not ok or (timeout is not None and not 0 < timeout <= 600):
        raise InvalidParameters(
            f"authorize_timeout_seconds: {timeout!r} must be seconds above 0 (at most 600), or null"
        )
    on_timeout = changes.get("authorize_on_timeout")
    if on_timeout is not None and str(on_timeout).upper() not in OnAuthorizeTimeout.__members__:
        raise InvalidParameters(f"authorize_on_timeout: {on_timeout!r} must be REFUSE or ALLOW")
    async with db.write() as conn:
        current = await store.get_agreement(conn, agreement_id)
        if current is None:
            raise NotFound(f"no agreement with id {agreement_id}")
        if not changes:
            return current
        if "authorize_timeout_seconds" not in changes:
            timeout = current.authorize_timeout_seconds
        answer = current.authorize_on_timeout
        if on_timeout is not None:
            answer = OnAuthorizeTimeout(str(on_timeout).upper())
        changed = await store.set_authorize_policy(
            conn, agreement_id, None if timeout is None else float(timeout), answer
        )
    assert changed is not None
    return changed


async def remove_agreement(
    db: Database, agreement_id: int, *, notify: Notify = _nothing
) -> Agreement:
    """End an agreement."""
    async with db.write() as conn:
        removed = await store.delete_agreement(conn, agreement_id)
    if removed is None:
        raise NotFound(f"no agreement with id {agreement_id}")
    await notify(ended(removed))
    return removed


def ended(agreement: Agreement) -> Agreement:
    """What the notification of a removed agreement carries: it as SUSPENDED (both sides hear
    SUSPENDED of the other, docs/agreements.md)."""
    return Agreement(
        agreement.id,
        agreement.a,
        agreement.b,
        agreement.modules,
        AgreementStatus.SUSPENDED,
        agreement.created_at,
        agreement.updated_at,
    )
