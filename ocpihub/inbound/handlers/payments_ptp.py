"""Payments requests a CPO addresses to a PTP that the hub cannot answer in full: relayed.

The hub's terminal registry holds only the Terminals and FinancialAdviceConfirmations that went
through it. A CPO that names the PTP with OCPI-to asks that PTP (DESIGN rules 4 and 5):

- a GET of the terminals or confirmations list is always the PTP's to answer: forwarded with
  the CPO's paging parameters (``limit`` within the PTP's page size cap), the PTP's page
  relayed with its ``X-Total-Count`` and ``X-Limit``, its ``Link`` pointed back at the hub
  (DESIGN rule 6);
- a GET of one, a PUT, PATCH or deactivate of a terminal the registry does not hold for this
  CPO goes to the PTP, and its answer comes back.

Everything goes through the one relay (``_relay.py``): the PTP's 2xxx/3xxx pass unchanged, a
success without the object or list the request needs is 4000.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlsplit

from fastapi import Request
from starlette.responses import Response

from ocpihub.errors import HubError, InvalidParameters
from ocpihub.inbound.auth import runtime_of
from ocpihub.inbound.handlers._objects import parse_wire
from ocpihub.inbound.handlers._relay import (
    Relayed,
    forward,
    invalid_object,
    relay_failure,
    relay_list,
    relay_object,
    route_to,
    single_object,
)
from ocpihub.outbound.limits import capped_page
from ocpihub.outbound.urls import join_url
from ocpihub.runtime import Runtime
from ocpihub.store.routing import Target

__all__ = ["relay_to_ptp"]

MODULE = "payments"
VERSION = "2.3.0"

Party = tuple[str, str]


def _paging(request: Request, answer: Relayed) -> dict[str, str]:
    """The PTP's paging headers, with its ``Link`` turned into the same page at the hub."""
    out = {k: answer.headers[k] for k in ("X-Total-Count", "X-Limit") if k in answer.headers}
    link = answer.headers.get("Link")
    if link and "<" in link and ">" in link:
        query = urlsplit(link[link.index("<") + 1 : link.index(">")]).query
        hub = runtime_of(request).settings.public_url + request.url.path
        out["Link"] = f'<{hub}?{query}>; rel="next"'
    return out


def _check(runtime: Runtime, answer: Relayed, name: str, value: Any) -> None:
    """One relayed ``name`` object must validate as 2.3.0 (4000 naming the field otherwise)."""
    if not isinstance(value, dict):
        raise HubError(f"{answer.receiver} listed something that is no {name} object")
    try:
        parse_wire(runtime, VERSION, name, value, answer.route.platform)
    except InvalidParameters as exc:
        raise invalid_object(answer, name, exc.message) from None


async def relay_to_ptp(
    request: Request,
    cpo: Party,
    target: Target,
    method: str,
    segments: tuple[str, ...],
    *,
    body: dict[str, Any] | None = None,
    expect: str | None = None,
    listing: bool = False,
) -> Response:
    """Forward the CPO's request to the PTP's payments Sender interface; relay its answer.

    ``expect``: the object (or, with ``listing``, the list item) a success must carry; None when
    the answer carries no data.
    """
    runtime = runtime_of(request)
    route = await route_to(runtime.directory, cpo, target, MODULE)
    url = join_url(route.url, *(quote(s, safe="") for s in segments))
    # the PTP's page size cap (its profile) bounds the limit asked of it
    params = (
        capped_page(request.query_params, route.platform.profile.page_size_cap) if listing else None
    )
    answer = await forward(
        runtime, request, route, method, url, json=body, params=params, module=MODULE
    )
    if not answer.success:
        return relay_failure(VERSION, answer)
    if expect is None:
        return relay_object(VERSION, answer, None)
    if not listing:
        one = single_object(answer, expect)
        _check(runtime, answer, expect, one)
        return relay_object(VERSION, answer, one)
    if not isinstance(answer.data, list):
        raise HubError(
            f"{answer.receiver} answered status_code {answer.status} without the list of "
            f"{expect} objects a GET of the list needs"
        )
    for item in answer.data:
        _check(runtime, answer, expect, item)
    return relay_list(VERSION, answer, answer.data, _paging(request, answer))
