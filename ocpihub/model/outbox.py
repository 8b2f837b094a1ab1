"""Outbox items: what a delivery names, the states it moves through, and the ordering key.

Version-free, so that the store keeps them and ``outbox/`` delivers them without either
importing the other's module.

States::

    PENDING ──claim──► IN_FLIGHT ──► DONE
       ▲                  │
       │                  ├──► RETRY ──(due)──claim──► IN_FLIGHT …
       │                  └──► DEAD
       └────── operator retry (DEAD, DONE, RETRY) ─────┘

An IN_FLIGHT item whose lease ran out (its process died) is claimable again. Items of one
(receiver, ordering key) are delivered strictly in ``id`` order: an item is claimable only
when every earlier item of its queue is DONE or DEAD.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

__all__ = [
    "CLAIMABLE",
    "OPEN",
    "Delivery",
    "OutboxItem",
    "Status",
    "ordering_key",
]


class Status(StrEnum):
    """Where an outbox item stands."""

    PENDING = "PENDING"  # waiting for its first attempt
    IN_FLIGHT = "IN_FLIGHT"  # claimed by a worker, lease running
    RETRY = "RETRY"  # an attempt failed; due again at next_attempt_at
    DONE = "DONE"  # the receiver accepted it
    DEAD = "DEAD"  # given up; the operator may retry it


CLAIMABLE: tuple[Status, ...] = (Status.PENDING, Status.RETRY)
"""States a due item can be claimed from (plus IN_FLIGHT with an expired lease)."""

OPEN: tuple[Status, ...] = (Status.PENDING, Status.RETRY, Status.IN_FLIGHT)
"""States that hold back later items of the same queue."""


def ordering_key(module: str, country_code: str, party_id: str, object_id: str) -> str:
    """The queue of one object, e.g. ``locations:NL:ABC:LOC1`` (ids upper-cased: CiStrings).

    Producers key EVSE and Connector updates by their Location, so that a Location PUT and the
    EVSE PATCHes after it reach each receiver in the order the hub accepted them.
    """
    return f"{module}:{country_code.upper()}:{party_id.upper()}:{object_id.upper()}"


@dataclass(frozen=True, slots=True)
class Delivery:
    """One request the hub owes a receiver, as a producer names it.

    - ``receiver_platform_id`` and ``receiver_party`` (country_code, party_id): who gets it;
      the endpoint is looked up from the receiver's stored endpoints at delivery time.
    - ``sender_party``: the party the data comes from (OCPI-from, unless ``broadcast``: then the
      hub is the sender on the wire, digest §1.9).
    - ``module``, ``interface_role`` (of the receiver's endpoint, ``RECEIVER`` for pushes),
      ``method`` and ``url_suffix`` below the endpoint URL (``/NL/ABC/LOC1/EVSE1``).
    - ``object_name``/``payload``: the canonical object name for translation (``Location``,
      ``EVSEPatch``) and the canonical document; both None for bodiless requests (DELETE).
    - ``original``/``original_version``: the sender's validated payload, forwarded untouched when
      the receiver speaks that version (DESIGN rule 8).
    - ``ordering_key``: the per-object queue (:func:`ordering_key`); ``correlation_id`` is kept on
      every hop (digest §1.10).
    - ``target_url``: an absolute URL to call instead of the receiver's endpoint and
      ``url_suffix`` (a command or charging-profile result posted to the requester's
      ``response_url``).
    """

    receiver_platform_id: int | None  # None: the receiver platform was removed (DEAD items)
    receiver_party: tuple[str, str]
    sender_party: tuple[str, str]
    module: str
    method: str
    url_suffix: str
    ordering_key: str
    correlation_id: str
    interface_role: str = "RECEIVER"
    object_name: str | None = None
    payload: dict[str, Any] | None = None
    original: dict[str, Any] | None = None
    original_version: str | None = None
    broadcast: bool = False
    target_url: str | None = None


@dataclass(frozen=True, slots=True)
class OutboxItem:
    """One stored delivery with its bookkeeping."""

    id: int
    status: Status
    delivery: Delivery
    attempts: int
    next_attempt_at: datetime
    created_at: datetime
    window_start: datetime
    updated_at: datetime
    lease_until: datetime | None = None
    claimed_by: str | None = None
    delivered_at: datetime | None = None
    last_error: str | None = None
    last_http_status: int | None = None
    last_ocpi_status: int | None = None
    loss_report: list[dict[str, Any]] | None = field(default=None)
    retry_after_capped: float | None = None

    @property
    def receiver_id(self) -> int:
        """The receiver platform's id. Claimed items always have one: only DEAD items of a
        receiver the operator removed have none (``hub/platform_removal.py``)."""
        receiver = self.delivery.receiver_platform_id
        if receiver is None:
            raise ValueError(f"outbox item {self.id}: its receiver platform was removed")
        return receiver

    def as_json(self) -> dict[str, Any]:
        """How the admin API and ``ocpihub outbox list --json`` show an item (no payloads)."""
        d = self.delivery
        return {
            "id": self.id,
            "status": self.status.value,
            "receiver_platform_id": d.receiver_platform_id,
            "receiver_party": "-".join(d.receiver_party),
            "sender_party": "-".join(d.sender_party),
            "module": d.module,
            "method": d.method,
            "url_suffix": d.url_suffix,
            "target_url": d.target_url,
            "object_name": d.object_name,
            "ordering_key": d.ordering_key,
            "correlation_id": d.correlation_id,
            "broadcast": d.broadcast,
            "attempts": self.attempts,
            "next_attempt_at": self.next_attempt_at.isoformat(),
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
            "delivered_at": self.delivered_at.isoformat() if self.delivered_at else None,
            "last_error": self.last_error,
            "last_http_status": self.last_http_status,
            "last_ocpi_status": self.last_ocpi_status,
            # the receiver's Retry-After (seconds) when it asked for a longer wait than the
            # hub allows (OCPIHUB_OUTBOX_RETRY_AFTER_MAX_SECONDS); next_attempt_at is capped
            "retry_after_capped": self.retry_after_capped,
            "loss_report": self.loss_report,
        }
