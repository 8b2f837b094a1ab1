"""HubClientInfo (2.2.1, 2.3.0): the hub's Sender interface, listing the caller's partners.

``GET /ocpi/{v}/hubclientinfo/sender`` lists a ClientInfo for every party the caller's parties
have an agreement with, with the status the caller should see (``hub/clientinfo.py``),
paginated like every list. The module is a configuration module: no routing headers. Pushes of
changes go out through the outbox (``ClientInfoNotifier``).

The list is read by ``hub/services/configuration.py``.
"""

from __future__ import annotations

from fastapi import Request
from starlette.responses import Response

from ocpihub.hub.services.configuration import client_infos
from ocpihub.inbound.auth import Caller, runtime_of, version_of
from ocpihub.inbound.interfaces import Declared, HttpRoute, declare
from ocpihub.inbound.responses import ocpi_response
from ocpihub.ocpi.fields import parse_datetime
from ocpihub.ocpi.modules import ModuleId
from ocpihub.ocpi.pagination import page_headers, parse_page_request
from ocpihub.translate import from_canonical

__all__ = ["ROUTES"]


async def _list_client_info(
    request: Request, caller: Caller, version: str, *, base_path: str
) -> Response:
    """The caller's ClientInfo list, in the version it registered with."""
    runtime = runtime_of(request)
    caller_version = version_of(caller)
    max_limit = runtime.settings.page_limit_for("hubclientinfo")
    params = dict(request.query_params)
    page = parse_page_request(params, max_limit=max_limit)
    infos = await client_infos(runtime.db, caller.platform.id)
    if page.date_from is not None:
        infos = [i for i in infos if parse_datetime(i["last_updated"]) >= page.date_from]
    if page.date_to is not None:
        infos = [i for i in infos if parse_datetime(i["last_updated"]) < page.date_to]
    window = infos[page.offset : page.offset + page.limit]
    data = [from_canonical(caller_version, "ClientInfo", i)[0] for i in window]
    headers = page_headers(
        runtime.settings.public_url + base_path,
        {k: v for k, v in params.items() if k != "cursor"},
        page,
        returned=len(window),
        total=len(infos),
        last_key=page.offset + len(window),
        max_limit=max_limit,
    )
    return ocpi_response(data, headers=headers)


def _sender(version: str, path: str) -> list[HttpRoute]:
    return [HttpRoute("GET", _list_client_info, fixed={"base_path": path})]


ROUTES: Declared = declare(ModuleId.HUB_CLIENT_INFO, sender=_sender)
