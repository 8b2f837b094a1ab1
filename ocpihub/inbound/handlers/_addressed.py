"""Edge steps shared by the addressed modules (Sessions, CDRs): a stored object written in the
caller's version, and the mailbox listing (what was addressed to the caller's parties).

Storing and addressing are ``hub/services/addressed.py``.
"""

from __future__ import annotations

from typing import Any

import structlog
from fastapi import Request
from starlette.responses import Response

from ocpihub.errors import InvalidParameters
from ocpihub.hub.services.addressed import list_addressed as mailbox_page
from ocpihub.hub.sessions import PRIVATE
from ocpihub.inbound.auth import Caller, check_version, runtime_of
from ocpihub.inbound.handlers._objects import Paging, egress_json, list_response
from ocpihub.inbound.interfaces import HttpRoute
from ocpihub.store.objects import StoredObject
from ocpihub.translate import MissingContext, TranslationContext, from_canonical

__all__ = ["OWNER_ROLES", "list_addressed", "list_addressed_route", "render"]

OWNER_ROLES = ("CPO",)
log = structlog.get_logger("ocpihub.addressed")


def render(version: str, name: str, stored: StoredObject, ctx: TranslationContext) -> Any:
    """A stored object in the caller's version (the original when it is exact)."""
    if stored.original is not None and stored.source_version == version:
        return stored.original
    out, _ = from_canonical(version, name, stored.document, ctx)
    out.pop(PRIVATE, None)
    return out


async def list_addressed(
    request: Request,
    caller: Caller,
    version: str,
    *,
    module: str,
    name: str,
    base_path: str,
    require_date_from: bool,
) -> Response:
    """GET all on a hub Sender interface: what was addressed to the caller's parties."""
    check_version(caller, version)
    if require_date_from and not request.query_params.get("date_from"):
        raise InvalidParameters(
            f"query parameter date_from is required for GET all {module} (OCPI Sender interface)"
        )
    paging = Paging.of(request, module, base_path)
    found = await mailbox_page(
        runtime_of(request).db, caller.platform.id, version, module, paging.page
    )
    data = []
    for item in found.listed.items:
        try:
            data.append(
                egress_json(
                    version,
                    name,
                    item,
                    found.contexts.get(item.seq, TranslationContext()),
                    document=found.documents.get(item.seq),
                )
            )
        except MissingContext as exc:
            log.warning("list_item_untranslatable", module=module, seq=item.seq, error=exc.message)
    return list_response(data, paging.headers(found.listed))


def list_addressed_route(
    module: str, name: str, base_path: str, *, require_date_from: bool
) -> HttpRoute:
    """GET all on the Sender interface at ``base_path``: :func:`list_addressed`."""
    fixed = {"module": module, "name": name, "base_path": base_path}
    return HttpRoute("GET", list_addressed, fixed={**fixed, "require_date_from": require_date_from})
