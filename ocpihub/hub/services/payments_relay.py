"""Payments requests a CPO addresses to a PTP that the hub cannot answer in full: relayed.

The hub's terminal registry holds only the Terminals and FinancialAdviceConfirmations that went
through it. A CPO that names the PTP with OCPI-to asks that PTP (DESIGN rules 4 and 5):

- a GET of the terminals or confirmations list is always the PTP's to answer: forwarded with
  the CPO's paging parameters (``limit`` within the PTP's page size cap), the PTP's page
  relayed with its ``X-Total-Count`` and ``X-Limit``, its ``Link`` pointed back at the hub
  (DESIGN rule 6);
- a GET of one, a PUT, PATCH or deactivate of a terminal the registry does not hold for this
  CPO goes to the PTP, and its answer comes back.

Everything goes through the one relay (``hub/relay.py``): the PTP's 2xxx/3xxx pass unchanged, a
success without the object or list the request needs is 4000.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

from ocpihub.errors import HubError
from ocpihub.hub.origin import Origin, Party
from ocpihub.hub.relay import Relay, Relayed, Reply, single_object
from ocpihub.model.parties import Target
from ocpihub.outbound.limits import capped_page
from ocpihub.outbound.urls import join_url

__all__ = ["PtpRequest", "relay_to_ptp"]

MODULE = "payments"


@dataclass(frozen=True, slots=True)
class PtpRequest:
    """A CPO's request for its PTP: the method, the path below the PTP's payments Sender
    endpoint, the body; ``expect``: the object (or, with ``listing``, the list item) a success
    must carry (None: no data); a listing's query parameters and the hub's URL of the list."""

    method: str
    segments: tuple[str, ...]
    body: dict[str, Any] | None = None
    expect: str | None = None
    listing: bool = False
    query: Mapping[str, str] | None = None
    here: str = ""


def _paging(asked: PtpRequest, answer: Relayed) -> dict[str, str]:
    """The PTP's paging headers, with its ``Link`` turned into the same page at the hub."""
    out = {k: answer.headers[k] for k in ("X-Total-Count", "X-Limit") if k in answer.headers}
    link = answer.headers.get("Link")
    if link and "<" in link and ">" in link:
        query = urlsplit(link[link.index("<") + 1 : link.index(">")]).query
        out["Link"] = f'<{asked.here}?{query}>; rel="next"'
    return out


async def relay_to_ptp(
    relay: Relay, origin: Origin, cpo: Party, target: Target, asked: PtpRequest
) -> Reply:
    """Forward the CPO's request to the PTP's payments Sender interface; relay its answer."""
    route = await relay.route_to(cpo, target, MODULE)
    url = join_url(route.url, *(quote(s, safe="") for s in asked.segments))
    # the PTP's page size cap (its profile) bounds the limit asked of it
    cap = route.platform.profile.page_size_cap
    params = capped_page(asked.query, cap) if asked.listing else None
    answer = await relay.forward(
        route,
        asked.method,
        url,
        correlation_id=origin.correlation_id,
        json=asked.body,
        params=params,
    )
    if not answer.success:
        return Reply.failure(answer)
    if asked.expect is None:
        return Reply.success(answer, None)
    if not asked.listing:
        one = single_object(answer, asked.expect)
        relay.validated(answer, asked.expect, one)  # relayed as it came, once it validates
        return Reply.success(answer, one)
    if not isinstance(answer.data, list):
        raise HubError(
            f"{answer.receiver} answered status_code {answer.status} without the list of "
            f"{asked.expect} objects a GET of the list needs"
        )
    for item in answer.data:
        if not isinstance(item, dict):
            raise HubError(f"{answer.receiver} listed something that is no {asked.expect} object")
        relay.validated(answer, asked.expect, item)
    return Reply.success(answer, answer.data, _paging(asked, answer))
