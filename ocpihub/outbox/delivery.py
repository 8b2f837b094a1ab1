"""Turning an outbox item into the HTTP request for its receiver. Pure functions.

- Body: the sender's original payload, untouched, when the receiver speaks the sender's version
  (DESIGN rule 8); otherwise the canonical document translated to the receiver's version at
  delivery time, with its loss report; the newer fields the receiver's profile back-ports are
  put back and leave the loss report. The hub-private top-level key ``_ocpihub`` never leaves
  the hub.
- Headers (digest §1.9, §1.10): a new ``X-Request-ID`` per hop, the item's ``X-Correlation-ID``,
  and for functional modules of 2.2+ receivers ``OCPI-to-*`` (the receiving party) and
  ``OCPI-from-*`` (the sending party, or the hub itself for a broadcast push).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from ocpihub.model.outbox import OutboxItem
from ocpihub.model.parties import Endpoint
from ocpihub.ocpi.headers import REQUEST_ID
from ocpihub.ocpi.jsoncopy import json_copy
from ocpihub.ocpi.version import ocpi_version
from ocpihub.outbound.headers import request_headers
from ocpihub.outbound.urls import join_url
from ocpihub.translate import LossReport
from ocpihub.translate.backports import apply as apply_backports

__all__ = ["HUB_PRIVATE_KEY", "Prepared", "Translate", "Undeliverable", "pick_endpoint", "prepare"]

HUB_PRIVATE_KEY = "_ocpihub"
"""Top-level key of canonical documents that only the hub reads."""

Translate = Callable[[str, str, dict[str, Any]], tuple[dict[str, Any], LossReport]]
"""``(version, object_name, canonical) -> (wire JSON, loss report)``: ``from_canonical``.
Its results may be shared between deliveries (``outbox/bodies.py``): changed only in copies."""


class Undeliverable(Exception):
    """The item cannot be turned into a request for this receiver (no retry can help)."""


@dataclass(frozen=True, slots=True)
class Prepared:
    """The request for one attempt (``content``: ``body`` encoded, as it goes on the wire)."""

    method: str
    url: str
    headers: dict[str, str]
    body: dict[str, Any] | None
    loss_report: LossReport | None
    request_id: str
    content: bytes | None = None


def pick_endpoint(
    endpoints: Sequence[Endpoint], module: str, role: str, version: str | None
) -> Endpoint:
    """The receiver's endpoint for ``module`` in interface ``role``.

    2.1.1 endpoints carry no role of their own; any endpoint of the module will do.
    """
    for endpoint in endpoints:
        if endpoint.identifier == module and endpoint.role == role:
            return endpoint
    if version is not None and not ocpi_version(version).has_roles:
        for endpoint in endpoints:
            if endpoint.identifier == module:
                return endpoint
    raise Undeliverable(f"the receiver publishes no {module} {role} endpoint")


def _body(
    item: OutboxItem, version: str, translate: Translate, backports: Collection[str] = ()
) -> tuple[dict[str, Any] | None, LossReport | None]:
    d = item.delivery
    if d.original is not None and d.original_version == version:
        return d.original, None
    if d.payload is None:
        if d.original is not None:
            raise Undeliverable(
                f"only the sender's {d.original_version} payload is stored; "
                f"it cannot be sent in {version}"
            )
        return None, None
    if d.object_name is None:
        raise Undeliverable("the item has a payload but no object name to translate it by")
    try:
        wire, loss = translate(version, d.object_name, d.payload)
    except Undeliverable:
        raise
    except Exception as exc:  # a translator's refusal is final for this item
        raise Undeliverable(
            f"cannot translate {d.object_name} to OCPI {version}: {type(exc).__name__}: {exc}"
        ) from exc
    wire.pop(HUB_PRIVATE_KEY, None)
    if backports and loss:
        # translations may be shared between deliveries (outbox/bodies.py): back-port into a copy
        wire = json_copy(wire)
        wire, loss = apply_backports(version, d.object_name, d.payload, wire, loss, backports)
    return wire, loss


def prepare(
    item: OutboxItem,
    *,
    version: str,
    endpoint_url: str,
    hub_party: tuple[str, str],
    translate: Translate,
    request_id: str | None = None,
    backports: Collection[str] = (),
) -> Prepared:
    """The request delivering ``item`` to a receiver that speaks ``version``; ``backports``:
    the newer fields its profile takes (``translate/backports.py``)."""
    d = item.delivery
    body, loss = _body(item, version, translate, backports)
    headers = request_headers(
        version=version,
        module=d.module,
        correlation_id=d.correlation_id,
        sender=hub_party if d.broadcast else d.sender_party,
        receiver=d.receiver_party,
    )
    if request_id is not None:
        headers[REQUEST_ID] = request_id
    rid = headers[REQUEST_ID]
    # the endpoint exactly as published; a result's own response_url as it is
    url = d.target_url or join_url(endpoint_url, d.url_suffix)
    content = None if body is None else orjson.dumps(body)
    return Prepared(d.method, url, headers, body, loss or None, rid, content)
