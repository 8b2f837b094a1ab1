"""HubClientInfo (2.2.1, 2.3.0): the hub's Sender interface, listing the caller's partners.

``GET /ocpi/{v}/hubclientinfo/sender`` lists a ClientInfo for every party the caller's parties
have an agreement with, with the status the caller should see (``hub/clientinfo.py``),
paginated like every list. The module is a configuration module: no routing headers. Pushes of
changes go out through the outbox (``ClientInfoNotifier``).

The list is read by ``hub/services/configuration.py``.
"""

from __future__ import annotations

from fastapi import Depends, Request
from starlette.responses import Response

from ocpihub.hub.services.configuration import client_infos
from ocpihub.inbound.auth import Caller, registered, runtime_of, version_of
from ocpihub.inbound.interfaces import Declared, HttpRoute
from ocpihub.inbound.responses import ocpi_response
from ocpihub.ocpi.fields import parse_datetime
from ocpihub.ocpi.modules import InterfaceRole, ModuleId
from ocpihub.ocpi.pagination import page_headers, parse_page_request
from ocpihub.translate import from_canonical

__all__ = ["ROUTES"]


def _sender(version: str, path: str) -> list[HttpRoute]:
    async def list_client_info(request: Request, c: Caller = Depends(registered)) -> Response:
        runtime = runtime_of(request)
        caller_version = version_of(c)
        max_limit = runtime.settings.page_limit_for("hubclientinfo")
        params = dict(request.query_params)
        page = parse_page_request(params, max_limit=max_limit)
        infos = await client_infos(runtime.db, c.platform.id)
        if page.date_from is not None:
            infos = [i for i in infos if parse_datetime(i["last_updated"]) >= page.date_from]
        if page.date_to is not None:
            infos = [i for i in infos if parse_datetime(i["last_updated"]) < page.date_to]
        window = infos[page.offset : page.offset + page.limit]
        data = [from_canonical(caller_version, "ClientInfo", i)[0] for i in window]
        headers = page_headers(
            runtime.settings.public_url + path,
            {k: v for k, v in params.items() if k != "cursor"},
            page,
            returned=len(window),
            total=len(infos),
            last_key=page.offset + len(window),
            max_limit=max_limit,
        )
        return ocpi_response(data, headers=headers)

    return [HttpRoute("GET", list_client_info)]


ROUTES: Declared = {(ModuleId.HUB_CLIENT_INFO, InterfaceRole.SENDER): _sender}
